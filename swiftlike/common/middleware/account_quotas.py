"""account_quotas: a reseller admin caps an account's bytes or objects
(``X-Account-Quota-Bytes``/``-Count``, kept as system metadata, or the
older ``X-Account-Meta-Quota-Bytes``); uploads past it get 413, and only a
reseller admin may set or remove the quota."""
from __future__ import annotations

from typing import Dict

from webob import Request

from swiftlike.common.backend_request import make_response, text_error
from swiftlike.common.exceptions import ConfigError
from swiftlike.common.info import get_info
from swiftlike.common.middleware.container_quotas import (
    OVER_QUOTA,
    exceeds,
    quota_problem,
)
from swiftlike.common.registry import register_swift_info
from swiftlike.common.storage_policy import load_storage_policies
from swiftlike.common.utils import split_path

QUOTA_HEADERS = ('X-Account-Quota-Bytes', 'X-Account-Quota-Count',
                 'X-Account-Meta-Quota-Bytes', 'X-Remove-Account-Quota-Bytes',
                 'X-Remove-Account-Quota-Count',
                 'X-Remove-Account-Meta-Quota-Bytes')
SYSMETA = {'X-Account-Quota-Bytes': 'X-Account-Sysmeta-Quota-Bytes',
           'X-Account-Quota-Count': 'X-Account-Sysmeta-Quota-Count'}


class AccountQuotas:
    def __init__(self, app, conf: Dict[str, str]) -> None:
        self.app = app
        try:
            self.policies = load_storage_policies()
        except ConfigError:
            self.policies = None
        register_swift_info('account_quotas')

    def __call__(self, environ, start_response):
        req = Request(environ)
        try:
            version, account, container, obj = split_path(
                req.path_info, 2, 4, True)
        except ValueError:
            return self.app(environ, start_response)
        if container is None and req.method in ('PUT', 'POST'):
            resp = self._account_write(req)
            if resp is not None:
                return resp(environ, start_response)
        elif obj is not None and req.method == 'PUT':
            info = get_info(environ, self.app, version, account)
            if info['status'] // 100 == 2 and self._over_policy_quota(
                    req, info, version, account, container):
                return text_error(413, OVER_QUOTA).response()(
                    environ, start_response)
            if info['status'] // 100 == 2:
                quotas = {k[len('quota-'):]: v for k, v in
                          info['sysmeta'].items() if k.startswith('quota-')}
                legacy = {'bytes': info['meta'].get('quota-bytes', '')}
                for limits in (quotas, legacy):
                    if exceeds({'quota-' + k: v for k, v in limits.items()},
                               info['bytes'], info['object_count'],
                               req.content_length or 0):
                        return text_error(413, OVER_QUOTA).response()(
                            environ, start_response)
        return self.app(environ, start_response)

    def _over_policy_quota(self, req: Request, info, version: str,
                           account: str, container: str) -> bool:
        """``X-Account-Quota-Bytes/-Count-Policy-<name>``: what the
        account holds in the container's policy, plus this upload."""
        limits = {k[len('quota-'):]: v for k, v in info['sysmeta'].items()
                  if k.startswith('quota-') and '-policy-' in k}
        if not limits:
            return False
        cinfo = get_info(req.environ, self.app, version, account, container)
        index = str(cinfo.get('storage_policy', 0))
        policy = self.policies.get_by_index(index) if self.policies \
            else None
        if policy is None:
            return False
        used = info.get('policy_stats', {}).get(policy.name.lower(), {})
        return exceeds({'quota-bytes': limits.get('bytes-policy-' + index,
                                                  ''),
                        'quota-count': limits.get('count-policy-' + index,
                                                  '')},
                       used.get('bytes', 0), used.get('object_count', 0),
                       req.content_length or 0)

    def _account_write(self, req: Request):
        for header in list(req.headers):
            lower = header.lower()
            for kind in ('bytes', 'count'):
                marker = 'x-account-quota-%s-policy-' % kind
                if lower.startswith(marker):
                    if not req.environ.get('reseller_request'):
                        return make_response(403)
                    name = header[len(marker):]
                    policy = self.policies.get_by_name(name) \
                        if self.policies else None
                    value = req.headers.pop(header)
                    if policy is None:
                        return text_error(400, 'Invalid policy %s'
                                          % name).response()
                    if value and not value.strip().isdigit():
                        return text_error(400, 'Invalid %s quota.'
                                          % kind).response()
                    req.headers['X-Account-Sysmeta-Quota-%s-Policy-%d' % (
                        kind.title(), policy.idx)] = value
        if not any(h in req.headers for h in QUOTA_HEADERS):
            return None
        if not req.environ.get('reseller_request'):
            return make_response(403)
        for prefix in ('X-Account-', 'X-Account-Meta-'):
            problem = quota_problem(req.headers, prefix)
            if problem:
                return text_error(400, problem).response()
        for header, sysmeta in SYSMETA.items():
            if header in req.headers:
                req.headers[sysmeta] = req.headers.pop(header)
            if 'X-Remove-' + header[2:] in req.headers:
                req.headers[sysmeta] = ''
        return None


def filter_factory(global_conf: Dict[str, str], **local_conf: str):
    conf = dict(global_conf, **local_conf)
    return lambda app: AccountQuotas(app, conf)

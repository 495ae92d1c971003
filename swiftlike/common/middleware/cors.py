"""cors: cross-origin requests from web pages.

A container allows origins with ``X-Container-Meta-Access-Control-Allow-
Origin`` (a space-separated list, or ``*``), optionally ``...-Max-Age`` and
``...-Expose-Headers``; ``cors_allow_origin`` in the proxy config allows
origins everywhere. Preflight ``OPTIONS`` requests are answered here (no
token needed); other requests carrying ``Origin`` get the
``Access-Control-*`` answer headers when their origin is allowed.
"""
from __future__ import annotations

from typing import Dict, List, Optional

from webob import Request

from swiftlike.common.backend_request import make_response
from swiftlike.common.config import config_true_value
from swiftlike.common.info import get_info
from swiftlike.common.registry import register_swift_info
from swiftlike.common.utils import split_path

ALLOWED_METHODS = ['HEAD', 'GET', 'PUT', 'POST', 'COPY', 'OPTIONS',
                   'DELETE']
DEFAULT_EXPOSE = ['cache-control', 'content-language', 'content-type',
                  'expires', 'last-modified', 'pragma', 'etag',
                  'x-timestamp', 'x-trans-id', 'x-openstack-request-id']
META_PREFIXES = ('x-container-meta-', 'x-object-meta-', 'x-account-meta-')


def origin_allowed(origin: str, container_allowed: List[str],
                   proxy_allowed: List[str]) -> bool:
    return '*' in container_allowed or origin in container_allowed or \
        origin in proxy_allowed


class Cors:
    def __init__(self, app, conf: Dict[str, str]) -> None:
        self.app = app
        self.proxy_allowed = [o.strip() for o in conf.get(
            'cors_allow_origin', '').split(',') if o.strip()]
        self.strict = config_true_value(conf.get('strict_cors_mode',
                                                 'true'))
        self.expose_extra = [h.strip().lower() for h in conf.get(
            'cors_expose_headers', '').split(',') if h.strip()]
        register_swift_info('cors', cors_allow_origin=self.proxy_allowed)

    def _container_cors(self, req: Request) -> Optional[Dict[str, str]]:
        try:
            version, account, container = split_path(req.path_info, 2, 4,
                                                     True)[:3]
        except ValueError:
            return None
        if not container:
            return {}
        info = get_info(req.environ, self.app, version, account, container)
        if info['status'] // 100 != 2:
            return {}
        return {k[len('access-control-'):]: v for k, v in
                info['meta'].items() if k.startswith('access-control-')}

    def __call__(self, environ, start_response):
        req = Request(environ)
        origin = req.headers.get('Origin')
        # (the raw path: a client's invalid UTF-8 is the proxy's to refuse)
        api_path = environ.get('PATH_INFO', '').startswith('/v1/')
        if not api_path or (req.method == 'OPTIONS' and not origin):
            if req.method == 'OPTIONS' and api_path:
                return make_response(200, b'', {
                    'Allow': ', '.join(ALLOWED_METHODS)})(environ,
                                                          start_response)
            return self.app(environ, start_response)
        if origin is None:
            return self.app(environ, start_response)
        rules = self._container_cors(req)
        if rules is None:
            return self.app(environ, start_response)
        allowed = (rules.get('allow-origin') or '').split()
        if req.method == 'OPTIONS':
            return self.preflight(req, origin, allowed, rules)(
                environ, start_response)
        ok = origin_allowed(origin, allowed, self.proxy_allowed)

        def cors_start_response(status, headers, exc_info=None):
            if ok or not self.strict:
                headers = list(headers) + self._answer_headers(
                    origin, allowed, rules, headers)
            return start_response(status, headers, exc_info)

        return self.app(environ, cors_start_response)

    def preflight(self, req: Request, origin: str, allowed: List[str],
                  rules: Dict[str, str]):
        method = req.headers.get('Access-Control-Request-Method')
        if method not in ALLOWED_METHODS or \
                not origin_allowed(origin, allowed, self.proxy_allowed):
            return make_response(401)
        headers = {
            'Allow': ', '.join(ALLOWED_METHODS),
            'Access-Control-Allow-Origin': '*' if '*' in allowed else
            origin,
            'Access-Control-Allow-Methods': ', '.join(ALLOWED_METHODS)}
        if '*' not in allowed:
            headers['Vary'] = 'Origin'
        asked = req.headers.get('Access-Control-Request-Headers')
        if asked:
            headers['Access-Control-Allow-Headers'] = asked
        if rules.get('max-age'):
            headers['Access-Control-Max-Age'] = rules['max-age']
        return make_response(200, b'', headers)

    def _answer_headers(self, origin: str, allowed: List[str],
                        rules: Dict[str, str], headers) -> List[tuple]:
        expose = list(DEFAULT_EXPOSE)
        expose += [k.lower() for k, _ in headers
                   if k.lower().startswith(META_PREFIXES)]
        expose += [h.strip().lower() for h in
                   (rules.get('expose-headers') or '').split()
                   if h.strip()]
        expose += self.expose_extra
        out = [('Access-Control-Expose-Headers', ', '.join(
            dict.fromkeys(expose)))]
        if '*' in allowed:
            out.append(('Access-Control-Allow-Origin', '*'))
        else:
            out += [('Access-Control-Allow-Origin', origin),
                    ('Vary', 'Origin')]
        return [(k, v) for k, v in out
                if k.lower() not in (h.lower() for h, _ in headers)]


def filter_factory(global_conf: Dict[str, str], **local_conf: str):
    conf = dict(global_conf, **local_conf)
    return lambda app: Cors(app, conf)

"""container_quotas: ``X-Container-Meta-Quota-Bytes`` and
``X-Container-Meta-Quota-Count`` cap what a container may hold; an upload
past either is refused with 413 before any byte is stored."""
from __future__ import annotations

from typing import Dict, Optional

from webob import Request

from swiftlike.common.backend_request import text_error
from swiftlike.common.info import get_info
from swiftlike.common.registry import register_swift_info
from swiftlike.common.utils import split_path

OVER_QUOTA = 'Upload exceeds quota.'


def quota_problem(headers, prefix: str) -> Optional[str]:
    """Swift's 400 text when a quota header is not a number."""
    for name, what in (('Quota-Bytes', 'bytes'), ('Quota-Count', 'count')):
        value = headers.get(prefix + name)
        if value and not value.strip().isdigit():
            return 'Invalid %s quota.' % what
    return None


def has_quota(meta: Dict[str, str]) -> bool:
    return bool(meta.get('quota-bytes') or meta.get('quota-count'))


def exceeds(meta: Dict[str, str], used_bytes: int, used_count: int,
            new_bytes: int, new_objects: int = 1) -> bool:
    """Whether adding ``new_bytes`` in ``new_objects`` passes a quota."""
    quota_bytes = meta.get('quota-bytes', '')
    quota_count = meta.get('quota-count', '')
    if quota_bytes.isdigit() and used_bytes + new_bytes > int(quota_bytes):
        return True
    return quota_count.isdigit() and \
        used_count + new_objects > int(quota_count)


class ContainerQuotas:
    def __init__(self, app, conf: Dict[str, str]) -> None:
        self.app = app
        register_swift_info('container_quotas')

    def __call__(self, environ, start_response):
        req = Request(environ)
        try:
            version, account, container, obj = split_path(
                req.path_info, 3, 4, True)
        except ValueError:
            return self.app(environ, start_response)
        if obj is None and req.method in ('PUT', 'POST'):
            problem = quota_problem(req.headers, 'X-Container-Meta-')
            if problem:
                return text_error(400, problem).response()(environ,
                                                           start_response)
        elif obj is not None and req.method == 'PUT':
            info = get_info(environ, self.app, version, account, container)
            if has_quota(info['meta']):
                # cached counts lag behind uploads: a quota needs today's
                info = get_info(environ, self.app, version, account,
                                container, fresh=True)
            if info['status'] // 100 == 2 and exceeds(
                    info['meta'], info['bytes'], info['object_count'],
                    req.content_length or 0):
                return text_error(413, OVER_QUOTA).response()(
                    environ, start_response)
        return self.app(environ, start_response)


def filter_factory(global_conf: Dict[str, str], **local_conf: str):
    conf = dict(global_conf, **local_conf)
    return lambda app: ContainerQuotas(app, conf)

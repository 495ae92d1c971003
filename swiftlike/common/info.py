"""Account and container info as the proxy caches it (memcache keys and
the plain dicts stored), and a reader for middleware: the cache first,
else a HEAD through the rest of the pipeline made before any auth check
(tempurl and formpost need the keys before a user is known)."""
from __future__ import annotations

from typing import Any, Dict, Optional

from swiftlike.common.subrequest import make_subrequest


def account_cache_key(account: str) -> str:
    return 'account/%s' % account


def container_cache_key(account: str, container: str) -> str:
    return 'container/%s/%s' % (account, container)


def _metadata(headers: Dict[str, str], prefix: str) -> Dict[str, str]:
    return {k[len(prefix):].lower(): v for k, v in headers.items()
            if k.lower().startswith(prefix)}


def container_info_from_headers(status: int, headers: Dict[str, str]
                                ) -> Dict[str, Any]:
    """What middleware and controllers need to know of a container; plain
    data so memcache can hold it."""
    return {'status': status,
            'storage_policy': int(headers.get(
                'X-Backend-Storage-Policy-Index') or 0),
            'read_acl': headers.get('X-Container-Read'),
            'write_acl': headers.get('X-Container-Write'),
            'object_count': int(headers.get('X-Container-Object-Count') or 0),
            'bytes': int(headers.get('X-Container-Bytes-Used') or 0),
            'meta': _metadata(headers, 'x-container-meta-'),
            'sysmeta': _metadata(headers, 'x-container-sysmeta-')}


def _policy_stats(headers: Dict[str, str]) -> Dict[str, Dict[str, int]]:
    """{policy name (lower case): {'bytes', 'object_count'}} from the
    ``X-Account-Storage-Policy-<Name>-*`` headers."""
    stats: Dict[str, Dict[str, int]] = {}
    prefix = 'x-account-storage-policy-'
    for key, value in headers.items():
        lower = key.lower()
        if not lower.startswith(prefix):
            continue
        for suffix, field in (('-bytes-used', 'bytes'),
                              ('-object-count', 'object_count')):
            if lower.endswith(suffix):
                name = lower[len(prefix):-len(suffix)]
                stats.setdefault(name, {})[field] = int(value or 0)
    return stats


def account_info_from_headers(status: int, headers: Dict[str, str]
                              ) -> Dict[str, Any]:
    return {'status': status,
            'policy_stats': _policy_stats(headers),
            'container_count': int(headers.get(
                'X-Account-Container-Count') or 0),
            'object_count': int(headers.get('X-Account-Object-Count') or 0),
            'bytes': int(headers.get('X-Account-Bytes-Used') or 0),
            'meta': _metadata(headers, 'x-account-meta-'),
            'sysmeta': _metadata(headers, 'x-account-sysmeta-')}


def get_info(environ: Dict, app, version: str, account: str,
             container: Optional[str] = None,
             fresh: bool = False) -> Dict[str, Any]:
    """Cached info of an account or container, or (``fresh``, or nothing
    cached) a HEAD's."""
    key = container_cache_key(account, container) if container \
        else account_cache_key(account)
    cache = environ.get('swift.cache')
    info = cache.get(key) if cache is not None and not fresh else None
    if info:
        return info
    path = '/%s/%s' % (version, account) + ('/' + container if container
                                             else '')
    head = make_subrequest(environ, 'HEAD', path, source='GET_INFO')
    head.environ.update({'swift.authorize': lambda req: None,
                         'swift.authorize_override': True,
                         'swift_owner': True})
    resp = head.get_response(app)
    headers = dict(resp.headers)
    return container_info_from_headers(resp.status_int, headers) \
        if container else account_info_from_headers(resp.status_int, headers)

"""gatekeeper: clients may neither set nor see backend and system headers.

Inbound: X-Backend-*, sysmeta, transient sysmeta and the update-target
headers are dropped, and a client's X-Timestamp is moved aside to
X-Backend-Inbound-X-Timestamp. Outbound: the same headers are removed.
"""
from __future__ import annotations

from typing import Dict, List, Tuple

STRIPPED_PREFIXES = ('x-backend-', 'x-account-sysmeta-',
                     'x-container-sysmeta-', 'x-object-sysmeta-',
                     'x-object-transient-sysmeta-')
STRIPPED_HEADERS = tuple(
    'x-%s-%s' % (kind, part)
    for kind in ('account', 'container', 'delete-at')
    for part in ('host', 'device', 'partition')) + (
    'x-container-root-db-state', 'x-delete-at-container')


def is_stripped(name: str) -> bool:
    lowered = name.lower()
    return lowered.startswith(STRIPPED_PREFIXES) or \
        lowered in STRIPPED_HEADERS


def _environ_name(key: str) -> str:
    return key[5:].replace('_', '-').lower()


class GatekeeperMiddleware:
    def __init__(self, app, conf: Dict[str, str]) -> None:
        self.app = app

    def __call__(self, environ, start_response):
        for key in [k for k in environ if k.startswith('HTTP_')]:
            if is_stripped(_environ_name(key)):
                del environ[key]
        if 'HTTP_X_TIMESTAMP' in environ:
            environ['HTTP_X_BACKEND_INBOUND_X_TIMESTAMP'] = \
                environ.pop('HTTP_X_TIMESTAMP')

        def filtered(status: str, headers: List[Tuple[str, str]],
                     exc_info=None):
            return start_response(status, [(k, v) for k, v in headers
                                            if not is_stripped(k)],
                                  exc_info)

        return self.app(environ, filtered)


def filter_factory(global_conf: Dict[str, str], **local_conf: str):
    conf = dict(global_conf, **local_conf)
    return lambda app: GatekeeperMiddleware(app, conf)

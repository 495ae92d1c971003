"""read_only: the whole cluster (``read_only = true``) or one account (a
reseller admin's ``X-Account-Read-Only: true``, kept as system metadata)
refuses writes with 405; ``allow_deletes`` keeps DELETE working."""
from __future__ import annotations

from typing import Dict

from webob import Request

from swiftlike.common.backend_request import make_response, text_error
from swiftlike.common.config import config_true_value
from swiftlike.common.info import get_info
from swiftlike.common.registry import register_swift_info
from swiftlike.common.utils import split_path

WRITE_METHODS = ('PUT', 'POST', 'DELETE', 'COPY')
MESSAGE = 'Writes are disabled for this account.'
HEADER = 'X-Account-Read-Only'
SYSMETA = 'X-Account-Sysmeta-Read-Only'


class ReadOnly:
    def __init__(self, app, conf: Dict[str, str]) -> None:
        self.app = app
        self.read_only = config_true_value(conf.get('read_only', 'false'))
        self.allow_deletes = config_true_value(conf.get('allow_deletes',
                                                        'false'))
        register_swift_info('read_only')

    def __call__(self, environ, start_response):
        req = Request(environ)
        try:
            version, account = split_path(req.path_info, 2, 4, True)[:2]
        except ValueError:
            return self.app(environ, start_response)
        if HEADER in req.headers:
            if not req.environ.get('reseller_request'):
                return make_response(403)(environ, start_response)
            req.headers[SYSMETA] = req.headers.pop(HEADER)
            return self.app(environ, start_response)
        if req.method not in WRITE_METHODS or \
                (req.method == 'DELETE' and self.allow_deletes):
            return self.app(environ, start_response)
        if self.read_only or config_true_value(get_info(
                environ, self.app, version, account)['sysmeta'].get(
                'read-only', '')):
            return text_error(405, MESSAGE).response()(environ,
                                                       start_response)
        return self.app(environ, start_response)


def filter_factory(global_conf: Dict[str, str], **local_conf: str):
    conf = dict(global_conf, **local_conf)
    return lambda app: ReadOnly(app, conf)

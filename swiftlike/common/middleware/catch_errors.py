"""catch_errors: a transaction id on every request and response, and no
traceback ever reaching a client (an unhandled error is a plain 500)."""
from __future__ import annotations

import logging
import time
import uuid
from typing import Dict
from urllib.parse import quote

from swiftlike.common.logs import get_logger

TRANS_ID_KEY = 'swift.trans_id'
ERROR_BODY = b'Internal server error.\n'
EXTRA_LIMIT = 32


def make_trans_id(suffix: str = '') -> str:
    """``tx`` + 21 hex chars + ``-`` + ``%010x`` of the time + suffix."""
    return 'tx%s-%010x%s' % (uuid.uuid4().hex[:21], int(time.time()),
                             quote(suffix))


class CatchErrorsMiddleware:
    def __init__(self, app, conf: Dict[str, str],
                 logger: logging.Logger = None) -> None:
        self.app = app
        self.logger = logger or get_logger(conf, 'proxy-server')
        self.suffix = conf.get('trans_id_suffix', '')

    def __call__(self, environ, start_response):
        suffix = self.suffix
        extra = environ.get('HTTP_X_TRANS_ID_EXTRA')
        if extra:
            suffix += '-' + extra[:EXTRA_LIMIT]
        trans_id = make_trans_id(suffix)
        environ[TRANS_ID_KEY] = trans_id
        started = []

        def add_trans_id(status, headers, exc_info=None):
            headers = [(k, v) for k, v in headers
                       if k.lower() not in ('x-trans-id',
                                            'x-openstack-request-id')]
            headers += [('X-Trans-Id', trans_id),
                        ('X-Openstack-Request-Id', trans_id)]
            started.append(status)
            return start_response(status, headers, exc_info)

        try:
            body = self.app(environ, add_trans_id)
        except Exception:
            return self._failed(start_response, trans_id, started)
        return self._guarded(body, start_response, trans_id, started)

    def _guarded(self, body, start_response, trans_id, started):
        """Iterate the body; an error before any header was sent still
        becomes a plain 500 (apps that are generators fail only here)."""
        try:
            yield from body
        except Exception:
            yield from self._failed(start_response, trans_id, started)
        finally:
            if hasattr(body, 'close'):
                body.close()

    def _failed(self, start_response, trans_id, started):
        self.logger.exception('Error: An error occurred (txn: %s)',
                              trans_id)
        if started:
            raise
        start_response('500 Internal Server Error', [
            ('Content-Type', 'text/plain'),
            ('Content-Length', str(len(ERROR_BODY))),
            ('X-Trans-Id', trans_id),
            ('X-Openstack-Request-Id', trans_id)])
        return [ERROR_BODY]


def filter_factory(global_conf: Dict[str, str], **local_conf: str):
    conf = dict(global_conf, **local_conf)
    return lambda app: CatchErrorsMiddleware(app, conf)

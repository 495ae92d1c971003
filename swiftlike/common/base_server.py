"""What every storage server's WSGI app shares: dispatch by verb, the
transaction id in the logs, Swift's error answers, and the access line."""
from __future__ import annotations

import logging
import os
import time
import traceback
from typing import Dict, Optional
from urllib.parse import quote

from webob import Request, Response

from swiftlike.common.backend_request import HTTPError, make_response
from swiftlike.common.config import ConfSection
from swiftlike.common.logs import get_logger, txn_id


def as_conf_section(conf: Dict[str, str], section: str) -> ConfSection:
    if isinstance(conf, ConfSection):
        return conf
    return ConfSection(conf, path=conf.get('__file__', '<config>'),
                       section=section)


class StorageServer:
    """Base WSGI app: subclasses define ``server_type`` and one method per
    verb (``PUT``, ``GET``...) listed in ``methods``."""

    server_type = 'storage-server'
    methods = ('GET', 'HEAD', 'PUT', 'POST', 'DELETE', 'REPLICATE')
    replication_methods = ('REPLICATE',)

    def __init__(self, conf: Dict[str, str],
                 logger: Optional[logging.Logger] = None) -> None:
        self.conf = as_conf_section(conf, 'app:' + self.server_type)
        self.logger = logger or get_logger(self.conf, self.server_type)
        self.replication_server = self.conf.get_bool('replication_server',
                                                     True)

    def __call__(self, environ, start_response):
        req = Request(environ)
        started = time.time()
        token = txn_id.set(req.headers.get('X-Trans-Id'))
        try:
            resp = self._dispatch(req)
            self._log_access(req, resp, started)
        finally:
            txn_id.reset(token)
        return resp(environ, start_response)

    def _dispatch(self, req: Request) -> Response:
        method = req.method
        if method not in self.methods or (
                method in self.replication_methods and
                not self.replication_server):
            return make_response(405, headers={
                'Allow': ', '.join(sorted(self.methods))})
        try:
            return getattr(self, method)(req)
        except HTTPError as err:
            return err.response()
        except Exception as err:
            translated = self.translate_error(req, err)
            if translated is not None:
                return translated
            self.logger.exception('ERROR __call__ error with %s %s',
                                  req.method, req.path_qs)
            return make_response(500, traceback.format_exc().encode(),
                                 content_type='text/plain')

    def translate_error(self, req: Request, err: Exception
                        ) -> Optional[Response]:
        """Answer for a server-specific exception, or None for a 500."""
        return None

    def _log_access(self, req: Request, resp: Response,
                    started: float) -> None:
        self.logger.info(
            '%s - - [%s] "%s %s" %s %s "%s" "%s" "%s" %.4f "-" %d %s',
            req.remote_addr or '-',
            time.strftime('%d/%b/%Y:%H:%M:%S +0000', time.gmtime()),
            req.method, quote(req.environ.get('PATH_INFO', '').encode(
                'latin-1'), safe='/'), resp.status_code,
            resp.content_length if resp.content_length is not None else '-',
            req.referer or '-', req.headers.get('X-Trans-Id', '-'),
            req.user_agent or '-', time.time() - started, os.getpid(),
            req.headers.get('X-Backend-Storage-Policy-Index', '0'))

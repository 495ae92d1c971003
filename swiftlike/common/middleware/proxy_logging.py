"""proxy_logging: one access-log line per client request, in Swift's field
order, written when the response body has been sent (so byte counts and
times are final)."""
from __future__ import annotations

import time
from typing import Dict
from urllib.parse import quote

from swiftlike.common.logs import get_logger

AUTH_TOKEN_SHOWN = 16


def _field(value) -> str:
    """Swift quotes each field so spaces cannot break the log format."""
    if value is None or value == '':
        return '-'
    return quote(str(value), safe='/:.,@!$&\'()*+;=-_~%')


class ProxyLoggingMiddleware:
    def __init__(self, app, conf: Dict[str, str]) -> None:
        self.app = app
        self.logger = get_logger(dict(
            conf, log_name=conf.get('access_log_name', 'proxy-access')),
            'proxy-access')

    def __call__(self, environ, start_response):
        if environ.get('swift.proxy_access_log_made'):
            return self.app(environ, start_response)
        environ['swift.proxy_access_log_made'] = True
        started = time.time()
        # the client's request line: later filters may rewrite the environ
        state = {'status': '-', 'sent': 0,
                 'method': environ.get('REQUEST_METHOD'),
                 'path': environ.get('PATH_INFO', ''),
                 'query': environ.get('QUERY_STRING')}

        def recording_start(status, headers, exc_info=None):
            state['status'] = status.split(' ', 1)[0]
            return start_response(status, headers, exc_info)

        body = self.app(environ, recording_start)
        try:
            for chunk in body:
                state['sent'] += len(chunk)
                yield chunk
        finally:
            if hasattr(body, 'close'):
                body.close()
            self._log(environ, state, started)

    def _log(self, environ, state, started: float) -> None:
        ended = time.time()
        token = environ.get('HTTP_X_AUTH_TOKEN', '')
        path = quote(state['path'].encode('latin-1'), safe='/')
        if state['query']:
            path += '?' + state['query']
        fields = [
            environ.get('HTTP_X_FORWARDED_FOR', '').split(',')[0] or
            environ.get('REMOTE_ADDR'),
            environ.get('REMOTE_ADDR'),
            time.strftime('%d/%b/%Y/%H/%M/%S', time.gmtime(ended)),
            state['method'], path,
            environ.get('SERVER_PROTOCOL'), state['status'],
            environ.get('HTTP_REFERER'), environ.get('HTTP_USER_AGENT'),
            token[:AUTH_TOKEN_SHOWN] + '...' if token else None,
            environ.get('CONTENT_LENGTH'), state['sent'],
            environ.get('HTTP_ETAG'), environ.get('swift.trans_id'), None,
            '%.4f' % (ended - started), None, None,
            '%.9f' % started, '%.9f' % ended,
            environ.get('HTTP_X_BACKEND_STORAGE_POLICY_INDEX')]
        self.logger.info(' '.join(_field(f) for f in fields))


def filter_factory(global_conf: Dict[str, str], **local_conf: str):
    conf = dict(global_conf, **local_conf)
    return lambda app: ProxyLoggingMiddleware(app, conf)

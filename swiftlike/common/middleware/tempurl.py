"""tempurl: temporary URLs signed with a key the account or container owner
set (``X-Account-Meta-Temp-URL-Key[-2]``, ``X-Container-Meta-Temp-URL-Key
[-2]``), so anyone holding the URL may GET (or PUT...) one object, or any
object under a prefix, until it expires.
"""
from __future__ import annotations

import hmac
import time
from typing import Dict, List
from urllib.parse import parse_qs, quote

from webob import Request

from swiftlike.common.backend_request import make_response
from swiftlike.common.info import get_info
from swiftlike.common.registry import register_swift_info
from swiftlike.common.tempurl_signing import (
    SignatureError,
    content_disposition,
    ip_allowed,
    parse_expires,
    signature,
    split_signature,
)
from swiftlike.common.utils import split_path

DEFAULT_METHODS = 'GET HEAD PUT POST DELETE'
DEFAULT_DIGESTS = 'sha1 sha256 sha512'
INVALID_BODY = b'401 Unauthorized: Temp URL invalid\n'
#: request headers a temp URL may not carry (they would reach other objects)
FORBIDDEN_HEADERS = ('X-Object-Manifest', 'X-Symlink-Target', 'X-Copy-From')
KEY_NAMES = ('temp-url-key', 'temp-url-key-2')


def temp_url_keys(environ: Dict, app, version: str, account: str,
                  container: str) -> List[str]:
    """The account's and the container's keys (tempurl and formpost)."""
    keys = []
    for info in (get_info(environ, app, version, account),
                 get_info(environ, app, version, account, container)):
        if info['status'] // 100 == 2:
            keys += [info['meta'][k] for k in KEY_NAMES
                     if info['meta'].get(k)]
    return keys


# -- the middleware ----------------------------------------------------------
class TempURL:
    def __init__(self, app, conf: Dict[str, str]) -> None:
        self.app = app
        self.methods = conf.get('methods', DEFAULT_METHODS).split()
        self.digests = [d for d in conf.get('allowed_digests',
                                            DEFAULT_DIGESTS).split()
                        if d in ('sha1', 'sha256', 'sha512')]
        register_swift_info('tempurl', methods=self.methods,
                            allowed_digests=self.digests,
                            incoming_remove_headers=['x-timestamp'],
                            outgoing_remove_headers=['x-object-meta-*'],
                            outgoing_allow_headers=['x-object-meta-public-*'])

    def __call__(self, environ, start_response):
        params = parse_qs(environ.get('QUERY_STRING', ''),
                          keep_blank_values=True)
        if 'temp_url_sig' not in params and \
                'temp_url_expires' not in params:
            return self.app(environ, start_response)
        req = Request(environ)
        try:
            self._authorize(req, params)
        except SignatureError:
            body = b'' if req.method == 'HEAD' else INVALID_BODY
            resp = make_response(401, body, {
                'Www-Authenticate': 'Temp URL realm="%s"' % quote(
                    req.path_info.split('/')[2] if req.path_info.count('/')
                    > 1 else '')}, content_type='text/plain')
            return resp(environ, start_response)
        if req.method != 'GET' and any(h in req.headers
                                       for h in FORBIDDEN_HEADERS):
            return make_response(400)(environ, start_response)
        for header in ('HTTP_X_AUTH_TOKEN', 'HTTP_X_STORAGE_TOKEN',
                       'HTTP_X_TIMESTAMP'):
            environ.pop(header, None)
        environ['swift.authorize'] = lambda req: None
        environ['swift.authorize_override'] = True
        name = params.get('filename', [None])[0]
        inline = 'inline' in params
        obj = req.path_info.split('/', 4)[-1]

        def tempurl_start_response(status, headers, exc_info=None):
            headers = [(k, v) for k, v in headers
                       if not k.lower().startswith('x-object-meta-') or
                       k.lower().startswith('x-object-meta-public-')]
            if req.method in ('GET', 'HEAD') and status.startswith('2'):
                headers = [(k, v) for k, v in headers
                           if k.lower() != 'content-disposition']
                headers.append(('Content-Disposition', content_disposition(
                    name if name is not None else obj.rsplit('/', 1)[-1],
                    inline)))
            return start_response(status, headers, exc_info)

        return self.app(environ, tempurl_start_response)

    def _authorize(self, req: Request, params: Dict[str, List[str]]
                   ) -> None:
        sig = params.get('temp_url_sig', [''])[0]
        expires = parse_expires(params.get('temp_url_expires', [''])[0])
        if expires < time.time():
            raise SignatureError('expired')
        if req.method not in self.methods and req.method != 'HEAD':
            raise SignatureError('method not allowed')
        try:
            version, account, container, obj = split_path(
                req.path_info, 4, 4, True)
        except ValueError:
            raise SignatureError('not an object path') from None
        prefix = params.get('temp_url_prefix', [None])[0]
        if prefix is not None:
            if not obj.startswith(prefix):
                raise SignatureError('object outside the prefix')
            path = 'prefix:/%s/%s/%s/%s' % (version, account, container,
                                            prefix)
        else:
            path = '/%s/%s/%s/%s' % (version, account, container, obj)
        ip_range = params.get('temp_url_ip_range', [None])[0]
        if ip_range and not ip_allowed(ip_range,
                                       req.remote_addr or ''):
            raise SignatureError('address not allowed')
        digest, raw = split_signature(sig, self.digests)
        keys = temp_url_keys(req.environ, self.app, version, account,
                             container)
        methods = [req.method] if req.method != 'HEAD' else \
            ['HEAD', 'GET', 'PUT', 'POST']
        for key in keys:
            for method in methods:
                if hmac.compare_digest(raw, signature(
                        key, method, expires, path, digest, ip_range)):
                    return
        raise SignatureError('signature mismatch')



def filter_factory(global_conf: Dict[str, str], **local_conf: str):
    conf = dict(global_conf, **local_conf)
    return lambda app: TempURL(app, conf)

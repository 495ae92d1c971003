"""tempurl: temporary URLs signed with a key the account or container owner
set (``X-Account-Meta-Temp-URL-Key[-2]``, ``X-Container-Meta-Temp-URL-Key
[-2]``), so anyone holding the URL may GET (or PUT...) one object, or any
object under a prefix, until it expires.
"""
from __future__ import annotations

import base64
import binascii
import calendar
import hashlib
import hmac
import ipaddress
import time
from typing import Dict, List, Optional, Tuple
from urllib.parse import parse_qs, quote

from webob import Request

from swiftlike.common.backend_request import make_response
from swiftlike.common.info import get_info
from swiftlike.common.registry import register_swift_info
from swiftlike.common.utils import split_path

DEFAULT_METHODS = 'GET HEAD PUT POST DELETE'
DEFAULT_DIGESTS = 'sha1 sha256 sha512'
HEX_LENGTHS = {40: 'sha1', 64: 'sha256', 128: 'sha512'}
INVALID_BODY = b'401 Unauthorized: Temp URL invalid\n'
#: request headers a temp URL may not carry (they would reach other objects)
FORBIDDEN_HEADERS = ('X-Object-Manifest', 'X-Symlink-Target', 'X-Copy-From')
KEY_NAMES = ('temp-url-key', 'temp-url-key-2')


class SignatureError(ValueError):
    """The temp URL is malformed, expired or not signed right."""


# -- pure parts --------------------------------------------------------------
def parse_expires(value: str) -> int:
    """Unix seconds, or ``YYYY-MM-DDTHH:MM:SSZ``."""
    try:
        return int(value)
    except ValueError:
        try:
            return calendar.timegm(time.strptime(value,
                                                 '%Y-%m-%dT%H:%M:%SZ'))
        except ValueError:
            raise SignatureError('bad temp_url_expires') from None


def split_signature(sig: str, allowed: List[str]) -> Tuple[str, bytes]:
    """(digest name, raw signature) from hex or ``<digest>:<base64>``."""
    if ':' in sig:
        digest, _, encoded = sig.partition(':')
        encoded = encoded.replace('-', '+').replace('_', '/')
        try:
            raw = base64.b64decode(encoded + '=' * (-len(encoded) % 4),
                                   validate=True)
        except (binascii.Error, ValueError):
            raise SignatureError('bad base64 signature') from None
    else:
        digest = HEX_LENGTHS.get(len(sig), '')
        try:
            raw = bytes.fromhex(sig)
        except ValueError:
            raise SignatureError('bad hex signature') from None
    if digest not in allowed:
        raise SignatureError('digest %r not allowed' % digest)
    return digest, raw


def signature(key: str, method: str, expires: int, path: str,
              digest: str = 'sha256', ip_range: Optional[str] = None
              ) -> bytes:
    body = '%s\n%d\n%s' % (method, expires, path)
    if ip_range:
        body = 'ip=%s\n%s' % (ip_range, body)
    return hmac.new(key.encode('utf-8'), body.encode('utf-8'),
                    getattr(hashlib, digest)).digest()


def ip_allowed(ip_range: str, remote: str) -> bool:
    try:
        return ipaddress.ip_address(remote) in ipaddress.ip_network(
            ip_range, strict=False)
    except ValueError:
        return False


def content_disposition(name: str, inline: bool) -> str:
    if inline:
        return 'inline' if not name else \
            'inline; filename="%s"; filename*=UTF-8\'\'%s' % (
                name.replace('"', '\\"'), quote(name))
    return 'attachment; filename="%s"; filename*=UTF-8\'\'%s' % (
        name.replace('"', '\\"'), quote(name))


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

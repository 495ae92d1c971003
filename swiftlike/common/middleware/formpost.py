"""formpost: uploads straight from a browser's HTML form.

A ``multipart/form-data`` POST to ``/v1/<account>/<container>[/<prefix>]``
carries ``redirect``, ``max_file_size``, ``max_file_count``, ``expires``
and a ``signature`` (HMAC, with a temp URL key, of ``"<path>\\n<redirect>\\n
<max_file_size>\\n<max_file_count>\\n<expires>"``) and then files; each file
becomes ``<prefix><filename>``. The answer redirects to ``redirect`` with
``status`` and ``message``, or is a small page.
"""
from __future__ import annotations

import email.parser
import email.policy
import hmac
import time
from typing import Dict, List, Optional, Tuple
from urllib.parse import quote

from webob import Request, Response

from swiftlike.common.backend_request import make_response
from swiftlike.common.middleware.tempurl import (
    DEFAULT_DIGESTS,
    temp_url_keys,
)
from swiftlike.common.registry import register_swift_info
from swiftlike.common.subrequest import make_subrequest
from swiftlike.common.tempurl_signing import SignatureError, split_signature
from swiftlike.common.utils import split_path

MAX_FORM_BYTES = 5 * 1024 * 1024 * 1024


class FormError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def form_signature(key: str, path: str, redirect: str, max_file_size: str,
                   max_file_count: str, expires: str,
                   digest: str = 'sha256') -> bytes:
    body = '%s\n%s\n%s\n%s\n%s' % (path, redirect, max_file_size,
                                   max_file_count, expires)
    return hmac.new(key.encode(), body.encode(), digest).digest()


def parse_form(content_type: str, body: bytes
               ) -> Tuple[Dict[str, str], List[Tuple[str, str, bytes]]]:
    """(attributes, [(filename, content type, data)]) of a form (pure)."""
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        b'Content-Type: ' + content_type.encode('latin-1') + b'\r\n\r\n' +
        body)
    if not message.is_multipart():
        raise FormError(400, 'FormPost: invalid starting boundary')
    fields: Dict[str, str] = {}
    files = []
    for part in message.iter_parts():
        name = part.get_param('name', header='content-disposition')
        filename = part.get_param('filename', header='content-disposition')
        data = part.get_payload(decode=True) or b''
        if filename is not None:
            files.append((filename, part.get_content_type(), data))
        elif name:
            fields[name] = data.decode('utf-8', 'replace').strip()
    return fields, files


class FormPost:
    def __init__(self, app, conf: Dict[str, str]) -> None:
        self.app = app
        self.digests = conf.get('allowed_digests', DEFAULT_DIGESTS).split()
        register_swift_info('formpost', allowed_digests=self.digests)

    def __call__(self, environ, start_response):
        if environ.get('REQUEST_METHOD') != 'POST' or \
                not environ.get('CONTENT_TYPE', '').startswith(
                    'multipart/form-data'):
            return self.app(environ, start_response)
        req = Request(environ)
        try:
            version, account, container, prefix = split_path(
                req.path_info, 3, 4, True)
        except ValueError:
            return self.app(environ, start_response)
        try:
            resp = self.upload(req, version, account, container,
                               prefix or '')
        except FormError as err:
            resp = self._answer(None, err.status, err.message)
        return resp(environ, start_response)

    def upload(self, req: Request, version: str, account: str,
               container: str, prefix: str) -> Response:
        body = req.body_file.read(MAX_FORM_BYTES)
        fields, files = parse_form(req.headers['Content-Type'], body)
        redirect = fields.get('redirect', '')
        self._check_signature(req, fields, version, account, container)
        max_size = int(fields.get('max_file_size') or 0)
        max_count = int(fields.get('max_file_count') or 0)
        if len([f for f in files if f[0]]) > max_count:
            raise FormError(400, 'FormPost: max_file_count exceeded')
        for filename, content_type, data in files:
            if not filename:
                continue
            if len(data) > max_size:
                return self._answer(redirect, 400,
                                    'FormPost: max_file_size exceeded')
            put = make_subrequest(req.environ, 'PUT', '/%s/%s/%s/%s' % (
                version, account, container, prefix + filename),
                source='FP')
            put.environ.update({'swift.authorize': lambda r: None,
                                'swift.authorize_override': True})
            put.body = data
            put.headers['Content-Type'] = content_type
            for field, header in (('x_delete_at', 'X-Delete-At'),
                                  ('x_delete_after', 'X-Delete-After')):
                if fields.get(field):
                    put.headers[header] = fields[field]
            resp = put.get_response(self.app)
            if resp.status_int // 100 != 2:
                return self._answer(redirect, resp.status_int,
                                    'upload error: %s' % resp.status)
        return self._answer(redirect, 201, '')

    def _check_signature(self, req: Request, fields: Dict[str, str],
                         version: str, account: str,
                         container: str) -> None:
        try:
            expires = int(fields.get('expires', ''))
        except ValueError:
            raise FormError(401, 'FormPost: expired not an integer') \
                from None
        if expires < time.time():
            raise FormError(401, 'FormPost: Form Expired')
        try:
            digest, raw = split_signature(fields.get('signature', ''),
                                          self.digests)
        except SignatureError:
            raise FormError(401, 'FormPost: Invalid Signature') from None
        path = req.path_info
        for key in temp_url_keys(req.environ, self.app, version, account,
                                 container):
            if hmac.compare_digest(raw, form_signature(
                    key, path, fields.get('redirect', ''),
                    fields.get('max_file_size', ''),
                    fields.get('max_file_count', ''),
                    fields.get('expires', ''), digest)):
                return
        raise FormError(401, 'FormPost: Invalid Signature')

    @staticmethod
    def _answer(redirect: Optional[str], status: int,
                message: str) -> Response:
        if redirect:
            location = '%s%sstatus=%d&message=%s' % (
                redirect, '&' if '?' in redirect else '?', status,
                quote(message))
            return make_response(303, b'<html><body><p><a href="%s">Click '
                                 b'to continue...</a></p></body></html>'
                                 % location.encode(), {'Location': location},
                                 content_type='text/html')
        return make_response(status, ('<h1>%d</h1><p>%s</p>' % (
            status, message or 'Created')).encode() if status != 201 else
            message.encode() or None, content_type='text/html')


def filter_factory(global_conf: Dict[str, str], **local_conf: str):
    conf = dict(global_conf, **local_conf)
    return lambda app: FormPost(app, conf)

"""copy: server-side copies with ``COPY`` + ``Destination`` or ``PUT`` +
``X-Copy-From``.

The source is read with a GET subrequest and streamed into the PUT of the
destination, both through the rest of the pipeline (so auth and ACLs apply
to each). Unless ``X-Fresh-Metadata: true``, the copy keeps the source's
metadata, overridden by any given in the request.
"""
from __future__ import annotations

from typing import Dict, Iterator, Optional, Tuple
from urllib.parse import quote, unquote

from webob import Request

from swiftlike.common.backend_request import text_error
from swiftlike.common.config import config_true_value
from swiftlike.common.headers import (
    is_object_transient_sysmeta,
    is_sys_meta,
    is_user_meta,
)
from swiftlike.common.subrequest import make_subrequest

COPIED_HEADERS = ('Content-Type', 'Content-Encoding', 'Content-Disposition',
                  'Content-Language', 'Cache-Control', 'Expires',
                  'X-Delete-At', 'X-Robots-Tag', 'X-Object-Manifest',
                  'X-Static-Large-Object')


class _BodyReader:
    """wsgi.input over the source's response body iterator."""

    def __init__(self, chunks: Iterator[bytes]) -> None:
        self.chunks = iter(chunks)
        self.buffer = b''

    def read(self, size: int = -1) -> bytes:
        while size < 0 or len(self.buffer) < size:
            try:
                self.buffer += next(self.chunks)
            except StopIteration:
                break
        if size < 0:
            data, self.buffer = self.buffer, b''
        else:
            data, self.buffer = self.buffer[:size], self.buffer[size:]
        return data


def split_object_path(value: str) -> Optional[Tuple[str, str]]:
    """``[/]<container>/<object>`` (URL-quoted) -> (container, object)."""
    value = unquote(value).lstrip('/')
    container, _, obj = value.partition('/')
    if not container or not obj:
        return None
    return container, obj


class CopyMiddleware:
    def __init__(self, app, conf: Dict[str, str]) -> None:
        self.app = app

    def __call__(self, environ, start_response):
        req = Request(environ)
        parts = environ.get('PATH_INFO', '').split('/', 4)
        is_object = len(parts) == 5 and all(parts[1:])
        if req.method == 'COPY' and is_object:
            return self._copy_verb(req)(environ, start_response)
        if req.method == 'PUT' and 'X-Copy-From' in req.headers:
            return self._put_copy(req)(environ, start_response)
        return self.app(environ, start_response)

    def _copy_verb(self, req: Request):
        destination = req.headers.get('Destination')
        if not destination:
            return text_error(412, 'Destination header required'
                              ).response()
        target = split_object_path(destination)
        if target is None:
            return text_error(412, 'Destination header must be of the '
                              'form <container name>/<object name>'
                              ).response()
        if req.content_length:
            return text_error(400, 'COPY requests must have no body'
                              ).response()
        version, account, container, obj = req.path_info.split('/', 4)[1:]
        dest_account = req.headers.get('Destination-Account', account)
        put = req.copy()
        put.method = 'PUT'
        # PATH_INFO is a WSGI string: UTF-8 bytes seen as latin-1
        put.environ['PATH_INFO'] = ('/%s/%s/%s/%s' % (
            version, dest_account, target[0], target[1])).encode(
            'utf-8').decode('latin-1')
        put.headers['X-Copy-From'] = quote('/%s/%s' % (container, obj))
        put.headers['X-Copy-From-Account'] = account
        put.headers.pop('Destination', None)
        put.headers.pop('Destination-Account', None)
        put.content_length = 0
        return self._put_copy(put)

    def _put_copy(self, req: Request):
        source = split_object_path(req.headers['X-Copy-From'])
        if source is None:
            return text_error(412, 'X-Copy-From header must be of the form '
                              '<container name>/<object name>').response()
        version, account = req.path_info.split('/', 3)[1:3]
        src_account = req.headers.get('X-Copy-From-Account', account)
        get = make_subrequest(
            req.environ, 'GET',
            '/%s/%s/%s/%s' % (version, src_account, *source), source='SSC')
        source_resp = get.get_response(self.app)
        if source_resp.status_int // 100 != 2:
            return source_resp
        put = req.copy()
        put.environ['wsgi.input'] = _BodyReader(source_resp.app_iter)
        put.environ['webob.is_body_seekable'] = False
        put.content_length = source_resp.content_length
        put.headers.pop('Transfer-Encoding', None)
        for key in ('X-Copy-From', 'X-Copy-From-Account'):
            put.headers.pop(key, None)
        self._merge_metadata(req, put, source_resp)
        resp = put.get_response(self.app)
        if resp.status_int // 100 == 2:
            resp.headers['X-Copied-From'] = quote('%s/%s' % source)
            resp.headers['X-Copied-From-Account'] = quote(src_account)
            if 'Last-Modified' in source_resp.headers:
                resp.headers['X-Copied-From-Last-Modified'] = \
                    source_resp.headers['Last-Modified']
        return resp

    @staticmethod
    def _merge_metadata(req: Request, put: Request, source) -> None:
        fresh = config_true_value(req.headers.get('X-Fresh-Metadata', ''))
        for key, value in source.headers.items():
            if fresh:
                keep = key.title() == 'Content-Type'
            else:
                keep = is_user_meta('object', key) or \
                    is_sys_meta('object', key) or \
                    is_object_transient_sysmeta(key) or \
                    key.title() in COPIED_HEADERS
            if keep and key not in req.headers:
                put.headers[key] = value


def filter_factory(global_conf: Dict[str, str], **local_conf: str):
    conf = dict(global_conf, **local_conf)
    return lambda app: CopyMiddleware(app, conf)


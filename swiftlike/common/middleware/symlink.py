"""symlink: objects that point at other objects.

``PUT`` with ``X-Symlink-Target: <container>/<object>`` (and optionally
``X-Symlink-Target-Account``) and an empty body makes a link, kept as
object system metadata; with ``X-Symlink-Target-Etag`` it is a static link
that only resolves to that exact content. GET and HEAD follow links (at
most ``symloop_max`` in a row) and answer with the target's content plus
``Content-Location``; ``?symlink=get`` reads the link itself.
"""
from __future__ import annotations

from typing import Dict, Optional, Tuple
from urllib.parse import quote, unquote

from webob import Request, Response

from swiftlike.common.backend_request import text_error
from swiftlike.common.registry import register_swift_info
from swiftlike.common.subrequest import make_subrequest
from swiftlike.common.utils import split_path

TARGET = 'X-Symlink-Target'
TARGET_ACCOUNT = 'X-Symlink-Target-Account'
TARGET_ETAG = 'X-Symlink-Target-Etag'
SYSMETA = 'X-Object-Sysmeta-Symlink-'
DEFAULT_SYMLOOP_MAX = 2
SYMLINK_TYPE = 'application/symlink'
LISTING_ETAG_OVERRIDE = 'X-Object-Sysmeta-Container-Update-Override-Etag'
EMPTY_MD5 = 'd41d8cd98f00b204e9800998ecf8427e'


def parse_target(value: str) -> Optional[Tuple[str, str]]:
    """``<container>/<object>`` (URL-quoted) -> (container, object)."""
    container, _, obj = unquote(value).lstrip('/').partition('/')
    return (container, obj) if container and obj else None


class Symlink:
    def __init__(self, app, conf: Dict[str, str]) -> None:
        self.app = app
        self.symloop_max = int(conf.get('symloop_max', DEFAULT_SYMLOOP_MAX))
        register_swift_info('symlink', symloop_max=self.symloop_max,
                            static_links=True)

    def __call__(self, environ, start_response):
        req = Request(environ)
        try:
            version, account, container, obj = split_path(
                req.path_info, 4, 4, True)
        except ValueError:
            return self.app(environ, start_response)
        if req.method == 'PUT' and TARGET in req.headers:
            resp = self.create(req, version, account)
        elif req.method in ('GET', 'HEAD') and \
                req.GET.get('symlink') != 'get':
            resp = self.follow(req, version)
        elif req.method in ('GET', 'HEAD'):
            resp = self.read_link(req)
        else:
            return self.app(environ, start_response)
        return resp(environ, start_response)

    # -- making a link ---------------------------------------------------
    def create(self, req: Request, version: str, account: str) -> Response:
        target = parse_target(req.headers[TARGET])
        if target is None:
            return text_error(412, 'X-Symlink-Target header must be of the '
                              'form <container name>/<object name>'
                              ).response()
        if req.content_length:
            return text_error(400, 'Symlink requests require a zero byte '
                              'body').response()
        target_account = unquote(req.headers.get(TARGET_ACCOUNT, account))
        headers = {SYSMETA + 'Target': quote('%s/%s' % target),
                   SYSMETA + 'Target-Account': quote(target_account)}
        etag = req.headers.get(TARGET_ETAG)
        if etag is not None:
            head = make_subrequest(req.environ, 'HEAD', '/%s/%s/%s/%s' % (
                version, target_account, *target), source='SYM')
            found = head.get_response(self.app)
            if found.status_int // 100 != 2:
                return text_error(409, 'X-Symlink-Target does not exist'
                                  ).response()
            actual = (found.headers.get('Etag') or '').strip('"')
            if actual != etag.strip('"'):
                return text_error(409, 'Object Etag %r does not match '
                                  'X-Symlink-Target-Etag header %r'
                                  % (actual, etag.strip('"'))).response()
            headers[SYSMETA + 'Target-Etag'] = actual
            headers[SYSMETA + 'Target-Bytes'] = found.headers.get(
                'Content-Length', '0')
        for key in (TARGET, TARGET_ACCOUNT, TARGET_ETAG):
            req.headers.pop(key, None)
        req.headers.update(headers)
        # the container listing row tells clients where the link points
        params = ['symlink_target=%s' % quote('%s/%s' % target),
                  'symlink_target_account=%s' % quote(target_account)]
        if SYSMETA + 'Target-Etag' in headers:
            params += ['symlink_target_etag=%s' % headers[
                SYSMETA + 'Target-Etag'], 'symlink_target_bytes=%s' %
                headers[SYSMETA + 'Target-Bytes']]
        req.headers[LISTING_ETAG_OVERRIDE] = '; '.join([EMPTY_MD5] + params)
        if not req.headers.get('Content-Type'):
            req.headers['Content-Type'] = SYMLINK_TYPE
        resp = req.get_response(self.app)
        if resp.status_int // 100 == 2:
            resp.headers[TARGET] = quote('%s/%s' % target)
            if TARGET_ACCOUNT.lower() in (k.lower() for k in req.headers) \
                    or target_account != account:
                resp.headers[TARGET_ACCOUNT] = quote(target_account)
        return resp

    # -- reading ---------------------------------------------------------
    def read_link(self, req: Request) -> Response:
        resp = req.get_response(self.app)
        self._show_target(resp)
        return resp

    @staticmethod
    def _show_target(resp: Response) -> None:
        target = resp.headers.get(SYSMETA + 'Target')
        if target:
            resp.headers[TARGET] = target
            resp.headers[TARGET_ACCOUNT] = resp.headers.get(
                SYSMETA + 'Target-Account', '')

    def follow(self, req: Request, version: str) -> Response:
        resp = req.get_response(self.app)
        hops = 0
        location = None
        while resp.status_int // 100 == 2 and \
                resp.headers.get(SYSMETA + 'Target'):
            if hops >= self.symloop_max:
                return text_error(409, 'Too many levels of symbolic links, '
                                  'maximum allowed is %d'
                                  % self.symloop_max).response()
            hops += 1
            container, obj = parse_target(resp.headers[SYSMETA + 'Target'])
            account = unquote(resp.headers.get(SYSMETA + 'Target-Account'))
            want_etag = resp.headers.get(SYSMETA + 'Target-Etag')
            location = '/%s/%s/%s/%s' % (version, account, container, obj)
            sub = make_subrequest(req.environ, req.method, location,
                                  source='SYM')
            for key in ('Range', 'If-Match', 'If-None-Match',
                        'If-Modified-Since', 'If-Unmodified-Since'):
                if key in req.headers:
                    sub.headers[key] = req.headers[key]
            resp = sub.get_response(self.app)
            if want_etag and resp.status_int // 100 == 2 and \
                    (resp.headers.get('Etag') or '').strip('"') != \
                    want_etag:
                return text_error(409, 'Object Etag %r does not match '
                                  'X-Symlink-Target-Etag header %r' % (
                                      (resp.headers.get('Etag') or ''
                                       ).strip('"'), want_etag)).response()
        if location is not None and resp.status_int // 100 == 2:
            resp.headers['Content-Location'] = quote(location)
        return resp


def filter_factory(global_conf: Dict[str, str], **local_conf: str):
    conf = dict(global_conf, **local_conf)
    return lambda app: Symlink(app, conf)

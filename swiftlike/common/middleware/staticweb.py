"""staticweb: a container served as a web site.

For anonymous requests (or with ``X-Web-Mode: true``) to a container
whose metadata says so: ``X-Container-Meta-Web-Index`` is served for
directory paths (``/`` added by a 301 where needed),
``...-Web-Listings: true`` lists directories as HTML (styled by
``...-Web-Listings-CSS``, titled by ``...-Web-Listings-Label``), and
``...-Web-Error`` names the pages shown for errors (``404<suffix>``).
Reading still needs the container to be public (``.r:*``).
"""
from __future__ import annotations

import json
from html import escape
from typing import Dict, List, Optional
from urllib.parse import quote

from webob import Request, Response

from swiftlike.common.backend_request import make_response
from swiftlike.common.config import config_true_value
from swiftlike.common.info import get_info
from swiftlike.common.registry import register_swift_info
from swiftlike.common.subrequest import make_subrequest
from swiftlike.common.utils import split_path

#: objects of this type stand for directories (Web-Directory-Type)
DEFAULT_DIRECTORY_TYPE = 'application/directory'
DEFAULT_CSS = ('h1 {font-size: 1em; font-weight: bold;} '
               'td {padding: 0px 1em 0px 1em;} '
               'a {text-decoration: none;}')


def human_size(size: int) -> str:
    for unit in ('B', 'KiB', 'MiB', 'GiB', 'TiB'):
        if size < 1024 or unit == 'TiB':
            return '%d %s' % (size, unit) if unit == 'B' else \
                '%.1f %s' % (size, unit)
        size /= 1024.0
    return str(size)


def listing_page(title: str, rows: List[Dict], prefix: str,
                 css: Optional[str]) -> bytes:
    """The HTML listing of one directory (pure)."""
    style = '  <link rel="stylesheet" type="text/css" href="%s" />\n' % \
        escape(css, quote=True) if css else \
        '  <style type="text/css">%s</style>\n' % DEFAULT_CSS
    out = ['<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01 Transitional//EN"'
           ' "http://www.w3.org/TR/html4/loose.dtd">\n<html>\n <head>\n'
           '  <title>Listing of %s</title>\n%s </head>\n <body>\n'
           '  <h1 id="title">Listing of %s</h1>\n  <table id="listing">\n'
           '   <tr id="heading"><th class="colname">Name</th>'
           '<th class="colsize">Size</th><th class="coldate">Date</th>'
           '</tr>\n' % (escape(title), style, escape(title))]
    if prefix:
        out.append('   <tr id="parent" class="item"><td class="colname">'
                   '<a href="../">../</a></td><td class="colsize">&nbsp;'
                   '</td><td class="coldate">&nbsp;</td></tr>\n')
    for row in rows:
        if 'subdir' in row:
            name = row['subdir'][len(prefix):]
            out.append('   <tr class="item subdir"><td class="colname">'
                       '<a href="%s">%s</a></td><td class="colsize">&nbsp;'
                       '</td><td class="coldate">&nbsp;</td></tr>\n' % (
                           quote(name), escape(name)))
            continue
        name = row['name'][len(prefix):]
        kind = ' '.join('type-' + escape(p) for p in
                        row.get('content_type', '').split(';')[0].split('/')
                        if p)
        out.append('   <tr class="item %s"><td class="colname"><a href="%s">'
                   '%s</a></td><td class="colsize">%s</td><td class="coldate"'
                   '>%s</td></tr>\n' % (
                       kind, quote(name), escape(name),
                       human_size(row.get('bytes', 0)),
                       escape(row.get('last_modified', '')[:19].replace(
                           'T', ' '))))
    out.append('  </table>\n </body>\n</html>\n')
    return ''.join(out).encode('utf-8')


class StaticWeb:
    def __init__(self, app, conf: Dict[str, str]) -> None:
        self.app = app
        register_swift_info('staticweb')

    def __call__(self, environ, start_response):
        req = Request(environ)
        if req.method not in ('GET', 'HEAD'):
            return self.app(environ, start_response)
        web_mode = config_true_value(req.headers.get('X-Web-Mode', 'f'))
        if req.headers.get('X-Auth-Token') and not web_mode:
            return self.app(environ, start_response)
        try:
            version, account, container, obj = split_path(
                req.path_info, 3, 4, True)
        except ValueError:
            return self.app(environ, start_response)
        info = get_info(environ, self.app, version, account, container)
        meta = info['meta'] if info['status'] // 100 == 2 else {}
        if not any(k.startswith('web-') for k in meta):
            return self.app(environ, start_response)
        site = Site(self, req, '/%s/%s/%s' % (version, account, container),
                    meta)
        return site.serve(obj or '')(environ, start_response)


class Site:
    """One request to a web-enabled container."""

    def __init__(self, web: StaticWeb, req: Request, base: str,
                 meta: Dict[str, str]) -> None:
        self.app = web.app
        self.req = req
        self.base = base
        self.index = meta.get('web-index')
        self.listings = config_true_value(meta.get('web-listings', 'f'))
        self.css = meta.get('web-listings-css')
        self.label = meta.get('web-listings-label')
        self.error = meta.get('web-error')
        self.directory_type = meta.get('web-directory-type') or \
            DEFAULT_DIRECTORY_TYPE

    def _get(self, path: str, query: str = '') -> Response:
        sub = make_subrequest(self.req.environ, self.req.method
                              if not query else 'GET', self.base + path,
                              source='SW')
        sub.query_string = query
        return sub.get_response(self.app)

    def error_page(self, resp: Response) -> Response:
        if not self.error or resp.status_int not in (401, 404):
            return resp
        page = self._get('/%d%s' % (resp.status_int, self.error))
        if page.status_int // 100 != 2:
            return resp
        page.status = resp.status
        return page

    def serve(self, path: str) -> Response:
        if path and not path.endswith('/'):
            resp = self._get('/' + path)
            ctype = (resp.headers.get('Content-Type') or '').split(';')[0]
            if resp.status_int // 100 == 2 and ctype == self.directory_type:
                # a directory marker object (as made by some tools)
                return self._redirect(path + '/')
            if resp.status_int != 404:
                return self.error_page(resp)
            if self._is_directory(path + '/'):
                return self._redirect(path + '/')
            return self.error_page(resp)
        if not path and not self.req.path_info.endswith('/') and \
                (self.index or self.listings):
            return self._redirect('')
        if self.index:
            resp = self._get('/' + path + self.index)
            if resp.status_int // 100 == 2:
                return resp
        if self.listings:
            return self._listing(path)
        return self.error_page(make_response(404))

    def _is_directory(self, prefix: str) -> bool:
        resp = self._get('', 'format=json&limit=1&prefix=%s' % quote(
            prefix.encode('utf-8'), safe=''))
        return resp.status_int == 200 and bool(json.loads(resp.body))

    def _redirect(self, path: str) -> Response:
        location = quote((self.base + '/' + path).encode('utf-8'))
        return make_response(301, headers={'Location': location})

    def _listing(self, prefix: str) -> Response:
        resp = self._get('', 'format=json&delimiter=/&prefix=%s' % quote(
            prefix.encode('utf-8'), safe=''))
        if resp.status_int // 100 != 2:
            return self.error_page(resp)
        rows = json.loads(resp.body) if resp.body else []
        if prefix and not rows:
            return self.error_page(make_response(404))
        title = (self.label + '/' + prefix) if self.label else \
            self.base + '/' + prefix
        body = listing_page(title, rows, prefix, self.css)
        page = make_response(200, body,
                             content_type='text/html; charset=UTF-8')
        if self.req.method == 'HEAD':
            page.app_iter = [b'']
            page.headers['Content-Length'] = str(len(body))
        return page


def filter_factory(global_conf: Dict[str, str], **local_conf: str):
    conf = dict(global_conf, **local_conf)
    return lambda app: StaticWeb(app, conf)

"""versioned_writes: Swift's legacy object versioning.

A container with ``X-Versions-Location: <archive container>`` (stack mode)
keeps every overwritten version of its objects in the archive container,
named ``"%03x" % len(name) + name + "/" + <timestamp>``; a DELETE brings
back the newest archived version. With ``X-History-Location`` (history
mode) a DELETE archives the current version and leaves a delete marker
instead. The locations are kept as container system metadata.
"""
from __future__ import annotations

import json
from typing import Dict, Optional
from urllib.parse import quote, unquote

from webob import Request, Response

from swiftlike.common.backend_request import make_response, text_error
from swiftlike.common.info import get_info
from swiftlike.common.registry import register_swift_info
from swiftlike.common.subrequest import make_subrequest
from swiftlike.common.timestamps import Timestamp
from swiftlike.common.utils import split_path

LOCATION_SYSMETA = 'X-Container-Sysmeta-Versions-Location'
MODE_SYSMETA = 'X-Container-Sysmeta-Versions-Mode'
HEADERS = {'stack': 'X-Versions-Location', 'history': 'X-History-Location'}
DELETE_MARKER_TYPE = 'application/x-deleted;swift_versions_deleted=1'
COPIED_PREFIXES = ('x-object-meta-', 'x-object-sysmeta-', 'content-type',
                   'content-encoding', 'content-disposition',
                   'content-language', 'cache-control', 'expires',
                   'x-static-large-object', 'x-object-manifest',
                   'x-delete-at', 'x-robots-tag')


def archive_prefix(obj: str) -> str:
    """``%03x`` of the name's UTF-8 length, the name, ``/``."""
    return '%03x%s/' % (len(obj.encode('utf-8')), obj)


class VersionedWrites:
    def __init__(self, app, conf: Dict[str, str]) -> None:
        self.app = app
        register_swift_info('versioned_writes', allowed_flags=[
            'x-versions-location', 'x-history-location'])

    def __call__(self, environ, start_response):
        req = Request(environ)
        try:
            version, account, container, obj = split_path(
                req.path_info, 3, 4, True)
        except ValueError:
            return self.app(environ, start_response)
        if obj is None:
            return self.container_request(req)(environ, start_response)
        if req.method not in ('PUT', 'DELETE') or \
                req.GET.get('multipart-manifest') == 'delete':
            return self.app(environ, start_response)
        info = get_info(environ, self.app, version, account, container)
        location = info['sysmeta'].get('versions-location')
        if not location or info['status'] // 100 != 2:
            return self.app(environ, start_response)
        mode = info['sysmeta'].get('versions-mode') or 'stack'
        account_path = '/%s/%s' % (version, account)
        current = '%s/%s/%s' % (account_path, container, obj)
        archive = '%s/%s/%s' % (account_path, location, archive_prefix(obj))
        if req.method == 'PUT':
            problem = self.archive_current(req, current, archive)
            if problem is not None:
                return problem(environ, start_response)
            return self.app(environ, start_response)
        if mode == 'history':
            return self.history_delete(req, current, archive)(
                environ, start_response)
        return self.stack_delete(req, current, account_path, location,
                                 obj)(environ, start_response)

    # -- containers ------------------------------------------------------
    def container_request(self, req: Request) -> Response:
        if req.method in ('PUT', 'POST'):
            given = [mode for mode, header in HEADERS.items()
                     if header in req.headers]
            if len(given) > 1:
                return text_error(400, 'Only one of X-Versions-Location or '
                                  'X-History-Location may be specified'
                                  ).response()
            for mode in given:
                location = unquote(req.headers.pop(HEADERS[mode])).strip()
                if '/' in location.strip('/'):
                    return text_error(400, 'Versions location must be a '
                                      'container name').response()
                req.headers[LOCATION_SYSMETA] = location.strip('/')
                req.headers[MODE_SYSMETA] = mode if location else ''
            for header in HEADERS.values():
                if 'X-Remove-' + header[2:] in req.headers:
                    req.headers[LOCATION_SYSMETA] = ''
                    req.headers[MODE_SYSMETA] = ''
        resp = req.get_response(self.app)
        location = resp.headers.get(LOCATION_SYSMETA)
        if req.method in ('GET', 'HEAD') and location:
            mode = resp.headers.get(MODE_SYSMETA) or 'stack'
            resp.headers[HEADERS.get(mode, HEADERS['stack'])] = location
        return resp

    # -- objects ---------------------------------------------------------
    def _copy(self, req: Request, source: str, target: str,
              content_type: Optional[str] = None) -> Response:
        """GET ``source`` (as stored: manifests stay manifests) and PUT
        it at ``target``."""
        get = make_subrequest(req.environ, 'GET', source, source='VW')
        got = get.get_response(self.app)
        if got.status_int // 100 != 2:
            return got
        put = make_subrequest(req.environ, 'PUT', target, source='VW')
        for key, value in got.headers.items():
            if key.lower().startswith(COPIED_PREFIXES):
                put.headers[key] = value
        if content_type:
            put.headers['Content-Type'] = content_type
        put.environ['swift.content_type_overridden'] = True
        put.body = got.body
        return put.get_response(self.app)

    def archive_current(self, req: Request, current: str,
                        archive: str) -> Optional[Response]:
        """Keep the version about to be replaced; a failure stops the
        write (never lose a version)."""
        head = make_subrequest(req.environ, 'HEAD', current, source='VW')
        resp = head.get_response(self.app)
        if resp.status_int == 404:
            return None
        if resp.status_int // 100 != 2:
            return resp
        stamp = Timestamp(resp.headers.get('X-Timestamp') or 0).internal
        copied = self._copy(req, current, archive + stamp)
        if copied.status_int // 100 != 2:
            return make_response(503) if copied.status_int >= 500 \
                else copied
        return None

    def history_delete(self, req: Request, current: str,
                       archive: str) -> Response:
        problem = self.archive_current(req, current, archive)
        if problem is not None:
            return problem
        marker = make_subrequest(req.environ, 'PUT',
                                 archive + Timestamp.now().internal,
                                 source='VW')
        marker.headers['Content-Type'] = DELETE_MARKER_TYPE
        marker.environ['swift.content_type_overridden'] = True
        marker.body = b''
        marker.get_response(self.app)
        return req.get_response(self.app)

    def stack_delete(self, req: Request, current: str, account_path: str,
                     location: str, obj: str) -> Response:
        """Bring back the newest archived version, or delete for good."""
        listing = make_subrequest(req.environ, 'GET', '%s/%s' % (
            account_path, location), source='VW')
        listing.query_string = 'format=json&reverse=on&limit=1&prefix=%s' \
            % quote(archive_prefix(obj).encode('utf-8'), safe='')
        resp = listing.get_response(self.app)
        rows = json.loads(resp.body) if resp.status_int == 200 else []
        if not rows:
            return req.get_response(self.app)
        newest = '%s/%s/%s' % (account_path, location, rows[0]['name'])
        restored = self._copy(req, newest, current)
        if restored.status_int // 100 != 2:
            return restored
        delete = make_subrequest(req.environ, 'DELETE', newest, source='VW')
        delete.get_response(self.app)
        return make_response(204)


def filter_factory(global_conf: Dict[str, str], **local_conf: str):
    conf = dict(global_conf, **local_conf)
    return lambda app: VersionedWrites(app, conf)

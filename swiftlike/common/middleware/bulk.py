"""bulk: many objects in one request.

``POST`` or ``DELETE`` with ``?bulk-delete`` and a newline-separated list of
URL-quoted ``/container/object`` (or ``/container``) paths deletes them all;
``PUT ?extract-archive=tar|tar.gz|tar.bz2`` creates an object per file of
the uploaded archive (containers too, when uploaded to the account). Each
item is a subrequest made as the caller; the answer is a report (plain
text, JSON or XML as the Accept header asks).
"""
from __future__ import annotations

import tarfile
from typing import Dict, List, Tuple
from urllib.parse import unquote

from webob import Request, Response

from swiftlike.common import constraints
from swiftlike.common.backend_request import make_response
from swiftlike.common.bulk_report import report_body, report_format
from swiftlike.common.registry import register_swift_info
from swiftlike.common.subrequest import DeleteTally, make_subrequest
from swiftlike.common.utils import split_path

MAX_DELETES = 10000
MAX_CONTAINERS = 10000
MAX_FAILED_EXTRACTIONS = 1000
MAX_PATH_LENGTH = 2 * 1024 + 3  # a quoted /container/object line
ARCHIVE_MODES = {'tar': 'r|', 'tar.gz': 'r|gz', 'tar.bz2': 'r|bz2'}
CONTENT_TYPES = {'json': 'application/json', 'xml': 'application/xml',
                 'plain': 'text/plain'}


def archive_path(base: str, name: str) -> str:
    """Where an archive member goes: ``<base>/<name>`` without ``./``."""
    while name.startswith('./'):
        name = name[2:]
    name = name.lstrip('/')
    return '%s/%s' % (base, name) if base else name


class Bulk:
    def __init__(self, app, conf: Dict[str, str]) -> None:
        self.app = app
        self.max_deletes = int(conf.get('max_deletes_per_request',
                                        MAX_DELETES))
        self.max_containers = int(conf.get('max_containers_per_extraction',
                                           MAX_CONTAINERS))
        self.max_failed = int(conf.get('max_failed_extractions',
                                       MAX_FAILED_EXTRACTIONS))
        register_swift_info('bulk_delete',
                            max_deletes_per_request=self.max_deletes,
                            max_failed_deletes=self.max_deletes)
        register_swift_info('bulk_upload',
                            max_containers_per_extraction=self.max_containers,
                            max_failed_extractions=self.max_failed)

    def __call__(self, environ, start_response):
        req = Request(environ)
        params = req.GET
        if 'bulk-delete' in params and req.method in ('POST', 'DELETE'):
            resp = self.bulk_delete(req)
        elif 'extract-archive' in params and req.method == 'PUT':
            resp = self.extract(req, params['extract-archive'])
        else:
            return self.app(environ, start_response)
        return resp(environ, start_response)

    def _report(self, req: Request, status: str, data: Dict,
                errors: List[Tuple[str, str]], http_status: int = 200
                ) -> Response:
        data = dict(data, **{'Response Status': status,
                             'Response Body': ''})
        fmt = report_format(req.headers.get('Accept'))
        return make_response(http_status, report_body(
            req.headers.get('Accept'), data, errors,
            root_tag='delete' if 'bulk-delete' in req.GET
            else 'extract').encode(), content_type=CONTENT_TYPES[fmt])

    # -- bulk delete -----------------------------------------------------
    def bulk_delete(self, req: Request) -> Response:
        try:
            version, account = split_path(req.path_info, 2, 2)
        except ValueError:
            return make_response(404)
        lines = req.body_file.read(
            self.max_deletes * MAX_PATH_LENGTH + 1).decode(
            'utf-8', 'replace').splitlines()
        paths = [line.strip() for line in lines if line.strip()]
        if len(paths) > self.max_deletes:
            return make_response(413, ('Maximum Bulk Deletes: %d per '
                                       'request' % self.max_deletes
                                       ).encode(), content_type='text/plain')
        tally = DeleteTally(req.environ, self.app, 'BD')
        for quoted in paths:
            path = '/' + unquote(quoted).lstrip('/')
            parts = path.split('/', 2)
            if len(parts) < 2 or not parts[1]:
                tally.errors.append((quoted, '400 Bad Request'))
                continue
            tally.delete('/%s/%s%s' % (version, account, path), quoted)
        status = '200 OK'
        if tally.errors:
            status = '400 Bad Request'
            if any(e[1].startswith('401') for e in tally.errors) and \
                    not tally.deleted:
                status = '401 Unauthorized'
        return self._report(req, status,
                            {'Number Deleted': tally.deleted,
                             'Number Not Found': tally.not_found},
                            tally.errors)

    # -- extract archive -------------------------------------------------
    def extract(self, req: Request, kind: str) -> Response:
        if kind not in ARCHIVE_MODES:
            return make_response(400, b'Unsupported archive format',
                                 content_type='text/plain')
        try:
            version, account, base = split_path(req.path_info, 2, 3, True)
        except ValueError:
            return make_response(404)
        base = (base or '').strip('/')
        created = 0
        containers: Dict[str, bool] = {}
        errors: List[Tuple[str, str]] = []
        try:
            with tarfile.open(mode=ARCHIVE_MODES[kind],
                              fileobj=req.body_file) as archive:
                created = self._extract_members(
                    req, archive, version, account, base, containers,
                    errors)
        except (tarfile.TarError, EOFError, OSError) as err:
            return self._report(req, '400 Bad Request',
                                {'Number Files Created': created},
                                [('', 'Invalid Tar File: %s' % err)])
        if not created and not errors:
            return self._report(req, '400 Bad Request',
                                {'Number Files Created': 0},
                                [('', 'Invalid Tar File: No Valid Files')])
        status = '400 Bad Request' if errors else '201 Created'
        return self._report(req, status, {'Number Files Created': created},
                            errors)

    def _extract_members(self, req: Request, archive, version: str,
                         account: str, base: str,
                         containers: Dict[str, bool],
                         errors: List[Tuple[str, str]]) -> int:
        """PUT each regular file of the archive; how many were created."""
        created = 0
        for member in archive:
            if len(errors) >= self.max_failed:
                break
            if not member.isfile():
                continue
            path = archive_path(base, member.name)
            container, _, obj = path.partition('/')
            if not container or not obj:
                errors.append((path, '400 Bad Request'))
                continue
            if member.size > constraints.MAX_FILE_SIZE:
                errors.append((path, '413 Request Entity Too Large'))
                continue
            if container not in containers:
                if len(containers) >= self.max_containers:
                    errors.append((path, '400 Bad Request'))
                    continue
                containers[container] = self._ensure_container(
                    req, version, account, container)
            if not containers[container]:
                errors.append((path, '404 Not Found'))
                continue
            put = make_subrequest(req.environ, 'PUT', '/%s/%s/%s' % (
                version, account, path), source='EA')
            put.body = archive.extractfile(member).read()
            for key in ('X-Delete-At', 'X-Delete-After'):
                if key in req.headers:
                    put.headers[key] = req.headers[key]
            resp = put.get_response(self.app)
            if resp.status_int // 100 == 2:
                created += 1
            else:
                errors.append((path, resp.status))
        return created

    def _ensure_container(self, req: Request, version: str, account: str,
                          container: str) -> bool:
        head = make_subrequest(req.environ, 'HEAD', '/%s/%s/%s' % (
            version, account, container), source='EA')
        if head.get_response(self.app).status_int // 100 == 2:
            return True
        put = make_subrequest(req.environ, 'PUT', '/%s/%s/%s' % (
            version, account, container), source='EA')
        return put.get_response(self.app).status_int // 100 == 2


def filter_factory(global_conf: Dict[str, str], **local_conf: str):
    conf = dict(global_conf, **local_conf)
    return lambda app: Bulk(app, conf)

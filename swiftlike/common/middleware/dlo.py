"""dlo: Dynamic Large Objects.

An object whose ``X-Object-Manifest: <container>/<prefix>`` is set reads as
the concatenation, in listing order, of the objects under that prefix at
the time of reading. Its ETag is the quoted MD5 of the segments' ETags;
``?multipart-manifest=get`` reads the manifest object itself.
"""
from __future__ import annotations

import json
from typing import Dict, List
from urllib.parse import quote, unquote

from webob import Request

from swiftlike.common.backend_request import text_error
from swiftlike.common.large_objects import (
    IGNORE_RANGE,
    Segment,
    add_name,
    large_object_response,
    md5_hex,
)
from swiftlike.common.logs import get_logger
from swiftlike.common.registry import register_swift_info
from swiftlike.common.subrequest import make_subrequest
from swiftlike.common.utils import split_path

MANIFEST_HEADER = 'X-Object-Manifest'
LISTING_PAGE = 10000
#: most segments one DLO may have (Swift's max_get_time bounds it too)
MAX_SEGMENTS = 1000000


def parse_manifest(value: str):
    """``<container>/<prefix>`` (URL-quoted) -> (container, prefix)."""
    container, _, prefix = unquote(value).lstrip('/').partition('/')
    if not container or '/' not in unquote(value).lstrip('/'):
        return None
    return container, prefix


class DynamicLargeObject:
    def __init__(self, app, conf: Dict[str, str]) -> None:
        self.app = app
        self.logger = get_logger(conf, 'proxy-server')
        register_swift_info('dlo', max_segments=MAX_SEGMENTS)

    def __call__(self, environ, start_response):
        req = Request(environ)
        try:
            version, account, container, obj = split_path(
                req.path_info, 4, 4, True)
        except ValueError:
            return self.app(environ, start_response)
        if req.method == 'PUT' and MANIFEST_HEADER in req.headers and \
                parse_manifest(req.headers[MANIFEST_HEADER]) is None:
            return text_error(400, 'X-Object-Manifest must be in the '
                              'format container/prefix').response()(
                environ, start_response)
        if req.method not in ('GET', 'HEAD') or \
                req.GET.get('multipart-manifest') == 'get':
            return self.app(environ, start_response)
        req.headers[IGNORE_RANGE] = add_name(req.headers.get(IGNORE_RANGE),
                                             MANIFEST_HEADER)
        resp = req.get_response(self.app)
        manifest = resp.headers.get(MANIFEST_HEADER)
        if resp.status_int // 100 != 2 or not manifest:
            return resp(environ, start_response)
        target = parse_manifest(manifest)
        if target is None:
            return resp(environ, start_response)
        segments = self._segments(req, '/%s/%s' % (version, account),
                                  *target)
        if segments is None:
            return text_error(409, 'Unable to list the segments of this '
                              'manifest').response()(environ,
                                                     start_response)
        headers = {k: v for k, v in resp.headers.items()
                   if k.lower() not in ('content-length', 'etag',
                                        'content-range', 'accept-ranges')}
        headers['Etag'] = '"%s"' % md5_hex(''.join(
            s.etag or '' for s in segments).encode())
        answer = large_object_response(
            environ, self.app, '/%s/%s' % (version, account), segments,
            headers, req.headers.get('Range'), req.method, self.logger)
        return answer(environ, start_response)

    def _segments(self, req: Request, account_path: str, container: str,
                  prefix: str):
        """Every object under the prefix, in listing order."""
        segments: List[Segment] = []
        marker = ''
        while len(segments) < MAX_SEGMENTS:
            listing = make_subrequest(
                req.environ, 'GET', '%s/%s' % (account_path, container),
                source='DLO')
            listing.query_string = 'format=json&prefix=%s&marker=%s' % (
                _q(prefix), _q(marker))
            resp = listing.get_response(self.app)
            if resp.status_int == 404:
                return segments
            if resp.status_int // 100 != 2:
                return None
            rows = json.loads(resp.body) if resp.body else []
            if not rows:
                return segments
            for row in rows:
                segments.append(Segment(
                    size=row['bytes'], etag=row['hash'],
                    path='/%s/%s' % (container, row['name'])))
            marker = rows[-1]['name']
        return segments


def _q(value: str) -> str:
    return quote(value.encode('utf-8'), safe='')


def filter_factory(global_conf: Dict[str, str], **local_conf: str):
    conf = dict(global_conf, **local_conf)
    return lambda app: DynamicLargeObject(app, conf)

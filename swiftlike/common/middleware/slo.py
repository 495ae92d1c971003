"""slo: Static Large Objects.

``PUT ?multipart-manifest=put`` with a JSON list of segments (object paths
with optional etag, size and range, or inline base64 data) checks every
segment and stores the manifest; GET streams the segments (ranges
included), HEAD answers from the manifest's system metadata,
``?multipart-manifest=get[&format=raw]`` returns the manifest and
``DELETE ?multipart-manifest=delete`` removes the segments too.
"""
from __future__ import annotations

import binascii
import json
import mimetypes
import time
from typing import Any, Dict, List, Optional, Tuple
from urllib.parse import quote

from webob import Request, Response

from swiftlike.common.backend_request import make_response, text_error
from swiftlike.common.bulk_report import report_body
from swiftlike.common.large_objects import (
    IGNORE_RANGE,
    Segment,
    add_name,
    decode_data,
    large_object_response,
    md5_hex,
)
from swiftlike.common.logs import get_logger
from swiftlike.common.registry import register_swift_info
from swiftlike.common.subrequest import DeleteTally, make_subrequest
from swiftlike.common.timestamps import Timestamp
from swiftlike.common.utils import split_path

MAX_MANIFEST_SEGMENTS = 1000
MAX_MANIFEST_SIZE = 8 * 1024 * 1024
MIN_SEGMENT_SIZE = 1
ETAG_SYSMETA = 'X-Object-Sysmeta-Slo-Etag'
SIZE_SYSMETA = 'X-Object-Sysmeta-Slo-Size'
LISTING_ETAG_OVERRIDE = 'X-Object-Sysmeta-Container-Update-Override-Etag'
SLO_HEADER = 'X-Static-Large-Object'
#: conditions on an SLO compare with its SLO etag
ETAG_IS_AT = 'X-Backend-Etag-Is-At'
SEGMENT_KEYS = {'path', 'etag', 'size_bytes', 'range'}


class ManifestError(ValueError):
    """The PUT body is not a manifest; the text is Swift's 400 body."""


def parse_put_manifest(body: bytes) -> List[Dict[str, Any]]:
    """The client's manifest, checked for shape only (pure)."""
    try:
        items = json.loads(body)
    except ValueError:
        raise ManifestError('Manifest must be valid JSON.\n') from None
    if not isinstance(items, list):
        raise ManifestError('Manifest must be a list.\n')
    if len(items) > MAX_MANIFEST_SEGMENTS:
        raise ManifestError('Too many segments in manifest; max %d.\n'
                            % MAX_MANIFEST_SEGMENTS)
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            raise ManifestError('Index %d: not a JSON object\n' % index)
        if 'data' in item:
            if len(item) != 1:
                raise ManifestError('Index %d: data segments take no other '
                                    'keys\n' % index)
            try:
                decode_data(item['data'])
            except (binascii.Error, ValueError, TypeError):
                raise ManifestError('Index %d: data must be valid base64\n'
                                    % index) from None
            continue
        extra = set(item) - SEGMENT_KEYS
        if extra:
            raise ManifestError('Index %d: extraneous keys "%s"\n' % (
                index, '", "'.join(sorted(extra))))
        path = item.get('path')
        if not isinstance(path, str) or \
                len(path.lstrip('/').split('/', 1)) != 2 or \
                not all(path.lstrip('/').split('/', 1)):
            raise ManifestError('Index %d: path does not refer to an '
                                'object. Path must be of the form '
                                '/container/object.\n' % index)
        size = item.get('size_bytes')
        if size is not None and (not isinstance(size, int) or size < 0):
            raise ManifestError('Index %d: invalid size_bytes\n' % index)
    if not any('path' in item for item in items):
        raise ManifestError('Manifest must contain at least one object '
                            'segment.\n')
    return items


def parse_segment_range(value: str, size: int) -> Optional[Tuple[int, int]]:
    """``a-b``, ``a-`` or ``-n`` inside a segment of ``size`` bytes."""
    first, sep, last = value.partition('-')
    if not sep or not (first or last) or \
            not (first.isdigit() or not first) or \
            not (last.isdigit() or not last):
        return None
    if not first:
        n = int(last)
        return (max(size - n, 0), size - 1) if n > 0 else None
    a = int(first)
    b = min(int(last), size - 1) if last else size - 1
    if a > b or a >= size:
        return None
    return a, b


def slo_etag(entries: List[Dict[str, Any]]) -> str:
    """md5 over each segment's etag (``etag:a-b;`` when ranged) or the md5
    of its inline data."""
    parts = []
    for entry in entries:
        if 'data' in entry:
            parts.append(md5_hex(decode_data(entry['data'])))
        elif 'range' in entry:
            parts.append('%s:%s;' % (entry['hash'], entry['range']))
        else:
            parts.append(entry['hash'])
    return md5_hex(''.join(parts).encode())


def entry_size(entry: Dict[str, Any]) -> int:
    if 'data' in entry:
        return len(decode_data(entry['data']))
    if 'range' in entry:
        first, last = entry['range'].split('-')
        return int(last) - int(first) + 1
    return entry['bytes']


class StaticLargeObject:
    def __init__(self, app, conf: Dict[str, str]) -> None:
        self.app = app
        self.logger = get_logger(conf, 'proxy-server')
        self.max_segments = int(conf.get('max_manifest_segments',
                                         MAX_MANIFEST_SEGMENTS))
        self.max_size = int(conf.get('max_manifest_size', MAX_MANIFEST_SIZE))
        #: seconds between the spaces of a heartbeat=on PUT
        self.yield_frequency = float(conf.get('yield_frequency', 10))
        register_swift_info('slo', max_manifest_segments=self.max_segments,
                            max_manifest_size=self.max_size,
                            min_segment_size=MIN_SEGMENT_SIZE,
                            yield_frequency=self.yield_frequency)

    def __call__(self, environ, start_response):
        req = Request(environ)
        try:
            version, account, container, obj = split_path(
                req.path_info, 4, 4, True)
        except ValueError:
            return self.app(environ, start_response)
        mode = req.GET.get('multipart-manifest')
        account_path = '/%s/%s' % (version, account)
        if req.method in ('PUT', 'POST') and SLO_HEADER in req.headers \
                and mode != 'put':
            resp = text_error(400, 'X-Static-Large-Object is a reserved '
                              'header. To create a static large object add '
                              'query param multipart-manifest=put.'
                              ).response()
        elif req.method == 'PUT' and mode == 'put':
            resp = self.put_manifest(req, account_path, obj)
        elif req.method == 'DELETE' and mode == 'delete':
            resp = self.delete_manifest(req, account_path)
        elif req.method in ('GET', 'HEAD') and mode != 'get':
            resp = self.read(req, account_path)
        elif req.method == 'GET' and mode == 'get' and \
                req.GET.get('format') == 'raw':
            resp = self.raw_manifest(req)
        else:
            return self.app(environ, start_response)
        return resp(environ, start_response)

    # -- PUT -------------------------------------------------------------
    def put_manifest(self, req: Request, account_path: str,
                     obj: str) -> Response:
        if req.content_length is not None and \
                req.content_length > self.max_size:
            return text_error(413, 'Manifest File > %d bytes'
                              % self.max_size).response()
        body = req.body_file.read(self.max_size + 1)
        if len(body) > self.max_size:
            return text_error(413, 'Manifest File > %d bytes'
                              % self.max_size).response()
        try:
            items = parse_put_manifest(body)
        except ManifestError as err:
            return text_error(400, str(err)).response()
        if req.GET.get('heartbeat') == 'on':
            resp = Response(status=202, headerlist=[])
            resp.headers['Content-Type'] = 'application/json' if 'json' in \
                (req.headers.get('Accept') or '') else 'text/plain'
            resp.app_iter = self._heartbeat_put(req, account_path, obj,
                                                items)
            return resp
        entries, problems = [], []
        for _ in self._iter_checks(req, account_path, items, entries,
                                   problems):
            pass
        return self._store(req, obj, entries, problems)

    def _heartbeat_put(self, req: Request, account_path: str, obj: str,
                       items: List[Dict[str, Any]]):
        """The 202 body of a ``heartbeat=on`` PUT: a space at once and
        every ``yield_frequency`` seconds while segments are checked, then
        the report of what happened."""
        yield b' '
        last = time.monotonic()
        entries: List[Dict] = []
        problems: List[Tuple[str, str]] = []
        for _ in self._iter_checks(req, account_path, items, entries,
                                   problems):
            if time.monotonic() - last >= self.yield_frequency:
                yield b' '
                last = time.monotonic()
        resp = self._store(req, obj, entries, problems)
        if problems:
            data = {'Response Status': '400 Bad Request'}
        else:
            data = {'Response Status': resp.status,
                    'Etag': resp.headers.get('Etag', ''),
                    'Last Modified': resp.headers.get('Last-Modified', '')}
        data['Response Body'] = '' if resp.status_int // 100 == 2 or \
            problems else resp.body.decode('utf-8', 'replace')
        yield report_body(req.headers.get('Accept'), data,
                          problems).encode()

    def _store(self, req: Request, obj: str, entries: List[Dict],
               problems: List[Tuple[str, str]]) -> Response:
        """Write the checked manifest (or answer why not)."""
        if problems:
            return make_response(400, report_body(
                req.headers.get('Accept'), {}, problems).encode(),
                content_type='text/plain')
        etag = slo_etag(entries)
        client_etag = (req.headers.get('Etag') or '').strip('"')
        if client_etag and client_etag != etag:
            return make_response(422)
        total = sum(entry_size(e) for e in entries)
        manifest = json.dumps(entries).encode()
        content_type = req.headers.get('Content-Type') or \
            mimetypes.guess_type(obj)[0] or 'application/octet-stream'
        put = make_subrequest(req.environ, 'PUT', req.path_info,
                              source='SLO')
        for key, value in req.headers.items():
            if key.lower().startswith(('x-object-meta-', 'x-delete-',
                                       'content-disposition',
                                       'content-encoding', 'cache-control',
                                       'content-language', 'expires')):
                put.headers[key] = value
        put.headers.update({
            'Content-Type': '%s;swift_bytes=%d' % (content_type, total),
            SLO_HEADER: 'True', ETAG_SYSMETA: etag, SIZE_SYSMETA: str(total),
            LISTING_ETAG_OVERRIDE: '%s; slo_etag=%s' % (md5_hex(manifest),
                                                        etag),
            'Etag': md5_hex(manifest)})
        put.body = manifest
        put.environ['swift.content_type_overridden'] = True
        resp = put.get_response(self.app)
        if resp.status_int // 100 == 2:
            resp.headers['Etag'] = '"%s"' % etag
        return resp

    def _iter_checks(self, req: Request, account_path: str,
                     items: List[Dict[str, Any]], entries: List[Dict],
                     problems: List[Tuple[str, str]]):
        """Check each segment (a HEAD each), filling ``entries`` and
        ``problems``; yields after each one so a heartbeat can be sent."""
        for index, item in enumerate(items):
            yield
            if 'data' in item:
                entries.append({'data': item['data']})
                continue
            path = '/' + item['path'].lstrip('/')
            head = make_subrequest(req.environ, 'HEAD', account_path + path,
                                   source='SLO')
            resp = head.get_response(self.app)
            if resp.status_int // 100 != 2:
                problems.append((quote(path), resp.status))
                continue
            size = int(resp.headers.get('Content-Length') or 0)
            etag = (resp.headers.get('Etag') or '').strip('"')
            if resp.headers.get(SLO_HEADER):
                # a sub-SLO: what counts is what it reads as, not the
                # manifest the subrequest (behind this filter) saw
                size = int(resp.headers.get(SIZE_SYSMETA) or size)
                etag = resp.headers.get(ETAG_SYSMETA) or etag
            if item.get('size_bytes') is not None and \
                    item['size_bytes'] != size:
                problems.append((quote(path), 'Size Mismatch'))
            if item.get('etag') and item['etag'].strip('"') != etag:
                problems.append((quote(path), 'Etag Mismatch'))
            entry = {'name': path, 'bytes': size, 'hash': etag,
                     'content_type': resp.headers.get('Content-Type', ''),
                     'last_modified': Timestamp(
                         resp.headers.get('X-Timestamp') or 0).isoformat}
            if resp.headers.get(SLO_HEADER):
                entry['sub_slo'] = True
            if item.get('range'):
                span = parse_segment_range(item['range'], size)
                if span is None:
                    problems.append((quote(path), 'Unsatisfiable Range'))
                    continue
                entry['range'] = '%d-%d' % span
            if entry_size(entry) < MIN_SEGMENT_SIZE and \
                    index < len(items) - 1:
                problems.append((quote(path), 'Too small; each segment '
                                 'must be at least 1 byte.'))
            entries.append(entry)

    # -- GET / HEAD ------------------------------------------------------
    def read(self, req: Request, account_path: str) -> Response:
        """The request goes on as it is; only if the object turns out to
        be a manifest (then sent whole, whatever the Range) is the answer
        replaced by the segments' bytes."""
        if 'part-number' in req.GET:
            return self.read_part(req, account_path, req.GET['part-number'])
        req.headers[IGNORE_RANGE] = add_name(req.headers.get(IGNORE_RANGE),
                                             SLO_HEADER)
        req.headers[ETAG_IS_AT] = add_name(req.headers.get(ETAG_IS_AT),
                                           ETAG_SYSMETA)
        resp = req.get_response(self.app)
        if resp.status_int in (304, 412) and resp.headers.get(ETAG_SYSMETA):
            resp.headers['Etag'] = '"%s"' % resp.headers[ETAG_SYSMETA]
            return resp
        if resp.status_int // 100 != 2 or not resp.headers.get(SLO_HEADER):
            return resp
        headers = self._client_headers(resp)
        if req.method == 'HEAD':
            resp.app_iter = [b'']
            for key in list(resp.headers):
                if key.lower() in ('etag', 'content-type', 'content-length'):
                    del resp.headers[key]
            for key, value in headers.items():
                resp.headers[key] = value
            return resp
        try:
            segments = self._segments(req, account_path,
                                      json.loads(resp.body), 0)
        except (ValueError, KeyError):
            return make_response(500)
        return large_object_response(
            req.environ, self.app, account_path, segments, headers,
            req.headers.get('Range'), req.method, self.logger)

    def read_part(self, req: Request, account_path: str,
                  value: str) -> Response:
        """``?part-number=N``: the N-th manifest entry's bytes, with
        ``X-Parts-Count`` (416 past the last part)."""
        if not value.isdigit() or int(value) < 1:
            return text_error(400, 'Part number must be an integer greater '
                              'than 0').response()
        manifest_req = req.copy()
        manifest_req.method = 'GET'
        manifest_req.headers.pop('Range', None)
        manifest_req.query_string = 'multipart-manifest=get'
        resp = manifest_req.get_response(self.app)
        if resp.status_int // 100 != 2 or not resp.headers.get(SLO_HEADER):
            del req.GET['part-number']
            return req.get_response(self.app)
        entries = json.loads(resp.body)
        sizes = [entry_size(e) for e in entries]
        total, part = sum(sizes), int(value)
        headers = self._client_headers(resp)
        headers['X-Parts-Count'] = str(len(entries))
        if part > len(entries):
            return make_response(416, headers={
                'Content-Range': 'bytes */%d' % total,
                'X-Parts-Count': str(len(entries))})
        first = sum(sizes[:part - 1])
        segments = self._segments(req, account_path, entries, 0)
        return large_object_response(
            req.environ, self.app, account_path, segments, headers,
            'bytes=%d-%d' % (first, first + sizes[part - 1] - 1),
            req.method, self.logger)

    @staticmethod
    def _client_headers(resp) -> Dict[str, str]:
        headers = {k: v for k, v in resp.headers.items()
                   if k.lower() not in ('content-length', 'etag',
                                        'content-range', 'accept-ranges')}
        content_type = resp.headers.get('Content-Type', '')
        headers['Content-Type'] = content_type.split(';swift_bytes=')[0]
        if resp.headers.get(ETAG_SYSMETA):
            headers['Etag'] = '"%s"' % resp.headers[ETAG_SYSMETA]
        if resp.headers.get(SIZE_SYSMETA):
            headers['Content-Length'] = resp.headers[SIZE_SYSMETA]
        return headers

    def _segments(self, req: Request, account_path: str,
                  entries: List[Dict], depth: int) -> List[Segment]:
        """The manifest as a flat segment list (sub-SLOs expanded)."""
        if depth > 10:
            raise ValueError('too deeply nested')
        segments = []
        for entry in entries:
            if 'data' in entry:
                data = decode_data(entry['data'])
                segments.append(Segment(size=len(data), data=data))
                continue
            first, size = 0, entry['bytes']
            if entry.get('range'):
                a, b = (int(x) for x in entry['range'].split('-'))
                first, size = a, b - a + 1
            if entry.get('sub_slo'):
                sub = make_subrequest(req.environ, 'GET',
                                      account_path + entry['name'],
                                      source='SLO')
                sub.query_string = 'multipart-manifest=get'
                inner = self._segments(req, account_path, json.loads(
                    sub.get_response(self.app).body), depth + 1)
                segments.extend(_slice(inner, first, size))
                continue
            segments.append(Segment(size=size, path=entry['name'],
                                    etag=entry['hash'], first=first))
        return segments

    def raw_manifest(self, req: Request) -> Response:
        resp = req.get_response(self.app)
        if resp.status_int // 100 != 2 or not resp.headers.get(SLO_HEADER):
            return resp
        raw = []
        for entry in json.loads(resp.body):
            if 'data' in entry:
                raw.append({'data': entry['data']})
                continue
            item = {'path': entry['name'], 'etag': entry['hash'],
                    'size_bytes': entry['bytes']}
            if entry.get('range'):
                item['range'] = entry['range']
            raw.append(item)
        resp.body = json.dumps(raw).encode()
        resp.headers['Content-Type'] = 'application/json; charset=utf-8'
        resp.headers.pop('Etag', None)
        return resp

    # -- DELETE ----------------------------------------------------------
    def delete_manifest(self, req: Request, account_path: str) -> Response:
        get = make_subrequest(req.environ, 'GET', req.path_info,
                              source='SLO')
        get.query_string = 'multipart-manifest=get'
        resp = get.get_response(self.app)
        if resp.status_int // 100 != 2:
            return resp
        paths = []
        if resp.headers.get(SLO_HEADER):
            paths = self._all_segment_paths(req, account_path,
                                            json.loads(resp.body), 0)
        tally = DeleteTally(req.environ, self.app, 'SLO')
        for path in paths + [req.path_info[len(account_path):]]:
            tally.delete(account_path + path, quote(path))
        status = '400 Bad Request' if tally.errors else '200 OK'
        body = report_body(req.headers.get('Accept'), {
            'Number Deleted': tally.deleted,
            'Number Not Found': tally.not_found,
            'Response Status': status, 'Response Body': ''}, tally.errors)
        return make_response(200, body.encode(), content_type=(
            'application/json' if 'json' in (req.headers.get('Accept') or '')
            else 'text/plain'))

    def _all_segment_paths(self, req: Request, account_path: str,
                           entries: List[Dict], depth: int) -> List[str]:
        paths = []
        for entry in entries:
            if 'name' not in entry or depth > 10:
                continue
            if entry.get('sub_slo'):
                sub = make_subrequest(req.environ, 'GET',
                                      account_path + entry['name'],
                                      source='SLO')
                sub.query_string = 'multipart-manifest=get'
                inner = sub.get_response(self.app)
                if inner.status_int // 100 == 2:
                    paths += self._all_segment_paths(
                        req, account_path, json.loads(inner.body),
                        depth + 1)
            paths.append(entry['name'])
        return paths


def _slice(segments: List[Segment], first: int, size: int
           ) -> List[Segment]:
    """Bytes first..first+size-1 of a segment list, as segments."""
    out, offset = [], 0
    for seg in segments:
        start, end = max(first, offset), min(first + size, offset + seg.size)
        if start < end:
            out.append(Segment(size=end - start, path=seg.path,
                               etag=seg.etag,
                               first=seg.first + start - offset,
                               data=seg.data[start - offset:end - offset]
                               if seg.data is not None else None))
        offset += seg.size
    return out


def filter_factory(global_conf: Dict[str, str], **local_conf: str):
    conf = dict(global_conf, **local_conf)
    return lambda app: StaticLargeObject(app, conf)


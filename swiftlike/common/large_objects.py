"""What DLO and SLO share: the byte math over a list of segments (pure) and
the streaming of the segments' bytes through the rest of the pipeline,
each segment read with the caller's identity."""
from __future__ import annotations

import base64
import hashlib
import uuid
from dataclasses import dataclass
from typing import Dict, Iterator, List, Optional, Tuple

from webob import Response

from swiftlike.common.ranges import (
    UnsatisfiableRange,
    content_range,
    multipart_body,
    multipart_length,
    multipart_parts,
    parse_range,
)
from swiftlike.common.subrequest import make_subrequest


@dataclass
class Segment:
    """One piece of a large object: an object (``path``, whose bytes
    ``first``..``first + size - 1`` are used) or inline ``data``."""

    size: int
    path: str = ''
    etag: Optional[str] = None
    first: int = 0
    data: Optional[bytes] = None


#: asks the object server for a manifest whole, whatever the Range
IGNORE_RANGE = 'X-Backend-Ignore-Range-If-Metadata-Present'


def add_name(value: Optional[str], name: str) -> str:
    """Add a metadata name to an IGNORE_RANGE header value."""
    names = [n.strip() for n in (value or '').split(',') if n.strip()]
    if name not in names:
        names.append(name)
    return ', '.join(names)


class SegmentError(Exception):
    """A segment could not be read as the manifest says."""


def segment_spans(sizes: List[int], first: int, last: int
                  ) -> List[Tuple[int, int, int]]:
    """(segment index, first, last) inside each segment holding bytes
    ``first``..``last`` (inclusive) of the concatenation."""
    spans = []
    offset = 0
    for index, size in enumerate(sizes):
        start, end = offset, offset + size - 1
        offset += size
        if size == 0 or end < first or start > last:
            continue
        spans.append((index, max(first, start) - start,
                      min(last, end) - start))
    return spans


def md5_hex(data: bytes) -> str:
    return hashlib.md5(data, usedforsecurity=False).hexdigest()


def decode_data(value: str) -> bytes:
    """Inline segment data (base64, padding optional)."""
    return base64.b64decode(value + '=' * (-len(value) % 4),
                            validate=True)


def stream_segments(environ: Dict, app, account_path: str,
                    segments: List[Segment], first: int, last: int,
                    logger) -> Iterator[bytes]:
    """Bytes ``first``..``last`` of the segments, each read with a Range
    subrequest (``account_path`` = ``/v1/<account>``). A segment that is
    missing or changed ends the body early: the client sees a short read,
    never wrong bytes."""
    for index, a, b in segment_spans([s.size for s in segments], first,
                                     last):
        segment = segments[index]
        if segment.data is not None:
            yield segment.data[a:b + 1]
            continue
        req = make_subrequest(environ, 'GET', account_path + segment.path,
                              {'Range': 'bytes=%d-%d' % (
                                  segment.first + a, segment.first + b)},
                              source='LO')
        resp = req.get_response(app)
        etag = (resp.headers.get('Etag') or '').strip('"')
        if resp.status_int // 100 != 2 or (
                segment.etag and etag != segment.etag.strip('"')):
            logger.error('ERROR segment %s: status %s, etag %s (wanted %s)',
                         segment.path, resp.status, etag, segment.etag)
            raise SegmentError(segment.path)
        yield from resp.app_iter


def large_object_response(environ: Dict, app, account_path: str,
                          segments: List[Segment], headers: Dict[str, str],
                          range_header: Optional[str], method: str,
                          logger) -> Response:
    """The 200/206/416 answer for a large object; ``headers`` are the
    manifest's (Etag, Content-Type... already as the client should see
    them)."""
    total = sum(s.size for s in segments)
    resp = Response(headerlist=[])
    for key, value in headers.items():
        resp.headers[key] = value
    resp.headers['Accept-Ranges'] = 'bytes'
    first, last = 0, total - 1
    try:
        ranges = parse_range(range_header, total)
    except UnsatisfiableRange:
        resp.status = 416
        resp.headers['Content-Range'] = 'bytes */%d' % total
        resp.body = b''
        return resp
    if ranges and len(ranges) > 1:
        return _multirange(resp, environ, app, account_path, segments,
                           ranges, total, method, logger)
    if ranges and len(ranges) == 1:
        first, last = ranges[0]
        resp.status = 206
        resp.headers['Content-Range'] = content_range(first, last, total)
    else:
        resp.status = 200
    length = max(0, last - first + 1)
    if method == 'HEAD' or length == 0:
        resp.app_iter = [b'']
    else:
        resp.app_iter = stream_segments(environ, app, account_path,
                                        segments, first, last, logger)
    resp.headers['Content-Length'] = str(length)
    return resp


def _multirange(resp: Response, environ: Dict, app, account_path: str,
                segments: List[Segment], ranges, total: int, method: str,
                logger) -> Response:
    """206 multipart/byteranges over the segments, as for plain objects."""
    boundary = uuid.uuid4().hex
    content_type = resp.headers.get('Content-Type',
                                    'application/octet-stream')
    parts = multipart_parts(ranges, total, content_type, boundary)
    resp.status = 206
    resp.headers['Content-Type'] = 'multipart/byteranges;boundary=%s' % \
        boundary
    if method == 'HEAD':
        resp.app_iter = [b'']
    else:
        resp.app_iter = multipart_body(
            parts, boundary, lambda first, last: stream_segments(
                environ, app, account_path, segments, first, last, logger))
    resp.headers['Content-Length'] = str(multipart_length(parts, boundary))
    return resp

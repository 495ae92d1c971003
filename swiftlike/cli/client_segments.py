"""Large objects in the ``swiftlike`` client: a file uploaded as segments
and a manifest, and the segments of a manifest that an upload or a delete
replaces — removed afterwards, as swift does unless ``--leave-segments``,
so that overwriting a large object does not leave its old bytes behind."""
from __future__ import annotations

import json
from typing import Callable, Dict, List, Mapping, Set, Tuple
from urllib.parse import quote, unquote

from swiftlike.cli.client_http import (
    ClientError,
    Connection,
    check_etag,
    in_threads,
)
from swiftlike.cli.client_progress import Progress, ProgressReader
from swiftlike.common.config import config_true_value

SEGMENT_SUFFIX = '_segments'
#: (path ``/container/object``, whether it is itself a static manifest)
SegmentPath = Tuple[str, bool]


def segment_prefix(name: str, mtime: str, size: int, segment: int,
                   dlo: bool) -> str:
    """swift's segment names, so that either client recognises the
    other's: ``<object>/slo/<mtime>/<size>/<segment size>/`` (no ``slo/``
    for a dynamic manifest)."""
    return '%s/%s%s/%d/%d/' % (name, '' if dlo else 'slo/', mtime, size,
                               segment)


def upload_segments(conn: Connection, args, path: str, name: str,
                    size: int, segment: int, progress: Progress,
                    headers: Dict[str, str],
                    say: Callable[[str], None]) -> Set[str]:
    """Upload ``path`` as segments of ``segment`` bytes, ``segment_threads``
    at a time, each streamed from its place in the file (never held in
    memory whole), then its manifest; the segments' paths. Each segment
    uploaded is reported as swift reports it (``<name> segment <n>``)."""
    container = args.container + SEGMENT_SUFFIX
    conn.request('PUT', container, ok=(2, 4))
    prefix = segment_prefix(name, headers['X-Object-Meta-Mtime'], size,
                            segment, args.use_dlo)

    def one(index: int) -> Dict:
        offset = index * segment
        length = min(segment, size - offset)
        seg_name = '%s%08d' % (prefix, index)
        with open(path, 'rb') as f:
            f.seek(offset)
            body = ProgressReader(f, progress, length)
            resp = conn.request('PUT', container, seg_name, data=body)
        if not args.ignore_checksum:
            check_etag(resp, body.md5.hexdigest())
        say('%s segment %d' % (name, index))
        return {'path': '/%s/%s' % (container, seg_name),
                'etag': body.md5.hexdigest(), 'size_bytes': length}
    count = (size + segment - 1) // segment
    manifest = in_threads(one, range(count), args.segment_threads)
    if args.use_dlo:
        headers['X-Object-Manifest'] = quote('%s/%s' % (container, prefix))
        conn.request('PUT', args.container, name, headers=headers, data=b'')
    else:
        conn.request('PUT', args.container, name, headers=headers,
                     params={'multipart-manifest': 'put'},
                     data=json.dumps(manifest))
    return {item['path'] for item in manifest}


def manifest_segments(conn: Connection, container: str, name: str,
                      headers: Mapping[str, str]) -> List[SegmentPath]:
    """The segments of the object whose HEAD answered ``headers``: none
    unless it is a static or dynamic manifest."""
    if config_true_value(headers.get('X-Static-Large-Object')):
        resp = conn.request('GET', container, name,
                            params={'multipart-manifest': 'get'})
        return [(entry['name'], bool(entry.get('sub_slo')))
                for entry in resp.json() if entry.get('name')]
    manifest = headers.get('X-Object-Manifest')
    if not manifest:
        return []
    seg_container, _, prefix = unquote(manifest).partition('/')
    return [('/%s/%s' % (seg_container, row['name']), False)
            for row in conn.listing(seg_container, prefix=prefix)
            if 'name' in row]


def delete_segments(conn: Connection, segments: List[SegmentPath],
                    threads: int = 10) -> List[str]:
    """Delete each segment (a sub-manifest with its own segments); what
    could not be deleted, one line each."""
    def delete(segment: SegmentPath) -> str:
        path, sub_slo = segment
        container, _, obj = path.lstrip('/').partition('/')
        try:
            conn.request('DELETE', container, obj, params={
                'multipart-manifest': 'delete'} if sub_slo else None)
        except ClientError as err:
            if err.status != 404:  # (gone already is what was wanted)
                return 'Error deleting segment %s: %s' % (path, err)
        return ''
    return [line for line in in_threads(delete, segments, threads) if line]

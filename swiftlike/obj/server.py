"""The object server: Swift's backend object API over DiskFile.

``/<device>/<partition>/<account>/<container>/<object>`` for PUT, GET,
HEAD, POST and DELETE; ``/<device>/<partition>[/<suffixes>]`` for
REPLICATE. Checks that can fail (drive, timestamp, existing files) run
before the body is read, so they answer ``Expect: 100-continue``.
"""
from __future__ import annotations

import logging
import math
import os
import pickle
import time
import uuid
from typing import Dict, Iterator, Optional

from webob import Request, Response

from swiftlike.common import constraints
from swiftlike.common.backend_request import (
    HTTPError,
    header_true,
    header_value,
    make_response,
    policy_index,
    request_timestamp,
    split_backend_path,
    text_error,
)
from swiftlike.common.base_server import StorageServer
from swiftlike.common.concurrency import Timeout
from swiftlike.common.conditional import evaluate
from swiftlike.common.exceptions import (
    DiskFileCollision,
    DiskFileDeleted,
    DiskFileDeviceUnavailable,
    DiskFileExpired,
    DiskFileNoSpace,
    DiskFileNotExist,
)
from swiftlike.common.expiring import ACCOUNT_NAME as EXPIRING_ACCOUNT_NAME
from swiftlike.common.expiring import DEFAULT_DIVISOR as EXPIRER_DIVISOR
from swiftlike.common.expiring import (
    expirer_container,
    expirer_object_name,
)
from swiftlike.common.hashing import get_hash_affixes
from swiftlike.common.headers import (
    is_object_transient_sysmeta,
    is_sys_meta,
    is_user_meta,
)
from swiftlike.common.http import ACCEPTED_BODY, http_date
from swiftlike.common.ranges import (
    UnsatisfiableRange,
    content_range,
    multipart_body,
    multipart_length,
    multipart_parts,
    parse_range,
)
from swiftlike.common.storage_policy import load_storage_policies
from swiftlike.common.timestamps import (
    normalize_delete_at_timestamp,
)
from swiftlike.obj.diskfile import DiskFile, DiskFileManager
from swiftlike.obj.hashes import invalidate_suffixes, is_suffix
from swiftlike.obj.updates import (
    UpdateHeadersError,
    Updater,
    apply_overrides,
    expirer_headers,
    targets_from,
)

DEFAULT_ALLOWED_HEADERS = (
    'Content-Disposition', 'Content-Encoding', 'X-Delete-At',
    'X-Object-Manifest', 'X-Static-Large-Object', 'Cache-Control',
    'Content-Language', 'Expires', 'X-Robots-Tag')
NETWORK_CHUNK_SIZE = 65536
#: metadata names that make GET ignore Range (set by slo and dlo)
IGNORE_RANGE_HEADER = 'X-Backend-Ignore-Range-If-Metadata-Present'
#: metadata names whose value conditions compare with, instead of the
#: ETag (an SLO's conditions are about its SLO etag)
ETAG_IS_AT_HEADER = 'X-Backend-Etag-Is-At'


def conditional_etag(req: Request, df: DiskFile) -> str:
    for name in req.headers.get(ETAG_IS_AT_HEADER, '').split(','):
        name = name.strip()
        if name:
            for key, value in df.metadata.items():
                if key.lower() == name.lower():
                    return value
    return df.etag
PICKLE_PROTOCOL = 2


class ClientDisconnect(Exception):
    """The client stopped sending before the body was complete."""


class ObjectController(StorageServer):
    """WSGI app of the object server."""

    server_type = 'object-server'

    def __init__(self, conf: Dict[str, str],
                 logger: Optional[logging.Logger] = None) -> None:
        super().__init__(conf, logger)
        conf = self.conf
        get_hash_affixes()  # refuse to start without them, as Swift does
        self.mgr = DiskFileManager(conf)
        self.policies = load_storage_policies()
        constraints.reload_constraints()
        self.conn_timeout = conf.get_float('conn_timeout', 0.5, minimum=0)
        self.node_timeout = conf.get_float('node_timeout', 3.0, minimum=0)
        self.client_timeout = conf.get_float('client_timeout', 60.0,
                                             minimum=0)
        self.max_upload_time = self.mgr.max_upload_time
        self.network_chunk_size = conf.get_int(
            'network_chunk_size', NETWORK_CHUNK_SIZE, minimum=1)
        extra = conf.get_list('allowed_headers', DEFAULT_ALLOWED_HEADERS)
        self.allowed_headers = [h.title() for h in extra]
        self.expiring_account = constraints.AUTO_CREATE_ACCOUNT_PREFIX + \
            conf.get('expiring_objects_account_name',
                     EXPIRING_ACCOUNT_NAME)
        self.expirer_divisor = conf.get_int(
            'expiring_objects_container_divisor', EXPIRER_DIVISOR,
            minimum=1)
        removed = self.mgr.cleanup_tmp()
        if removed:
            self.logger.info('Removed %d temp file(s) older than '
                             'max_upload_time', removed)
        self.updater = Updater(
            self.conn_timeout, self.node_timeout,
            conf.get_float('container_update_timeout', 1.0, minimum=0),
            self.logger)

    def translate_error(self, req: Request, err: Exception
                        ) -> Optional[Response]:
        if isinstance(err, DiskFileDeviceUnavailable):
            return make_response(507, drive=str(err))
        if isinstance(err, DiskFileNoSpace):
            self.logger.error('No space for %s: %s', req.path_qs, err)
            return make_response(507, drive=req.path_info.split('/')[1])
        return None

    # -- helpers ---------------------------------------------------------
    def _diskfile(self, req: Request) -> DiskFile:
        device, partition, account, container, obj = split_backend_path(
            req, 5, 5, True)
        policy = policy_index(req, self.policies)
        return self.mgr.diskfile(device, partition, account, container,
                                 obj, policy)

    @staticmethod
    def _names(df: DiskFile):
        _, account, container, obj = df.name.split('/', 3)
        return account, container, obj

    def _open_existing(self, df: DiskFile, open_expired: bool = False):
        """(metadata, timestamp, live) of what is there now; missing and
        tombstoned objects give ({}, tombstone time or None, False)."""
        try:
            df.open(open_expired=open_expired)
        except DiskFileExpired as err:
            return err.metadata, err.timestamp, False
        except DiskFileNotExist as err:
            return {}, err.timestamp, False
        except DiskFileCollision:
            raise HTTPError(403) from None
        df.close()
        return df.metadata, df.timestamp, True

    def _check_delete_at(self, req: Request) -> Optional[str]:
        value = req.headers.get('X-Delete-At')
        if value is None:
            return None
        if not value.strip().isdigit():
            raise text_error(400, 'Non-integer X-Delete-At')
        if int(value) < time.time() and \
                not header_true(req, 'X-Backend-Replication'):
            raise text_error(400, 'X-Delete-At in past')
        return normalize_delete_at_timestamp(value)

    def _metadata_headers(self, req: Request, sysmeta: bool
                          ) -> Dict[str, str]:
        picked = {}
        for key, value in req.headers.items():
            if is_user_meta('object', key) or \
                    is_object_transient_sysmeta(key) or \
                    (sysmeta and is_sys_meta('object', key)):
                picked[key] = value
        for key in self.allowed_headers:
            if header_value(req, key) is not None:
                picked[key] = req.headers[key]
        for key in req.headers.get('X-Backend-Replication-Headers',
                                   '').split():
            if key in req.headers:
                picked[key] = req.headers[key]
        return picked

    def _container_update(self, op: str, df: DiskFile, req: Request,
                          headers: Dict[str, str]) -> None:
        try:
            targets, partition = targets_from(req.headers, 'X-Container')
        except UpdateHeadersError as err:
            self.logger.error('%s', err)
            return
        headers = dict(headers)
        headers.update({
            'X-Trans-Id': req.headers.get('X-Trans-Id', '-'),
            'Referer': '%s %s' % (req.method, req.url),
            'User-Agent': 'object-server %d' % os.getpid(),
            'X-Backend-Storage-Policy-Index': str(df.policy_index)})
        account, container, obj = self._names(df)
        self.updater.update(op, account, container, obj, targets, partition,
                            headers, df.dev_path, df.policy_index,
                            req.headers.get('X-Container-Root-Db-State'))

    def _expirer_update(self, op: str, delete_at: str, df: DiskFile,
                        req: Request, size: Optional[str]) -> None:
        """Add (PUT) or remove (DELETE) the .expiring_objects queue row."""
        account, container, obj = self._names(df)
        name = expirer_object_name(delete_at, account, container, obj)
        base = {'X-Timestamp': req.headers['X-Timestamp'],
                'X-Trans-Id': req.headers.get('X-Trans-Id', '-'),
                'User-Agent': 'object-server %d' % os.getpid(),
                'Referer': '%s %s' % (req.method, req.url)}
        headers = expirer_headers(base, size, op)
        # The request's X-Delete-At-* headers describe the new row; the row
        # being removed lives in the container its own time maps to.
        queue_container = self._expirer_container(delete_at, account,
                                                  container, obj)
        if op == 'DELETE':
            self.updater.queue_async(op, self.expiring_account,
                                     queue_container, name, headers,
                                     df.dev_path, 0)
            return
        queue_container = req.headers.get('X-Delete-At-Container') or \
            queue_container
        try:
            targets, partition = targets_from(req.headers, 'X-Delete-At')
        except UpdateHeadersError as err:
            self.logger.error('%s', err)
            return
        if not targets:
            self.updater.queue_async(op, self.expiring_account,
                                     queue_container, name, headers,
                                     df.dev_path, 0)
            return
        self.updater.update(op, self.expiring_account, queue_container,
                            name, targets, partition, headers, df.dev_path,
                            0)

    def _expirer_container(self, delete_at: str, account: str,
                           container: str, obj: str) -> str:
        return expirer_container(delete_at, account, container, obj,
                                 self.expirer_divisor)

    def _update_expirer_queue(self, req: Request, df: DiskFile,
                              old: Optional[str], new: Optional[str],
                              size: Optional[str]) -> None:
        if old == new:
            return
        if old:
            self._expirer_update('DELETE', old, df, req, None)
        if new:
            self._expirer_update('PUT', new, df, req, size)

    # -- PUT -------------------------------------------------------------
    def _check_put(self, req: Request, df: DiskFile) -> Optional[int]:
        chunked = req.headers.get('Transfer-Encoding', '').lower() == \
            'chunked'
        if not chunked and req.content_length is None:
            raise HTTPError(411)
        length = req.content_length
        if length is not None and length > constraints.MAX_FILE_SIZE:
            raise HTTPError(413)
        if header_value(req, 'Content-Type') is None:
            raise text_error(400, 'No content type')
        account, container, obj = self._names(df)
        for problem in (constraints.check_object_name(obj),
                        constraints.check_metadata(req.headers, 'object')):
            if problem:
                raise text_error(400, problem)
        return length

    def PUT(self, req: Request) -> Response:
        df = self._diskfile(req)
        timestamp = request_timestamp(req)
        length = self._check_put(req, df)
        delete_at = self._check_delete_at(req)
        if_none_match = req.headers.get('If-None-Match')
        if if_none_match is not None and if_none_match.strip() != '*':
            raise text_error(400, 'If-None-Match only supports *')
        orig, orig_timestamp, live = self._open_existing(df)
        if live and if_none_match is not None:
            raise HTTPError(412)
        if orig_timestamp is not None and orig_timestamp >= timestamp:
            raise HTTPError(409, headers={
                'X-Backend-Timestamp': orig_timestamp.internal})
        with df.writer(length) as writer:
            self._receive_body(req, writer, length)
            etag = writer.etag
            sent = req.headers.get('ETag', '').strip('"').lower()
            if sent and sent != etag:
                raise HTTPError(422)
            metadata = {'X-Timestamp': timestamp.internal,
                        'Content-Type': req.headers['Content-Type'],
                        'Content-Length': str(writer.bytes_written),
                        'ETag': etag}
            metadata.update(self._metadata_headers(req, sysmeta=True))
            metadata['name'] = df.name
            writer.put(metadata)
        self._update_expirer_queue(req, df, orig.get('X-Delete-At'),
                                   delete_at, metadata['Content-Length'])
        update = {'X-Size': metadata['Content-Length'],
                  'X-Content-Type': metadata['Content-Type'],
                  'X-Etag': etag, 'X-Timestamp': timestamp.internal}
        apply_overrides(update, req.headers)
        self._container_update('PUT', df, req, update)
        return make_response(201, headers={'Etag': '"%s"' % etag})

    def _receive_body(self, req: Request, writer, length: Optional[int]
                      ) -> None:
        """Stream the body to disk; 408 on a stalled or endless upload,
        499 when the client goes away early (nothing is stored)."""
        stream = req.environ['wsgi.input']
        deadline = time.monotonic() + self.max_upload_time
        remaining = length
        while remaining is None or remaining > 0:
            want = self.network_chunk_size if remaining is None else \
                min(self.network_chunk_size, remaining)
            try:
                with Timeout(self.client_timeout):
                    chunk = stream.read(want)
            except Timeout:
                raise HTTPError(408) from None
            except (OSError, ValueError):
                raise HTTPError(499) from None
            if not chunk:
                break
            writer.write(chunk)
            if remaining is not None:
                remaining -= len(chunk)
            if time.monotonic() > deadline:
                raise HTTPError(408)
        if remaining:
            raise HTTPError(499)

    # -- GET / HEAD ------------------------------------------------------
    def _open_for_read(self, req: Request) -> DiskFile:
        df = self._diskfile(req)
        try:
            return df.open(open_expired=header_true(
                req, 'X-Backend-Open-Expired'))
        except DiskFileNotExist as err:
            status = evaluate(req.headers, None, None, exists=False) or 404
            headers = {}
            if isinstance(err, DiskFileDeleted) and err.timestamp:
                headers['X-Backend-Timestamp'] = err.timestamp.internal
            raise HTTPError(status, headers=headers) from None
        except DiskFileCollision:
            raise HTTPError(403) from None

    def _object_headers(self, df: DiskFile) -> Dict[str, str]:
        metadata = df.metadata
        headers = {'Content-Type': metadata.get('Content-Type',
                                                'application/octet-stream')}
        for key, value in metadata.items():
            if is_user_meta('object', key) or is_sys_meta('object', key) \
                    or is_object_transient_sysmeta(key) or \
                    key in self.allowed_headers:
                headers[key] = value
        headers.update({
            'Etag': '"%s"' % df.etag,
            'Last-Modified': http_date(math.ceil(float(df.timestamp))),
            'X-Timestamp': df.timestamp.normal,
            'X-Backend-Timestamp': df.timestamp.internal,
            'X-Backend-Data-Timestamp': df.data_timestamp.internal,
            'X-Backend-Durable-Timestamp': df.data_timestamp.internal,
        })
        return headers

    def HEAD(self, req: Request) -> Response:
        df = self._open_for_read(req)
        df.close()
        headers = self._object_headers(df)
        status = evaluate(req.headers, conditional_etag(req, df),
                          math.ceil(float(df.timestamp)))
        resp = make_response(status or 200, b'', headers)
        resp.content_length = 0 if status else df.content_length
        return resp

    def GET(self, req: Request) -> Response:
        df = self._open_for_read(req)
        headers = self._object_headers(df)
        status = evaluate(req.headers, conditional_etag(req, df),
                          math.ceil(float(df.timestamp)))
        if status:
            df.close()
            return make_response(status, b'', headers)
        length = df.content_length
        range_header = req.headers.get('Range')
        ignore_if = req.headers.get(IGNORE_RANGE_HEADER, '')
        if any(name.strip().lower() in (k.lower() for k in df.metadata)
               for name in ignore_if.split(',') if name.strip()):
            # a large-object manifest: the middleware applies the range to
            # the whole object, so it needs the manifest whole
            range_header = None
        try:
            ranges = parse_range(range_header, length)
        except UnsatisfiableRange:
            df.close()
            headers['Content-Range'] = 'bytes */%d' % length
            return make_response(416, headers={
                'Content-Range': headers['Content-Range']})
        reader = df.reader()
        resp = Response(status='200 OK', headerlist=[])
        for key, value in headers.items():
            resp.headers[key] = value
        if ranges is None:
            resp.app_iter = reader
            resp.content_length = length
        elif len(ranges) == 1:
            first, last = ranges[0]
            resp.status = '206 Partial Content'
            resp.headers['Content-Range'] = content_range(first, last,
                                                          length)
            resp.app_iter = _closing(reader.read_range(first, last), reader)
            resp.content_length = last - first + 1
        else:
            boundary = uuid.uuid4().hex
            parts = multipart_parts(ranges, length, headers['Content-Type'],
                                    boundary)
            resp.status = '206 Partial Content'
            resp.headers['Content-Type'] = \
                'multipart/byteranges;boundary=%s' % boundary
            resp.app_iter = _closing(multipart_body(
                parts, boundary, reader.read_range), reader)
            resp.content_length = multipart_length(parts, boundary)
        return resp

    # -- POST ------------------------------------------------------------
    def POST(self, req: Request) -> Response:
        df = self._diskfile(req)
        timestamp = request_timestamp(req)
        delete_at = self._check_delete_at(req)
        problem = constraints.check_metadata(req.headers, 'object')
        if problem:
            raise text_error(400, problem)
        orig, orig_timestamp, live = self._open_existing(df)
        if not live:
            headers = {}
            if orig_timestamp is not None:
                headers['X-Backend-Timestamp'] = orig_timestamp.internal
            raise HTTPError(404, headers=headers)
        if orig_timestamp >= timestamp:
            raise HTTPError(409, headers={
                'X-Backend-Timestamp': orig_timestamp.internal})
        metadata = {'X-Timestamp': timestamp.internal}
        metadata.update(self._metadata_headers(req, sysmeta=False))
        content_type = orig.get('Content-Type', '')
        ctype_timestamp = df.content_type_timestamp
        if header_value(req, 'Content-Type') is not None:
            content_type = req.headers['Content-Type']
            ctype_timestamp = timestamp
            metadata['Content-Type'] = content_type
            metadata['Content-Type-Timestamp'] = timestamp.internal
        metadata['name'] = df.name
        df.write_metadata(metadata)
        self._update_expirer_queue(req, df, orig.get('X-Delete-At'),
                                   delete_at, orig.get('Content-Length'))
        update = {'X-Size': orig['Content-Length'], 'X-Etag': orig['ETag'],
                  'X-Content-Type': content_type,
                  'X-Timestamp': df.data_timestamp.internal,
                  'X-Content-Type-Timestamp': ctype_timestamp.internal,
                  'X-Meta-Timestamp': timestamp.internal}
        apply_overrides(update, orig, req.headers)
        self._container_update('PUT', df, req, update)
        headers = {'X-Backend-Content-Type': content_type}
        headers.update({k: v for k, v in orig.items()
                        if is_sys_meta('object', k)})
        return make_response(202, ACCEPTED_BODY, headers,
                             content_type='text/html; charset=UTF-8')

    # -- DELETE ----------------------------------------------------------
    def DELETE(self, req: Request) -> Response:
        df = self._diskfile(req)
        timestamp = request_timestamp(req)
        orig, orig_timestamp, live = self._open_existing(
            df, open_expired=True)
        if live and orig.get('X-Delete-At') and \
                int(orig['X-Delete-At']) <= time.time():
            live = False  # expired: deleting it again is a 404
        if_delete_at = req.headers.get('X-If-Delete-At')
        if if_delete_at is not None:
            if not if_delete_at.strip().isdigit():
                raise text_error(400, 'Bad X-If-Delete-At header value')
            if not orig:
                raise HTTPError(404)
            if orig_timestamp >= timestamp:
                raise HTTPError(409, headers={
                    'X-Backend-Timestamp': orig_timestamp.internal})
            if normalize_delete_at_timestamp(if_delete_at) != \
                    orig.get('X-Delete-At'):
                raise text_error(412, 'X-If-Delete-At and X-Delete-At do '
                                      'not match')
        if orig_timestamp is not None and orig_timestamp >= timestamp:
            raise HTTPError(409, headers={
                'X-Backend-Timestamp': orig_timestamp.internal})
        df.delete(timestamp)
        clean_queue = req.headers.get(
            'X-Backend-Clean-Expiring-Object-Queue', 't').lower() not in \
            ('no', 'false', 'f', '0', 'off')
        if orig.get('X-Delete-At') and clean_queue:
            # (the expirer removes the queue row itself)
            self._expirer_update('DELETE', orig['X-Delete-At'], df, req,
                                 None)
        self._container_update('DELETE', df, req,
                               {'X-Timestamp': timestamp.internal})
        headers = {'X-Backend-Timestamp': timestamp.internal,
                   'X-Backend-Content-Type': orig.get('Content-Type', '')}
        return make_response(204 if live else 404, headers=headers)

    # -- REPLICATE -------------------------------------------------------
    def REPLICATE(self, req: Request) -> Response:
        device, partition, suffix_part = split_backend_path(req, 2, 3, True)
        policy = policy_index(req, self.policies)
        dev_path = self.mgr.get_dev_path(device)
        if dev_path is None:
            raise HTTPError(507, drive=device)
        suffixes = [s for s in (suffix_part or '').split('-') if s]
        if any(not is_suffix(s) for s in suffixes):
            raise text_error(400, 'Invalid suffix')
        if suffixes:
            part_dir = self.mgr.partition_path(dev_path, partition, policy)
            if os.path.isdir(part_dir):
                invalidate_suffixes(part_dir, suffixes)
            return make_response(200, pickle.dumps(None, PICKLE_PROTOCOL),
                                 content_type='application/octet-stream')
        part_dir = self.mgr.partition_path(dev_path, partition, policy)
        # the replicator rsyncs into it next: it must exist (Swift's way)
        os.makedirs(part_dir, exist_ok=True)
        hashes = self.mgr.get_hashes(device, partition, policy_index=policy)
        return make_response(200, pickle.dumps(hashes, PICKLE_PROTOCOL),
                             content_type='application/octet-stream')


def _closing(iterator: Iterator[bytes], reader) -> Iterator[bytes]:
    try:
        yield from iterator
    finally:
        reader.close()


def app_factory(global_conf: Dict[str, str], **local_conf: str
                ) -> ObjectController:
    """paste.deploy entry point (``use = egg:swiftlike#object``)."""
    conf = dict(global_conf)
    conf.update(local_conf)
    return ObjectController(conf)

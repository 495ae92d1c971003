"""Object requests: streaming PUT to every primary, streaming GET from the
first good node, POST and DELETE to all with quorum."""
from __future__ import annotations

import math
import mimetypes
import time
from typing import Dict, Iterator, List, Optional, Tuple

from webob import Request, Response

from swiftlike.common import constraints
from swiftlike.common.backend_http import (
    BackendConnection,
    BackendError,
    spread_nodes,
)
from swiftlike.common.backend_request import (
    HTTPError,
    make_response,
    text_error,
)
from swiftlike.common.concurrency import GreenPool, Timeout
from swiftlike.common.config import config_true_value
from swiftlike.common.expiring import expirer_container
from swiftlike.common.http import http_date
from swiftlike.common.timestamps import Timestamp
from swiftlike.common.utils import quorum_size
from swiftlike.proxy.controllers.base import (
    Controller,
    Result,
    client_headers,
    collect_answers,
    resumable_span,
    source_timestamp,
)
from swiftlike.proxy.error_limiter import node_key
from swiftlike.proxy.quorum import best_response

POLICY_HEADER = 'X-Backend-Storage-Policy-Index'
#: environ flag of middleware allowed to set swift_* content-type params
CONTENT_TYPE_OVERRIDDEN = 'swift.content_type_overridden'
#: conditions dropped when resuming a GET (If-Match on the ETag replaces them)
CONDITIONAL_HEADERS = ('if-match', 'if-none-match', 'if-modified-since',
                       'if-unmodified-since', 'range')
DEFAULT_CONTENT_TYPE = 'application/octet-stream'


class ShortBodyError(Exception):
    """An object body could not be sent whole (no node could resume it)."""


class ObjectController(Controller):
    server_type = 'Object'

    def _path(self) -> str:
        return '/%s/%s/%s' % (self.account, self.container, self.obj)

    def _placement(self, req: Request):
        """(container info, object ring, partition), once the request is
        authorized against the container's ACL; 404 without a container.
        """
        info = self.container_info(req)
        acl = info.get('read_acl') if req.method in ('GET', 'HEAD') \
            else info.get('write_acl')
        denied = self.authorize(req, acl)
        if denied is not None:
            raise HTTPError(denied.status_code, denied.body or None,
                            {k: v for k, v in denied.headers.items()
                             if k.lower() == 'www-authenticate'})
        if info['status'] // 100 != 2:
            raise HTTPError(404)
        ring = self.app.object_ring(info['storage_policy'])
        return info, ring, ring.get_part(self.account, self.container,
                                         self.obj)

    def _update_headers(self, req: Request, info, count: int,
                        timestamp: str) -> List[Dict[str, str]]:
        """Each object node updates one container replica (spread
        round-robin), as the proxy tells it; with X-Delete-At, also one
        replica of the expirer queue container (in reverse order)."""
        updates = spread_nodes(info['nodes'], info['partition'], count,
                               'Container')
        for update in updates:
            update.update({'X-Timestamp': timestamp,
                           POLICY_HEADER: str(info['storage_policy'])})
        delete_at = req.headers.get('X-Delete-At')
        if delete_at and delete_at.isdigit():
            queue = expirer_container(delete_at, self.account,
                                      self.container, self.obj,
                                      self.app.expirer_divisor)
            part, nodes = self.app.container_ring.get_nodes(
                self.app.expiring_account, queue)
            targets = spread_nodes(nodes, part, count, 'Delete-At')
            for update, target in zip(updates, reversed(targets)):
                update.update(target, **{'X-Delete-At-Container': queue})
        return updates

    # -- GET / HEAD --------------------------------------------------------
    def GETorHEAD(self, req: Request) -> Response:
        info, ring, part = self._placement(req)
        headers = self.backend_headers(
            req, {POLICY_HEADER: str(info['storage_policy'])})
        nodes = self.node_iter(ring, part)
        newest = config_true_value(req.headers.get('X-Newest', ''))
        collected: List[Result] = []
        source = self._find_source(req, nodes, part, headers, collected,
                                   newest)
        if source is not None:
            node, conn, resp = source
            if resp.status < 400:
                return self._stream(req, conn, resp, nodes, part, headers)
            body = resp.read()  # 412, 416...: the request's answer
            conn.close()
            return make_response(resp.status, body or None,
                                 client_headers(dict(resp.getheaders())),
                                 content_type=resp.getheader('Content-Type'))
        if not collected:
            return make_response(503)
        status, headers, body = min(collected,
                                    key=lambda r: (r[0] >= 500, r[0]))
        return make_response(status, body or None, client_headers(headers),
                             content_type=headers.get('Content-Type'))

    GET = HEAD = GETorHEAD

    def _open(self, req: Request, node: Dict, part: int,
              headers: Dict[str, str]):
        """(conn, response) from one node, or None (error counted)."""
        try:
            conn = BackendConnection(
                node['ip'], node['port'], req.method,
                '/%s/%d%s' % (node['device'], part, self._path()),
                headers, self.app.conn_timeout, self.app.node_timeout)
            conn.node_timeout = self.app.recoverable_node_timeout
            return conn, conn.response()
        except BackendError as err:
            self.app.logger.error('ERROR with Object server %s: %s',
                                  node_key(node), err)
            self.app.limiter.error_occurred(node)
            return None

    def _find_source(self, req: Request, nodes, part: int,
                     headers: Dict[str, str], collected: List[Result],
                     newest: bool):
        """The node to answer from: the first with a usable answer (with
        X-Newest, the newest of all), unless a 404 seen on the way carries
        a newer tombstone. Unusable answers go to ``collected``."""
        best = None
        tombstone = None
        for node in nodes:
            opened = self._open(req, node, part, headers)
            if opened is None:
                continue
            conn, resp = opened
            status = resp.status
            if status < 400 or (status < 500 and status != 404):
                candidate = (source_timestamp(resp), node, conn, resp)
                if best is None or candidate[0] > best[0]:
                    if best is not None:
                        best[2].close()
                    best = candidate
                else:
                    conn.close()
                if not newest:
                    break
                continue
            body = resp.read()
            conn.close()
            if status == 507:
                self.app.limiter.insufficient_storage(node)
            elif status >= 500:
                self.app.limiter.error_occurred(node)
            elif resp.getheader('X-Backend-Timestamp'):
                stamp = Timestamp(resp.getheader('X-Backend-Timestamp'))
                tombstone = max(tombstone or stamp, stamp)
            collected.append((status, dict(resp.getheaders()), body))
        if best is None:
            return None
        if tombstone is not None and best[0] is not None and \
                tombstone > best[0]:
            best[2].close()  # deleted since: the 404s are the answer
            return None
        return best[1:]

    def _stream(self, req: Request, conn: BackendConnection, resp,
                nodes, part: int, headers: Dict[str, str]) -> Response:
        answer_headers = client_headers(dict(resp.getheaders()))
        out = Response(status='%d %s' % (resp.status, resp.reason),
                       headerlist=[])
        for key, value in answer_headers.items():
            out.headers[key] = value
        out.headers['Accept-Ranges'] = 'bytes'
        if req.method == 'GET':
            out.app_iter = self._body(req, conn, resp, nodes, part,
                                      headers)
        else:
            out.app_iter = [b'']
            conn.close()
        length = resp.getheader('Content-Length')
        if length is not None:  # after app_iter, which resets it
            out.content_length = int(length)
        return out

    def _body(self, req: Request, conn: BackendConnection, resp, nodes,
              part: int, headers: Dict[str, str]) -> Iterator[bytes]:
        """The source's bytes; if the node fails mid-body, the rest from
        the next node that has the same ETag, asked with a Range."""
        span = resumable_span(resp)
        expected = resp.getheader('Content-Length')
        expected = int(expected) if expected is not None else None
        etag = resp.getheader('Etag')
        sent = 0
        try:
            while True:
                try:
                    chunk = conn.read(self.app.object_chunk_size)
                    if not chunk and expected is not None and \
                            sent < expected:
                        raise BackendError('%s ended after %d of %d bytes'
                                           % (conn.label, sent, expected))
                except BackendError as err:
                    self.app.logger.error('ERROR reading object: %s', err)
                    conn.close()
                    if span is not None and etag:
                        conn = self._resume(req, nodes, part, headers, etag,
                                            span[0] + sent, span[1])
                    if conn is None or span is None or not etag:
                        # the client must see the failure: its connection
                        # is closed short of Content-Length
                        raise ShortBodyError(str(err)) from None
                    continue
                if not chunk:
                    return
                sent += len(chunk)
                yield chunk
        finally:
            if conn is not None:
                conn.close()

    def _resume(self, req: Request, nodes, part: int,
                headers: Dict[str, str], etag: str, first: int,
                last: int) -> Optional[BackendConnection]:
        headers = {k: v for k, v in headers.items()
                   if k.lower() not in CONDITIONAL_HEADERS}
        headers.update({'Range': 'bytes=%d-%d' % (first, last),
                        'If-Match': etag})
        for node in nodes:
            opened = self._open(req, node, part, headers)
            if opened is None:
                continue
            conn, resp = opened
            if resp.status == 206:
                self.app.logger.info('Resuming GET from %s at byte %d',
                                     node_key(node), first)
                return conn
            conn.close()
        self.app.logger.error('ERROR no node could resume the GET at '
                              'byte %d', first)
        return None

    # -- PUT ---------------------------------------------------------------
    def _check_put(self, req: Request) -> Optional[int]:
        chunked = req.headers.get('Transfer-Encoding', '').lower() == \
            'chunked'
        length = req.content_length
        if length is None and not chunked:
            raise text_error(411, 'Missing Content-Length header.')
        if length is not None and length > constraints.MAX_FILE_SIZE:
            raise text_error(413, 'Your request is too large.')
        if_none_match = req.headers.get('If-None-Match')
        if if_none_match is not None and if_none_match.strip() != '*':
            raise text_error(400, 'If-None-Match only supports *')
        for problem in (constraints.check_object_name(self.obj),
                        constraints.check_metadata(req.headers, 'object'),
                        self._check_content_type(req)):
            if problem:
                raise text_error(400, problem)
        self._apply_delete_headers(req)
        return length

    @staticmethod
    def _check_content_type(req: Request) -> Optional[str]:
        """Clients may not send swift_* parameters; middleware that sets
        them (slo's swift_bytes) says so in the environ."""
        if req.environ.get(CONTENT_TYPE_OVERRIDDEN):
            return None
        return constraints.check_content_type(
            req.headers.get('Content-Type', ''))

    @staticmethod
    def _apply_delete_headers(req: Request) -> None:
        """Validate X-Delete-At/-After; the object server gets X-Delete-At.
        """
        delete_at, problem = constraints.check_delete_headers(
            req.headers, time.time())
        if problem:
            raise text_error(400, problem)
        if delete_at is not None:
            req.headers['X-Delete-At'] = delete_at
            req.headers.pop('X-Delete-After', None)

    def _connect(self, ring, part: int, headers_list, length
                 ) -> Tuple[List[BackendConnection], List[int]]:
        """A connection per primary that said ``100 Continue``; a node
        that answers otherwise (507, 409, 412) is replaced by the next.
        Returns the connections and the refusals' statuses."""
        conns, refusals = [], []
        nodes = self.node_iter(ring, part)

        def connect(headers: Dict[str, str]) -> None:
            for node in nodes:
                try:
                    conn = BackendConnection(
                        node['ip'], node['port'], 'PUT',
                        '/%s/%d%s' % (node['device'], part, self._path()),
                        headers, self.app.conn_timeout,
                        self.app.node_timeout, chunked=length is None,
                        # an empty body has nothing to wait for: a server
                        # may answer at once instead of with 100
                        expect_continue=length != 0)
                except BackendError as err:
                    self.app.logger.error('ERROR with Object server %s: %s',
                                          node_key(node), err)
                    self.app.limiter.error_occurred(node)
                    continue
                if conn.expect_status in (None, 100):
                    conns.append(conn)
                    break
                conn.close()
                refusals.append(conn.expect_status)
                if conn.expect_status == 507:
                    self.app.limiter.insufficient_storage(node)
                elif conn.expect_status >= 500:
                    self.app.limiter.error_occurred(node)
                elif 400 <= conn.expect_status < 500:
                    break  # an answer about the request, not the node

        # all primaries at once, each walking the shared handoff list
        pool = GreenPool(len(headers_list))
        for headers in headers_list:
            pool.spawn(connect, headers)
        pool.waitall()
        return conns, refusals

    def PUT(self, req: Request) -> Response:
        length = self._check_put(req)
        info, ring, part = self._placement(req)
        timestamp = Timestamp.now()
        replicas = len(ring.get_part_nodes(part))
        content_type = req.headers.get('Content-Type') or \
            mimetypes.guess_type(self.obj)[0] or DEFAULT_CONTENT_TYPE
        headers_list = [self.backend_headers(req, dict(
            update, **{'Content-Type': content_type}, **(
                {'Content-Length': str(length)} if length is not None
                else {})))
            for update in self._update_headers(req, info, replicas,
                                               timestamp.internal)]
        conns, refusals = self._connect(ring, part, headers_list, length)
        quorum = quorum_size(replicas)
        answers = [s for s in refusals if 400 <= s < 500 and s != 404]
        if len(conns) < quorum or answers:
            for conn in conns:
                conn.close()
            if 409 in answers:  # an equal or newer version exists
                return make_response(202)
            if answers:  # 412 (If-None-Match: *) or a refused request
                return make_response(answers[0])
            return make_response(503)
        conns = self._send_body(req, conns, length, quorum)
        return self._put_answer(conns, replicas, timestamp)

    def _send_body(self, req: Request, conns: List[BackendConnection],
                   length: Optional[int], quorum: int
                   ) -> List[BackendConnection]:
        stream = req.environ['wsgi.input']
        received = 0
        while length is None or received < length:
            want = self.app.client_chunk_size if length is None else \
                min(self.app.client_chunk_size, length - received)
            try:
                with Timeout(self.app.client_timeout):
                    chunk = stream.read(want)
            except Timeout:
                raise HTTPError(408) from None
            except (OSError, ValueError):
                raise HTTPError(499) from None
            if not chunk:
                break
            received += len(chunk)
            conns = self._send_all(conns, chunk)
            if len(conns) < quorum:
                raise HTTPError(503)
        if length is not None and received < length:
            raise HTTPError(499)
        if length is None:
            conns = self._send_all(conns, b'')
        return conns

    def _send_all(self, conns: List[BackendConnection], chunk: bytes
                  ) -> List[BackendConnection]:
        alive = []
        for conn in conns:
            try:
                conn.send(chunk)
                alive.append(conn)
            except BackendError as err:
                self.app.logger.error('ERROR sending to %s: %s',
                                      conn.label, err)
                conn.close()
        return alive

    def _put_answer(self, conns: List[BackendConnection], replicas: int,
                    timestamp: Timestamp) -> Response:
        answers = self._collect_answers(conns, quorum_size(replicas))
        statuses = [s for s, _ in answers]
        statuses += [503] * (replicas - len(statuses))
        etags = {h.get('Etag', '').strip('"') for s, h in answers
                 if 200 <= s < 300}
        if len(etags) > 1:
            return make_response(500)
        choice = best_response(statuses, quorum_size(replicas))
        if choice is None:
            return make_response(503)
        status = choice[1]
        if status == 409:  # an equal or newer version already exists
            return make_response(202)
        headers = {}
        if 200 <= status < 300:
            headers = {'Etag': etags.pop(),
                       'Last-Modified': http_date(
                           math.ceil(float(timestamp)))}
        return make_response(status, b'' if status < 300 else None,
                             headers)

    def _collect_answers(self, conns: List[BackendConnection], quorum: int
                         ) -> List[Tuple[int, Dict[str, str]]]:
        """The nodes' final answers; once a quorum agrees, stragglers get
        ``post_quorum_timeout`` more seconds (a slow disk must not hold up
        every PUT)."""
        def wait(conn: BackendConnection):
            try:
                resp = conn.response()
                resp.read()
                return resp.status, dict(resp.getheaders())
            except BackendError as err:
                self.app.logger.error('ERROR %s', err)
                return None
            finally:
                conn.close()

        answers = collect_answers(
            [lambda conn=conn: wait(conn) for conn in conns], quorum,
            self.app.post_quorum_timeout, lambda answer: answer[0])
        if len(answers) < len(conns):
            self.app.logger.info('%d object server(s) still busy after '
                                 'the quorum answered',
                                 len(conns) - len(answers))
        return answers

    # -- POST / DELETE -----------------------------------------------------
    def _write_all(self, req: Request, method: str,
                   overrides: Optional[Dict[int, int]] = None) -> Response:
        info, ring, part = self._placement(req)
        replicas = len(ring.get_part_nodes(part))
        timestamp = Timestamp(time.time()).internal
        headers_list = [self.backend_headers(req, update) for update in
                        self._update_headers(req, info, replicas, timestamp)]
        results = self.make_requests(ring, part, method, self._path(),
                                     headers_list)
        return self.best(results, replicas, overrides)

    def POST(self, req: Request) -> Response:
        problem = constraints.check_metadata(req.headers, 'object') or \
            self._check_content_type(req)
        if problem:
            raise text_error(400, problem)
        self._apply_delete_headers(req)
        return self._write_all(req, 'POST')

    def DELETE(self, req: Request) -> Response:
        return self._write_all(req, 'DELETE', overrides={404: 204})

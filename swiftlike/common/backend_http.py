"""Plain HTTP/1.1 requests from one storage node to another.

Used for container updates, account updates and replication calls. Every
call is bounded: ``conn_timeout`` to connect, ``node_timeout`` for the
answer, so a dead peer costs a known amount of time.
"""
from __future__ import annotations

import http.client
from typing import Dict, List, Optional, Tuple
from urllib.parse import quote

from swiftlike.common.concurrency import Timeout

DEFAULT_CONN_TIMEOUT = 0.5
DEFAULT_NODE_TIMEOUT = 3.0


class BackendError(Exception):
    """The peer could not be reached or did not answer in time."""


def quote_path(path: str) -> str:
    """Percent-encode once, leaving ``/`` and unreserved characters."""
    return quote(path.encode('utf-8') if isinstance(path, str) else path,
                 safe='/')


def split_host(host: str) -> Tuple[str, int]:
    """``ip:port`` or ``[v6]:port`` into (ip, port)."""
    ip, _, port = host.rpartition(':')
    return ip.strip('[]'), int(port)


def spread_nodes(nodes: List[Dict], partition: int, count: int,
                 prefix: str) -> List[Dict[str, str]]:
    """``X-<prefix>-Host/-Device/-Partition`` for ``count`` requests, the
    nodes assigned round-robin: request i updates node i mod len(nodes).
    (How the proxy and the daemons tell each replica which container or
    account replica to update; :func:`split_host` reads the host back.)"""
    return [{'X-%s-Host' % prefix: '%s:%s' % (node['ip'], node['port']),
             'X-%s-Device' % prefix: node['device'],
             'X-%s-Partition' % prefix: str(partition)}
            for node in (nodes[i % len(nodes)] for i in range(count))]


def request_target(path: str, query: str = '') -> str:
    """The quoted path, plus the (already encoded) query string."""
    return quote_path(path) + ('?' + query if query else '')


def backend_request(ip: str, port: int, method: str, path: str,
                    headers: Optional[Dict[str, str]] = None,
                    body: bytes = b'',
                    conn_timeout: float = DEFAULT_CONN_TIMEOUT,
                    node_timeout: float = DEFAULT_NODE_TIMEOUT,
                    query: str = '') -> Tuple[int, Dict[str, str], bytes]:
    """(status, headers, body) of one request; BackendError on failure."""
    conn = http.client.HTTPConnection(ip, port)
    try:
        with Timeout(conn_timeout, BackendError(
                'connect to %s:%s timed out' % (ip, port))):
            conn.connect()
        with Timeout(node_timeout, BackendError(
                '%s %s:%s%s timed out' % (method, ip, port, path))):
            conn.request(method, request_target(path, query), body=body,
                         headers=dict(headers or {}))
            response = conn.getresponse()
            data = response.read()
        return response.status, dict(response.getheaders()), data
    except (OSError, http.client.HTTPException) as err:
        raise BackendError('%s %s:%s%s: %s' % (method, ip, port, path,
                                                err)) from None
    finally:
        conn.close()


class BackendConnection:
    """One streaming request to a storage node, for object PUT and GET.

    Headers go out at construction; ``send`` writes body chunks (chunked
    transfer encoding when ``chunked``); ``response`` waits for the status;
    ``read`` streams the answer. Every wait is bounded by ``node_timeout``.
    """

    def __init__(self, ip: str, port: int, method: str, path: str,
                 headers: Dict[str, str],
                 conn_timeout: float = DEFAULT_CONN_TIMEOUT,
                 node_timeout: float = DEFAULT_NODE_TIMEOUT,
                 chunked: bool = False, expect_continue: bool = False,
                 query: str = '') -> None:
        self.node_timeout = node_timeout
        self.chunked = chunked
        #: with expect_continue: 100, or the final status sent instead
        self.expect_status: Optional[int] = None
        self.label = '%s %s:%s%s' % (method, ip, port, path)
        self.conn = http.client.HTTPConnection(ip, port)
        self._resp: Optional[http.client.HTTPResponse] = None
        try:
            with Timeout(conn_timeout, BackendError(
                    'connect for %s timed out' % self.label)):
                self.conn.connect()
            self.conn.putrequest(method, request_target(path, query),
                                 skip_accept_encoding=True)
            for key, value in headers.items():
                self.conn.putheader(key, value)
            if chunked:
                self.conn.putheader('Transfer-Encoding', 'chunked')
            if expect_continue:
                self.conn.putheader('Expect', '100-continue')
            with Timeout(node_timeout, BackendError(
                    'sending headers for %s timed out' % self.label)):
                self.conn.endheaders()
                if expect_continue:
                    self.expect_status = self._interim_status()
        except (OSError, http.client.HTTPException) as err:
            self.close()
            raise BackendError('%s: %s' % (self.label, err)) from None

    def _interim_status(self) -> int:
        """Read the answer to ``Expect: 100-continue``: 100 means send the
        body; anything else is the node's final answer (507, 409...)."""
        reader = self.conn.sock.makefile('rb', buffering=0)
        line = reader.readline(65537)
        parts = line.split(None, 2)
        if len(parts) < 2 or not parts[1].isdigit():
            raise BackendError('%s: bad status line %r' % (self.label,
                                                           line))
        status = int(parts[1])
        if status == 100:
            while reader.readline(65537) not in (b'\r\n', b'\n', b''):
                pass
        return status

    def send(self, chunk: bytes) -> None:
        """Send body bytes; an empty chunk ends a chunked body."""
        data = b'%x\r\n%s\r\n' % (len(chunk), chunk) if self.chunked \
            else chunk
        try:
            with Timeout(self.node_timeout, BackendError(
                    'send for %s timed out' % self.label)):
                self.conn.sock.sendall(data)
        except OSError as err:
            raise BackendError('%s: %s' % (self.label, err)) from None

    def response(self) -> http.client.HTTPResponse:
        if self._resp is None:
            try:
                with Timeout(self.node_timeout, BackendError(
                        'no answer to %s in %ss' % (self.label,
                                                     self.node_timeout))):
                    self._resp = self.conn.getresponse()
            except (OSError, http.client.HTTPException) as err:
                raise BackendError('%s: %s' % (self.label, err)) from None
        return self._resp

    def read(self, size: int) -> bytes:
        try:
            with Timeout(self.node_timeout, BackendError(
                    'read for %s timed out' % self.label)):
                return self.response().read(size)
        except (OSError, http.client.HTTPException) as err:
            raise BackendError('%s: %s' % (self.label, err)) from None

    def close(self) -> None:
        self.conn.close()

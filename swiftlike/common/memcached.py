"""A memcached client shared by the proxy's workers (tokens, account and
container info).

Keys are the MD5 of the caller's key, values JSON (flag 2), as Swift stores
them, so a memcached pool can be shared with Swift proxies during a
migration. A key lives on one server picked by a consistent hash ring and
falls over to the next servers when that one fails; a server failing
``error_limit_count`` times within ``error_limit_time`` seconds is skipped
for ``error_limit_duration`` seconds. A cache must never fail a request: on
any error reads return None and writes are dropped.
"""
from __future__ import annotations

import bisect
import hashlib
import json
import logging
import socket
import time
from typing import Any, Dict, List, Optional, Tuple

DEFAULT_PORT = 11211
DEFAULT_SERVERS = '127.0.0.1:%d' % DEFAULT_PORT
DEFAULT_MAX_CONNECTIONS = 2
DEFAULT_CONNECT_TIMEOUT = 0.3
DEFAULT_IO_TIMEOUT = 2.0
DEFAULT_TRIES = 3
#: points per server on the consistent-hash ring
NODE_WEIGHT = 50
JSON_FLAG = 2
#: memcached reads an expiry above 30 days as an absolute Unix time
RELATIVE_EXPIRY_LIMIT = 30 * 24 * 60 * 60
ERROR_LIMIT_COUNT = 10
ERROR_LIMIT_TIME = 60.0
ERROR_LIMIT_DURATION = 60.0


class MemcacheError(Exception):
    """A server could not be reached or answered nonsense."""


# -- pure helpers ------------------------------------------------------------
def hash_key(key: str) -> bytes:
    return hashlib.md5(key.encode('utf-8')).hexdigest().encode('ascii')


def parse_servers(value: str) -> List[Tuple[str, int]]:
    """``host[:port], ...`` (``[v6]:port`` too) -> [(host, port)]."""
    servers = []
    for item in value.split(','):
        item = item.strip()
        if not item:
            continue
        if item.startswith('['):
            host, _, rest = item[1:].partition(']')
            port = rest.lstrip(':') or DEFAULT_PORT
        elif item.count(':') == 1:
            host, port = item.split(':')
        else:
            host, port = item, DEFAULT_PORT
        servers.append((host, int(port)))
    return servers


def expiry(seconds: float, now: Optional[float] = None) -> int:
    """memcached's exptime for a lifetime of ``seconds``."""
    if seconds > RELATIVE_EXPIRY_LIMIT:
        return int((time.time() if now is None else now) + seconds)
    return int(seconds)


class HashRing:
    """Which servers, in order, hold a key."""

    def __init__(self, servers: List[Tuple[str, int]]) -> None:
        self.servers = servers
        points = {}
        for server in servers:
            for i in range(NODE_WEIGHT):
                points[hash_key('%s:%d-%d' % (server[0], server[1], i))] = \
                    server
        self._keys = sorted(points)
        self._servers = [points[k] for k in self._keys]

    def servers_for(self, hashed: bytes, tries: int) -> List[Tuple[str, int]]:
        found: List[Tuple[str, int]] = []
        if not self._keys:
            return found
        start = bisect.bisect(self._keys, hashed)
        for i in range(len(self._keys)):
            server = self._servers[(start + i) % len(self._keys)]
            if server not in found:
                found.append(server)
                if len(found) == min(tries, len(self.servers)):
                    break
        return found


# -- the client --------------------------------------------------------------
class _Connection:
    def __init__(self, server: Tuple[str, int], connect_timeout: float,
                 io_timeout: float) -> None:
        self.sock = socket.create_connection(server, connect_timeout)
        self.sock.settimeout(io_timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.reader = self.sock.makefile('rb')

    def call(self, command: bytes) -> bytes:
        self.sock.sendall(command)
        return self.readline()

    def readline(self) -> bytes:
        line = self.reader.readline()
        if not line.endswith(b'\r\n'):
            raise MemcacheError('connection closed')
        return line[:-2]

    def read_value(self, size: int) -> bytes:
        data = self.reader.read(size + 2)
        if len(data) != size + 2:
            raise MemcacheError('short value')
        return data[:-2]

    def close(self) -> None:
        try:
            self.reader.close()
            self.sock.close()
        except OSError:
            pass


class MemcacheRing:
    """get/set/delete/incr against a pool of memcached servers."""

    def __init__(self, servers: List[Tuple[str, int]],
                 max_connections: int = DEFAULT_MAX_CONNECTIONS,
                 connect_timeout: float = DEFAULT_CONNECT_TIMEOUT,
                 io_timeout: float = DEFAULT_IO_TIMEOUT,
                 tries: int = DEFAULT_TRIES,
                 logger: Optional[logging.Logger] = None) -> None:
        self.ring = HashRing(servers)
        self.max_connections = max_connections
        self.connect_timeout = connect_timeout
        self.io_timeout = io_timeout
        self.tries = tries
        self.logger = logger or logging.getLogger('swiftlike.memcached')
        self._idle: Dict[Tuple[str, int], List[_Connection]] = {
            s: [] for s in servers}
        self._errors: Dict[Tuple[str, int], List[float]] = {
            s: [] for s in servers}
        self._limited_until: Dict[Tuple[str, int], float] = {}

    # -- connections and errors --------------------------------------------
    def _connection(self, server: Tuple[str, int]) -> _Connection:
        idle = self._idle[server]
        if idle:
            return idle.pop()
        return _Connection(server, self.connect_timeout, self.io_timeout)

    def _release(self, server: Tuple[str, int], conn: _Connection) -> None:
        idle = self._idle[server]
        if len(idle) < self.max_connections:
            idle.append(conn)
        else:
            conn.close()

    def _error(self, server: Tuple[str, int], err: Exception) -> None:
        now = time.monotonic()
        errors = [t for t in self._errors[server]
                  if t > now - ERROR_LIMIT_TIME] + [now]
        self._errors[server] = errors
        self.logger.error('Error talking to memcached %s:%d: %s',
                          server[0], server[1], err)
        if len(errors) > ERROR_LIMIT_COUNT:
            self._limited_until[server] = now + ERROR_LIMIT_DURATION
            self._errors[server] = []
            self.logger.error('Error limiting memcached %s:%d', *server)

    def _run(self, key: str, operation) -> Any:
        """``operation(conn, hashed)`` on the key's servers in turn."""
        hashed = hash_key(key)
        now = time.monotonic()
        for server in self.ring.servers_for(hashed, self.tries):
            if self._limited_until.get(server, 0) > now:
                continue
            try:
                conn = self._connection(server)
            except OSError as err:
                self._error(server, err)
                continue
            try:
                result = operation(conn, hashed)
            except (OSError, MemcacheError, ValueError) as err:
                conn.close()
                self._error(server, err)
                continue
            self._release(server, conn)
            return result
        return None

    # -- the API -------------------------------------------------------------
    def get(self, key: str) -> Any:
        def op(conn: _Connection, hashed: bytes) -> Any:
            header = conn.call(b'get ' + hashed + b'\r\n')
            value = None
            while header != b'END':
                words = header.split()
                if len(words) != 4 or words[0] != b'VALUE':
                    raise MemcacheError('bad answer %r' % header[:60])
                data = conn.read_value(int(words[3]))
                value = json.loads(data) if int(words[2]) & JSON_FLAG \
                    else data
                header = conn.readline()
            return value
        return self._run(key, op)

    def set(self, key: str, value: Any, time: float = 0) -> None:
        data = json.dumps(value).encode('ascii')

        def op(conn: _Connection, hashed: bytes) -> bool:
            answer = conn.call(b'set %s %d %d %d\r\n%s\r\n' % (
                hashed, JSON_FLAG, expiry(time), len(data), data))
            if answer != b'STORED':
                raise MemcacheError('bad answer %r' % answer[:60])
            return True
        self._run(key, op)

    def delete(self, key: str) -> None:
        def op(conn: _Connection, hashed: bytes) -> bool:
            answer = conn.call(b'delete ' + hashed + b'\r\n')
            if answer not in (b'DELETED', b'NOT_FOUND'):
                raise MemcacheError('bad answer %r' % answer[:60])
            return True
        self._run(key, op)

    def incr(self, key: str, delta: int = 1, time: float = 0
             ) -> Optional[int]:
        """The new value; a missing key starts at ``delta``."""
        def op(conn: _Connection, hashed: bytes) -> int:
            answer = conn.call(b'incr %s %d\r\n' % (hashed, delta))
            if answer != b'NOT_FOUND':
                return int(answer)
            data = b'%d' % delta
            answer = conn.call(b'add %s 0 %d %d\r\n%s\r\n' % (
                hashed, expiry(time), len(data), data))
            if answer == b'NOT_STORED':  # another client added it first
                return int(conn.call(b'incr %s %d\r\n' % (hashed, delta)))
            return delta
        return self._run(key, op)

    def decr(self, key: str, delta: int = 1) -> Optional[int]:
        """The new value (memcached stops at 0); None if missing."""
        def op(conn: _Connection, hashed: bytes) -> Optional[int]:
            answer = conn.call(b'decr %s %d\r\n' % (hashed, delta))
            return None if answer == b'NOT_FOUND' else int(answer)
        return self._run(key, op)

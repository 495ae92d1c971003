"""Plain HTTP/1.1 requests from one storage node to another.

Used for container updates, account updates and replication calls. Every
call is bounded: ``conn_timeout`` to connect, ``node_timeout`` for the
answer, so a dead peer costs a known amount of time.
"""
from __future__ import annotations

import http.client
from typing import Dict, Optional, Tuple
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


def backend_request(ip: str, port: int, method: str, path: str,
                    headers: Optional[Dict[str, str]] = None,
                    body: bytes = b'',
                    conn_timeout: float = DEFAULT_CONN_TIMEOUT,
                    node_timeout: float = DEFAULT_NODE_TIMEOUT
                    ) -> Tuple[int, Dict[str, str], bytes]:
    """(status, headers, body) of one request; BackendError on failure."""
    conn = http.client.HTTPConnection(ip, port)
    try:
        with Timeout(conn_timeout, BackendError(
                'connect to %s:%s timed out' % (ip, port))):
            conn.connect()
        with Timeout(node_timeout, BackendError(
                '%s %s:%s%s timed out' % (method, ip, port, path))):
            conn.request(method, quote_path(path), body=body,
                         headers=dict(headers or {}))
            response = conn.getresponse()
            data = response.read()
        return response.status, dict(response.getheaders()), data
    except (OSError, http.client.HTTPException) as err:
        raise BackendError('%s %s:%s%s: %s' % (method, ip, port, path,
                                                err)) from None
    finally:
        conn.close()

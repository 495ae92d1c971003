"""Requests straight to the storage nodes of a ring, without a proxy.

The expirer and the reaper work on accounts and containers through this:
listings (every page), and deletes on every replica. Each call takes the
nodes to use, so callers keep control of the partition and handoffs.
"""
from __future__ import annotations

import json
from typing import Dict, Iterator, List, Optional, Tuple
from urllib.parse import urlencode

from swiftlike.common.backend_http import BackendError, backend_request
from swiftlike.common.exceptions import SwiftlikeError

DEFAULT_CONN_TIMEOUT = 0.5
DEFAULT_NODE_TIMEOUT = 10.0
LISTING_PAGE = 10000


class DirectClientError(SwiftlikeError):
    """No node gave a usable answer; ``status`` is the last one seen."""

    def __init__(self, message: str, status: int = 503) -> None:
        super().__init__(message)
        self.status = status


def _node_address(node: Dict) -> Tuple[str, int]:
    return node['ip'], node['port']


def direct_request(node: Dict, part: int, method: str, path: str,
                   headers: Optional[Dict[str, str]] = None,
                   query: str = '',
                   conn_timeout: float = DEFAULT_CONN_TIMEOUT,
                   node_timeout: float = DEFAULT_NODE_TIMEOUT
                   ) -> Tuple[int, Dict[str, str], bytes]:
    """One request to one node; BackendError when it cannot be reached."""
    ip, port = _node_address(node)
    return backend_request(ip, port, method, '/%s/%d%s' % (
        node['device'], part, path), headers or {}, b'', conn_timeout,
        node_timeout, query)


def direct_listing_page(nodes: List[Dict], part: int, path: str,
                        marker: str = '', limit: int = LISTING_PAGE,
                        **timeouts: float
                        ) -> Tuple[Dict[str, str], List[Dict]]:
    """(headers, rows) of one JSON listing page from the first node that
    has the DB; DirectClientError(404) when none has it."""
    query = urlencode({'format': 'json', 'marker': marker,
                       'limit': str(limit)})
    last = 503
    for node in nodes:
        try:
            status, headers, body = direct_request(node, part, 'GET', path,
                                                   query=query, **timeouts)
        except BackendError:
            continue
        last = status
        if status == 204:
            return headers, []
        if 200 <= status < 300:
            return headers, json.loads(body)
    raise DirectClientError('no listing of %s' % path, last)


def direct_listing(nodes: List[Dict], part: int, path: str,
                   **timeouts: float) -> Iterator[Dict]:
    """Every row of a listing, page after page."""
    marker = ''
    while True:
        _, rows = direct_listing_page(nodes, part, path, marker, **timeouts)
        if not rows:
            return
        yield from rows
        marker = rows[-1].get('name') or rows[-1].get('subdir')


def object_path(account: str, container: str, obj: str = '') -> str:
    """``/a/c[/o]`` (quoted when the request is sent)."""
    path = '/%s/%s' % (account, container)
    return path + '/' + obj if obj else path


def direct_delete_all(nodes: List[Dict], part: int, path: str,
                      headers_list: List[Dict[str, str]],
                      **timeouts: float) -> List[int]:
    """DELETE on every node (node i gets headers i); the statuses, 503 for
    a node that could not be reached."""
    statuses = []
    for node, headers in zip(nodes, headers_list):
        try:
            status, _, _ = direct_request(node, part, 'DELETE', path,
                                          headers, **timeouts)
        except BackendError:
            status = 503
        statuses.append(status)
    return statuses

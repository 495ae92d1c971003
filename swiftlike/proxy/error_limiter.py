"""Which nodes the proxy tries (pure): primaries, then handoffs, skipping
nodes that failed too often lately."""
from __future__ import annotations

import time
from typing import Callable, Dict, Iterable, Iterator, Sequence

#: Seconds a node's errors are remembered; more than the limit within it
#: and the node is skipped.
DEFAULT_ERROR_SUPPRESSION_INTERVAL = 60.0
DEFAULT_ERROR_SUPPRESSION_LIMIT = 10


def node_key(node: Dict) -> str:
    return '%s:%s/%s' % (node['ip'], node['port'], node['device'])


class ErrorLimiter:
    """Counts errors per node; skips nodes with too many recent errors.

    A 507 (unmounted drive) limits the node at once.
    """

    def __init__(self, limit: int = DEFAULT_ERROR_SUPPRESSION_LIMIT,
                 interval: float = DEFAULT_ERROR_SUPPRESSION_INTERVAL,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.limit = limit
        self.interval = interval
        self.clock = clock
        self.stats: Dict[str, Dict[str, float]] = {}

    def error_occurred(self, node: Dict) -> None:
        stat = self.stats.setdefault(node_key(node), {'errors': 0,
                                                      'last': 0.0})
        now = self.clock()
        if now - stat['last'] > self.interval:
            stat['errors'] = 0
        stat['errors'] += 1
        stat['last'] = now

    def insufficient_storage(self, node: Dict) -> None:
        """A 507: the drive is gone; stop sending to it right away."""
        self.stats[node_key(node)] = {'errors': self.limit + 1,
                                      'last': self.clock()}

    def is_limited(self, node: Dict) -> bool:
        stat = self.stats.get(node_key(node))
        if stat is None:
            return False
        if self.clock() - stat['last'] > self.interval:
            del self.stats[node_key(node)]
            return False
        return stat['errors'] > self.limit


def iter_nodes(primaries: Sequence[Dict], handoffs: Iterable[Dict],
               limiter: ErrorLimiter, request_node_count: int
               ) -> Iterator[Dict]:
    """Primaries then handoffs, skipping error-limited nodes, at most
    ``request_node_count`` nodes yielded."""
    yielded = 0
    for nodes in (primaries, handoffs):
        for node in nodes:
            if yielded >= request_node_count:
                return
            if limiter.is_limited(node):
                continue
            yielded += 1
            yield node

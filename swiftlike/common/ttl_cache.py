"""A bounded in-process cache whose entries expire, with memcache's calls.

Without memcache the proxy keeps account/container info and tempauth its
tokens here, one cache per worker process; the interface is the memcached
client's (get, set with a lifetime, delete, incr), so callers use
``environ['swift.cache']`` when the memcache middleware is in the pipeline
and this otherwise, with no other difference.
"""
from __future__ import annotations

import time
from collections import OrderedDict
from typing import Any, Callable, Hashable, Optional

DEFAULT_TTL = 60.0
DEFAULT_MAX_ENTRIES = 100000


class TTLCache:
    def __init__(self, ttl: float = DEFAULT_TTL,
                 max_entries: int = DEFAULT_MAX_ENTRIES,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl = ttl
        self.max_entries = max_entries
        self.clock = clock
        self._entries: OrderedDict[Hashable, tuple] = OrderedDict()

    def get(self, key: Hashable) -> Optional[Any]:
        entry = self._entries.get(key)
        if entry is None:
            return None
        expires, value = entry
        if self.clock() >= expires:
            del self._entries[key]
            return None
        return value

    def set(self, key: Hashable, value: Any,
            time: Optional[float] = None) -> None:
        """Keep ``value`` for ``time`` seconds (the cache's ttl if None,
        forever-ish if 0, as memcached reads 0)."""
        ttl = self.ttl if time is None else (time or float('inf'))
        self._entries[key] = (self.clock() + ttl, value)
        self._entries.move_to_end(key)
        while len(self._entries) > self.max_entries:
            self._entries.popitem(last=False)

    def delete(self, key: Hashable) -> None:
        self._entries.pop(key, None)

    def incr(self, key: Hashable, delta: int = 1,
             time: Optional[float] = None) -> int:
        value = (self.get(key) or 0) + delta
        self.set(key, value, time)
        return value

    def decr(self, key: Hashable, delta: int = 1) -> Optional[int]:
        value = self.get(key)
        if value is None:
            return None
        value = max(0, value - delta)
        self.set(key, value)
        return value

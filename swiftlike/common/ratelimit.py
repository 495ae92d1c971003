"""Pacing background work (auditors, updaters) so it never starves the
servers of the disks it reads."""
from __future__ import annotations

import time


class RateLimiter:
    """At most ``rate`` units per second on average (0: no limit)."""

    def __init__(self, rate: float, sleep=time.sleep,
                 clock=time.monotonic) -> None:
        self.rate = rate
        self.sleep = sleep
        self.clock = clock
        self.started = clock()
        self.count = 0.0

    def take(self, units: float = 1) -> None:
        if not self.rate:
            return
        self.count += units
        ahead = self.count / self.rate - (self.clock() - self.started)
        if ahead > 0:
            self.sleep(ahead)

"""ratelimit: caps write rates per account and per container, through
memcache so every proxy shares the counts.

``account_ratelimit`` (requests/s) limits container PUT/DELETE in an
account; ``container_ratelimit_<size>`` limits object writes in containers
of at least ``<size>`` objects (rates between sizes interpolated), and
``container_listing_ratelimit_<size>`` container GETs. A request is delayed
to keep the rate; one that would wait past ``max_sleep_time_seconds`` gets
``498 Rate Limited``. Blacklisted accounts get 497, whitelisted ones are
never limited.
"""
from __future__ import annotations

import time
from typing import Callable, Dict, List, Optional, Tuple

from webob import Request

from swiftlike.common.backend_request import make_response
from swiftlike.common.info import get_info
from swiftlike.common.logs import get_logger
from swiftlike.common.registry import register_swift_info
from swiftlike.common.utils import split_path

WRITE_METHODS = ('PUT', 'DELETE', 'POST')


def rate_points(conf: Dict[str, str], prefix: str
                ) -> List[Tuple[int, float]]:
    """(container size, rate) pairs from ``<prefix><size> = <rate>``."""
    points = []
    for key, value in conf.items():
        if key.startswith(prefix) and key[len(prefix):].isdigit():
            points.append((int(key[len(prefix):]), float(value)))
    return sorted(points)


def rate_for_size(points: List[Tuple[int, float]], size: int
                  ) -> Optional[float]:
    """The rate for a container of ``size`` objects: below the first point
    none; between two points a straight line; past the last, the last."""
    if not points or size < points[0][0]:
        return None
    for (low, low_rate), (high, high_rate) in zip(points, points[1:]):
        if low <= size < high:
            return low_rate + (high_rate - low_rate) * (size - low) / \
                (high - low)
    return points[-1][1]


class RateLimit:
    def __init__(self, app, conf: Dict[str, str],
                 clock: Callable[[], float] = time.time,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.app = app
        self.logger = get_logger(conf, 'proxy-server')
        self.clock = clock
        self.sleep = sleep
        self.account_rate = float(conf.get('account_ratelimit', 0))
        self.max_sleep = float(conf.get('max_sleep_time_seconds', 60))
        self.rate_buffer = float(conf.get('rate_buffer_seconds', 5))
        self.whitelist = [a.strip() for a in conf.get(
            'account_whitelist', '').split(',') if a.strip()]
        self.blacklist = [a.strip() for a in conf.get(
            'account_blacklist', '').split(',') if a.strip()]
        self.container_points = rate_points(conf, 'container_ratelimit_')
        self.listing_points = rate_points(conf,
                                          'container_listing_ratelimit_')
        register_swift_info('ratelimit', account_ratelimit=self.account_rate,
                            max_sleep_time_seconds=self.max_sleep,
                            container_ratelimits=self.container_points,
                            container_listing_ratelimits=self.listing_points)

    def __call__(self, environ, start_response):
        req = Request(environ)
        cache = environ.get('swift.cache')
        try:
            version, account, container, obj = split_path(
                req.path_info, 2, 4, True)
        except ValueError:
            return self.app(environ, start_response)
        if account in self.blacklist:
            return make_response(497, b'Your account has been blacklisted',
                                 content_type='text/plain')(
                environ, start_response)
        if cache is None or account in self.whitelist or not container:
            return self.app(environ, start_response)
        for key, rate in self._limits(req, version, account, container,
                                      obj):
            wait = self._wait(cache, key, rate)
            if wait is None:
                self.logger.error('Returning 498 for %s: rate %s exceeded',
                                  key, rate)
                return make_response(498, b'Slow down',
                                     content_type='text/html; '
                                     'charset=UTF-8')(environ,
                                                      start_response)
            if wait > 0:
                self.sleep(wait)
        return self.app(environ, start_response)

    def _limits(self, req: Request, version: str, account: str,
                container: str, obj: Optional[str]):
        limits = []
        if obj is None and req.method in ('PUT', 'DELETE') and \
                self.account_rate:
            limits.append(('ratelimit/%s' % account, self.account_rate))
        points = self.container_points if obj is not None and \
            req.method in WRITE_METHODS else self.listing_points \
            if obj is None and req.method == 'GET' else []
        if points:
            info = get_info(req.environ, self.app, version, account,
                            container)
            rate = rate_for_size(points, info.get('object_count', 0))
            if rate:
                suffix = '' if obj is not None else '/listing'
                limits.append(('ratelimit/%s/%s%s' % (account, container,
                                                      suffix), rate))
        return limits

    def _wait(self, cache, key: str, rate: float) -> Optional[float]:
        """Seconds this request must wait to keep ``rate``; None when that
        is longer than allowed. The shared counter holds when the next
        request may go, in milliseconds."""
        now_ms = int(round(self.clock() * 1000))
        per_request = int(round(1000.0 / rate))
        running = cache.incr(key, delta=per_request,
                             time=int(self.rate_buffer) + 1) or 0
        if now_ms - running > self.rate_buffer * 1000:
            # idle (or first) for longer than the buffer: start from now
            cache.set(key, now_ms + per_request,
                      time=int(self.rate_buffer) + 1)
            return 0.0
        need = (running - now_ms - per_request) / 1000.0
        if need > self.max_sleep:
            cache.decr(key, delta=per_request)  # this one does not count
            return None
        return max(0.0, need)


def filter_factory(global_conf: Dict[str, str], **local_conf: str):
    conf = dict(global_conf, **local_conf)
    return lambda app: RateLimit(app, conf)

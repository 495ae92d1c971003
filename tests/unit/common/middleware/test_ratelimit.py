"""ratelimit's pacing with a fake clock, a real in-process cache (the
memcache interface) and a recording app."""
from webob import Request, Response

from swiftlike.common.middleware.ratelimit import (
    RateLimit,
    rate_for_size,
    rate_points,
)
from swiftlike.common.ttl_cache import TTLCache


class Clock:
    def __init__(self):
        self.now = 1700000000.0
        self.slept = []

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.slept.append(round(seconds, 3))
        self.now += seconds


def app(environ, start_response):
    return Response(status=201)(environ, start_response)


def test_interpolated_container_rates():
    points = rate_points({'container_ratelimit_0': '100',
                          'container_ratelimit_10': '50',
                          'container_ratelimit_50': '20', 'other': 'x'},
                         'container_ratelimit_')
    assert points == [(0, 100.0), (10, 50.0), (50, 20.0)]
    assert rate_for_size(points, 5) == 75.0
    assert rate_for_size(points, 1000) == 20.0
    assert rate_for_size([(10, 5.0)], 3) is None


def test_account_writes_paced_then_refused():
    clock = Clock()
    limiter = RateLimit(app, {'account_ratelimit': '2',
                              'max_sleep_time_seconds': '1',
                              'log_address': '/nonexistent'},
                        clock=clock, sleep=clock.sleep)
    cache = TTLCache(clock=clock)
    statuses = []
    for _ in range(4):
        req = Request.blank('/v1/AUTH_a/c%d' % len(statuses),
                            environ={'REQUEST_METHOD': 'PUT',
                                     'swift.cache': cache})
        statuses.append(req.get_response(limiter).status_int)
    assert statuses == [201, 201, 201, 201]
    assert clock.slept == [0.5, 0.5, 0.5]  # 2/s: one every half second
    # a burst that would wait past max_sleep_time_seconds gets 498
    burst = []
    for i in range(6):
        req = Request.blank('/v1/AUTH_a/b%d' % i, environ={
            'REQUEST_METHOD': 'DELETE', 'swift.cache': cache})
        limiter.sleep = lambda s: None  # nobody waits: they pile up
        burst.append(req.get_response(limiter).status_int)
    assert 498 in burst
    resp = Request.blank('/v1/AUTH_a/x', environ={
        'REQUEST_METHOD': 'PUT', 'swift.cache': cache}).get_response(
        RateLimit(app, {'account_ratelimit': '0',
                        'account_blacklist': 'AUTH_a',
                        'log_address': '/nonexistent'}))
    assert resp.status_int == 497

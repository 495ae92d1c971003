from swiftlike.common.ratelimit import RateLimiter


class Clock:
    def __init__(self):
        self.now = 0.0
        self.slept = []

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.slept.append(round(seconds, 6))
        self.now += seconds


def test_rate_limiter_spreads_units_over_time():
    clock = Clock()
    limiter = RateLimiter(10, sleep=clock.sleep, clock=clock)
    for _ in range(5):
        limiter.take()
    assert clock.now == 0.5
    clock.now += 2  # time spent elsewhere counts
    limiter.take()
    assert clock.now == 2.5


def test_rate_limiter_off():
    clock = Clock()
    limiter = RateLimiter(0, sleep=clock.sleep, clock=clock)
    for _ in range(100):
        limiter.take(1000)
    assert clock.slept == []

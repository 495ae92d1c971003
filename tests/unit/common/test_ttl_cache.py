from swiftlike.common.ttl_cache import TTLCache


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def test_entries_expire_after_their_own_lifetime():
    clock = Clock()
    cache = TTLCache(ttl=10, clock=clock)
    cache.set('a', 1)
    cache.set('b', 2, time=100)
    cache.set('c', 3, time=0)
    clock.now += 10
    assert cache.get('a') is None
    assert cache.get('b') == 2
    clock.now += 10 ** 6
    assert cache.get('b') is None
    assert cache.get('c') == 3


def test_bounded_oldest_written_goes_first():
    cache = TTLCache(max_entries=2)
    cache.set('a', 1)
    cache.set('b', 2)
    cache.set('a', 1)
    cache.set('c', 3)
    assert cache.get('b') is None
    assert (cache.get('a'), cache.get('c')) == (1, 3)


def test_delete_and_incr():
    cache = TTLCache()
    assert cache.incr('n') == 1
    assert cache.incr('n', 5) == 6
    cache.delete('n')
    cache.delete('missing')
    assert cache.get('n') is None

"""ratelimit in a real proxy with a real memcached: container writes in an
account are paced, and past max_sleep_time_seconds refused with 498."""
import time

import pytest

from swiftlike.common import hashing
from tests.cluster import MiniCluster
from tests.servers import Memcached, make_root, remove_root, xattr_base


@pytest.fixture(scope='module')
def limited():
    base = xattr_base()
    if base is None:
        pytest.skip('no filesystem with large user xattrs')
    memcached = Memcached()
    root = make_root(base)
    mini = MiniCluster(root, proxy_filters=('healthcheck', 'memcache',
                                            'ratelimit'),
                       memcache_servers=memcached.address,
                       account_ratelimit='2', max_sleep_time_seconds='1',
                       rate_buffer_seconds='30').start()
    assert mini.proxy.request('PUT', '/v1/AUTH_test')[0] in (201, 202)
    yield mini
    mini.stop()
    memcached.stop()
    remove_root(root)


@pytest.fixture(autouse=True)
def _affixes():
    hashing.set_hash_affixes('vectorprefix', 'vectorsuffix')


def test_container_writes_paced_then_refused(limited):
    proxy = limited.proxy
    began = time.monotonic()
    statuses = [proxy.request('PUT', '/v1/AUTH_test/rl%d' % i)[0]
                for i in range(3)]
    elapsed = time.monotonic() - began
    assert statuses == [201, 201, 201]
    # 2 per second: the third waited for its turn (a behaviour, not a
    # benchmark: without pacing these take milliseconds)
    assert elapsed >= 0.9
    # many at once from several clients would wait too long: 498
    import threading
    results = []

    def put(i):
        status, _, body = proxy.request('PUT', '/v1/AUTH_test/burst%d' % i)
        results.append((status, body))

    threads = [threading.Thread(target=put, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    refused = [body for status, body in results if status == 498]
    assert refused and refused[0] == b'Slow down'
    created = [s for s, _ in results if s == 201]
    assert created  # the first of the burst still went through
    # reads are not limited
    assert proxy.request('HEAD', '/v1/AUTH_test')[0] == 204

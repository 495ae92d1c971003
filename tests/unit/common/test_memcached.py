import hashlib
import json
import logging

import pytest

from swiftlike.common.memcached import (
    HashRing,
    MemcacheRing,
    expiry,
    hash_key,
    parse_servers,
)
from tests.servers import Memcached, free_port


@pytest.fixture(scope='module')
def memcached():
    server = Memcached()
    yield server
    server.stop()


def test_parse_servers():
    assert parse_servers('1.2.3.4:5, 10.0.0.1 ,[::1]:7,[fe80::1]') == [
        ('1.2.3.4', 5), ('10.0.0.1', 11211), ('::1', 7), ('fe80::1', 11211)]
    assert parse_servers('') == []


def test_expiry_relative_below_thirty_days_absolute_above():
    assert expiry(60) == 60
    assert expiry(31 * 86400, now=1000) == 1000 + 31 * 86400


def test_ring_spreads_keys_and_gives_distinct_fallbacks():
    servers = [('10.0.0.%d' % i, 11211) for i in range(1, 5)]
    ring = HashRing(servers)
    first = {}
    for i in range(2000):
        order = ring.servers_for(hash_key('key%d' % i), 3)
        assert len(order) == len(set(order)) == 3
        first[order[0]] = first.get(order[0], 0) + 1
    assert set(first) == set(servers)
    assert min(first.values()) > 250
    # adding a server moves only the keys it takes over
    bigger = HashRing(servers + [('10.0.0.9', 11211)])
    moved = sum(ring.servers_for(hash_key('key%d' % i), 1) !=
                bigger.servers_for(hash_key('key%d' % i), 1)
                for i in range(2000))
    assert moved < 2000 * 0.35


def test_values_stored_as_swift_does(memcached):
    client = MemcacheRing(parse_servers(memcached.address))
    client.set('AUTH_/token/AUTH_tk1', [1.5, 'test,test:tester'], time=60)
    assert client.get('AUTH_/token/AUTH_tk1') == [1.5, 'test,test:tester']
    hashed = hashlib.md5(b'AUTH_/token/AUTH_tk1').hexdigest().encode()
    raw = memcached.raw(b'get ' + hashed + b'\r\n')
    header, data = raw.split(b'\r\n')[:2]
    assert header.split()[:3] == [b'VALUE', hashed, b'2']
    assert json.loads(data) == [1.5, 'test,test:tester']


def test_get_missing_delete_and_incr(memcached):
    client = MemcacheRing(parse_servers(memcached.address))
    assert client.get('nothing-here') is None
    client.set('k', {'a': 1})
    client.delete('k')
    client.delete('k')
    assert client.get('k') is None
    assert client.incr('counter', 3) == 3
    assert client.incr('counter', 2) == 5


def test_dead_server_is_skipped_and_error_limited(memcached, caplog):
    dead = ('127.0.0.1', free_port())
    client = MemcacheRing([dead, ('127.0.0.1', memcached.port)],
                          connect_timeout=0.2)
    caplog.set_level(logging.ERROR)
    for i in range(40):
        client.set('key%d' % i, i)
        assert client.get('key%d' % i) == i
    assert any('Error limiting memcached 127.0.0.1:%d' % dead[1] in r.message
               for r in caplog.records)


def test_no_server_at_all_is_a_miss_not_an_error():
    client = MemcacheRing([('127.0.0.1', free_port())], connect_timeout=0.2)
    client.set('k', 1)
    assert client.get('k') is None
    assert client.incr('k') is None


def test_decr(memcached):
    client = MemcacheRing(parse_servers(memcached.address))
    assert client.decr('never-set') is None
    client.incr('down', 10)
    assert client.decr('down', 3) == 7
    assert client.decr('down', 100) == 0

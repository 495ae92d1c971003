"""Objects through the proxy when nodes disagree, fail or stall: resuming
a body mid-way on another node, X-Newest, tombstones seen first, and PUTs
that do not wait for a stalled node once a quorum answered; a client that
stops sending."""
import os
import time

import pytest

from swiftlike.common import hashing
from swiftlike.common.ring import Ring
from swiftlike.common.timestamps import Timestamp
from tests.cluster import MiniCluster
from tests.servers import CuttingRelay, make_root, remove_root, xattr_base

BODY = os.urandom(1024 * 1024)


@pytest.fixture(scope='module')
def relayed():
    base = xattr_base()
    if base is None:
        pytest.skip('no filesystem with large user xattrs')
    root = make_root(base)
    relay = CuttingRelay()
    # a long node_timeout: only post_quorum_timeout can end a stalled wait
    mini = MiniCluster(root, port_overrides={'object': {'sda1': relay.port}},
                       node_timeout='30', post_quorum_timeout='0.5',
                       client_timeout='1')
    relay.upstream_port = mini.storage['object'].port
    mini.start()
    for path in ('/v1/AUTH_test', '/v1/AUTH_test/c'):
        assert mini.proxy.request('PUT', path)[0] in (201, 202)
    yield mini, relay
    mini.stop()
    relay.close()
    remove_root(root)


@pytest.fixture(autouse=True)
def _affixes():
    hashing.set_hash_affixes('vectorprefix', 'vectorsuffix')


def name_with_first_primary(mini, device, prefix):
    ring = Ring(mini.proxy.etc, ring_name='object')
    for i in range(1000):
        name = '%s%d' % (prefix, i)
        part, nodes = ring.get_nodes('AUTH_test', 'c', name)
        if nodes[0]['device'] == device:
            return name, part, [n['device'] for n in nodes]
    raise AssertionError('no such name')


def test_get_resumes_on_another_node_when_one_dies_mid_body(relayed):
    mini, relay = relayed
    name, _, _ = name_with_first_primary(mini, 'sda1', 'big')
    relay.limit = None
    status, _, _ = mini.proxy.request('PUT', '/v1/AUTH_test/c/' + name,
                                      {'Content-Type': 'x/y'}, BODY)
    assert status == 201
    relay.limit = 300000
    cuts = relay.cut
    try:
        status, headers, body = mini.proxy.request(
            'GET', '/v1/AUTH_test/c/' + name)
        assert relay.cut == cuts + 1
        assert status == 200 and body == BODY
        status, headers, body = mini.proxy.request(
            'GET', '/v1/AUTH_test/c/' + name,
            {'Range': 'bytes=100000-899999'})
        assert relay.cut == cuts + 2
        assert status == 206 and body == BODY[100000:900000]
        assert headers['Content-Range'] == 'bytes 100000-899999/%d' % len(
            BODY)
    finally:
        relay.limit = None


def test_x_newest_and_newer_tombstones(relayed):
    mini, relay = relayed
    relay.limit = None
    name, part, devices = name_with_first_primary(mini, 'sda1', 'ver')
    path = '/v1/AUTH_test/c/' + name
    assert mini.proxy.request('PUT', path, {'Content-Type': 'x/y'},
                              b'old')[0] == 201
    # a newer version reaches only the last primary
    newer = Timestamp(time.time() + 1).internal
    status, _, _ = mini.storage['object'].request(
        'PUT', '/%s/%d/AUTH_test/c/%s' % (devices[2], part, name),
        {'X-Timestamp': newer, 'Content-Type': 'x/y', 'Content-Length': '3',
         'X-Backend-Storage-Policy-Index': '0'}, b'new')
    assert status == 201
    assert mini.proxy.request('GET', path)[2] == b'old'
    status, headers, body = mini.proxy.request('GET', path,
                                               {'X-Newest': 'true'})
    assert (status, body) == (200, b'new')
    assert headers['X-Timestamp'] == Timestamp(newer).normal
    # a newer delete on the first primary wins over older data behind it
    deleted = Timestamp(time.time() + 2).internal
    status, _, _ = mini.storage['object'].request(
        'DELETE', '/%s/%d/AUTH_test/c/%s' % (devices[0], part, name),
        {'X-Timestamp': deleted, 'X-Backend-Storage-Policy-Index': '0'})
    assert status == 204
    assert mini.proxy.request('GET', path)[0] == 404
    assert mini.proxy.request('HEAD', path)[0] == 404


def test_no_resume_from_a_different_version_the_client_sees_a_short_body(
        relayed):
    import http.client
    mini, relay = relayed
    relay.limit = None
    name, part, devices = name_with_first_primary(mini, 'sda1', 'other')
    path = '/v1/AUTH_test/c/' + name
    assert mini.proxy.request('PUT', path, {}, BODY)[0] == 201
    other = bytes(reversed(BODY))
    newer = Timestamp(time.time() + 1).internal
    for device in devices[1:]:
        assert mini.storage['object'].request(
            'PUT', '/%s/%d/AUTH_test/c/%s' % (device, part, name),
            {'X-Timestamp': newer, 'Content-Type': 'x/y',
             'Content-Length': str(len(other)),
             'X-Backend-Storage-Policy-Index': '0'}, other)[0] == 201
    relay.limit = 300000
    try:
        conn = http.client.HTTPConnection('127.0.0.1', mini.proxy.port,
                                          timeout=20)
        conn.request('GET', path)
        resp = conn.getresponse()
        assert resp.status == 200
        with pytest.raises(http.client.IncompleteRead) as err:
            resp.read()
        received = err.value.partial
        assert 0 < len(received) < len(BODY)
        assert BODY.startswith(received)  # never a spliced body
    finally:
        relay.limit = None


def test_put_does_not_wait_for_a_stalled_node_after_the_quorum(relayed):
    mini, relay = relayed
    name, part, devices = name_with_first_primary(mini, 'sda1', 'stall')
    relay.flowing.clear()
    try:
        # held answers would keep a proxy without post_quorum_timeout
        # waiting 30 s: the client would time out first
        status, headers, _ = mini.proxy.request(
            'PUT', '/v1/AUTH_test/c/' + name, {'Content-Type': 'x/y'},
            b'quorum', timeout=10)
        assert status == 201
        assert relay.flowing.is_set() is False
    finally:
        relay.flowing.set()
    # the stalled node stored it all the same
    assert len(mini.object_files('AUTH_test', 'c', name)) == 3


def test_a_client_that_stops_sending_gets_408_and_nothing_is_stored(
        relayed):
    import socket
    mini, _ = relayed
    with socket.create_connection(('127.0.0.1', mini.proxy.port),
                                  timeout=15) as sock:
        sock.sendall(b'PUT /v1/AUTH_test/c/slow HTTP/1.1\r\nHost: x\r\n'
                     b'Content-Length: 10\r\n\r\nhello')
        answer = b''
        while b'\r\n\r\n' not in answer:
            chunk = sock.recv(4096)
            if not chunk:
                break
            answer += chunk
    assert answer.startswith(b'HTTP/1.1 408 ')
    assert mini.object_files('AUTH_test', 'c', 'slow') == []
    assert mini.proxy.request('HEAD', '/v1/AUTH_test/c/slow')[0] == 404

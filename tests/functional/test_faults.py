"""A cluster losing servers: writes and reads go on while a quorum can."""
import os
import re

import pytest
from swiftclient import client as swiftclient
from swiftclient.exceptions import ClientException

from swiftlike.common import hashing
from swiftlike.common.ring import Ring
from tests.servers import wait_for


@pytest.fixture
def env(fault_aio):
    etc = os.path.join(fault_aio.root, 'data', 'etc')
    from swiftlike.common.config import read_swift_conf
    conf = read_swift_conf(os.path.join(etc, 'swift.conf'))
    hashing.set_hash_affixes(conf.get('swift-hash', 'swift_hash_path_prefix'),
                             conf.get('swift-hash', 'swift_hash_path_suffix'))
    url, token = swiftclient.get_auth(fault_aio.auth_url, 'test:tester',
                                      'testing')
    return fault_aio, url, token, etc


def _node_of(device):
    return int(device['device'][len('sdb'):])


def _data_files(aio, account, container, obj):
    digest = hashing.hash_path(account, container, obj)
    found = []
    srv = os.path.join(aio.root, 'data', 'srv')
    for node in sorted(os.listdir(srv)):
        objects = os.path.join(srv, node, 'sdb' + node[len('node'):],
                               'objects')
        for part in os.listdir(objects) if os.path.isdir(objects) else []:
            hash_dir = os.path.join(objects, part, digest[-3:], digest)
            if os.path.isdir(hash_dir) and any(
                    n.endswith('.data') for n in os.listdir(hash_dir)):
                found.append(int(node[len('node'):]))
    return sorted(found)


def test_one_object_server_down(env):
    aio, url, token, etc = env
    swiftclient.put_container(url, token, 'faults')
    ring = Ring(etc, ring_name='object')
    _, nodes = ring.get_nodes('AUTH_test', 'faults', 'o1')
    down = _node_of(nodes[0])
    aio.stop_server('object-server-%d.conf' % down)
    try:
        swiftclient.put_object(url, token, 'faults', 'o1', b'still here')
        holders = _data_files(aio, 'AUTH_test', 'faults', 'o1')
        assert len(holders) == 3 and down not in holders  # one handoff
        assert swiftclient.get_object(url, token, 'faults', 'o1')[1] == \
            b'still here'
        swiftclient.delete_object(url, token, 'faults', 'o1')
        with pytest.raises(ClientException) as err:
            swiftclient.get_object(url, token, 'faults', 'o1')
        assert err.value.http_status == 404
    finally:
        proc = aio.start_server('object-server-%d.conf' % down)
        aio.extra = getattr(aio, 'extra', []) + [proc]


def test_two_primaries_down_the_handoff_makes_the_quorum(env):
    """Two of the object's three primaries stopped: with four nodes one
    handoff remains, so two copies are written, a quorum (Swift does the
    same); the next test takes the handoff away too."""
    aio, url, token, etc = env
    swiftclient.put_container(url, token, 'twodown')
    ring = Ring(etc, ring_name='object')
    _, nodes = ring.get_nodes('AUTH_test', 'twodown', 'o')
    downs = [_node_of(n) for n in nodes[:2]]
    for node in downs:
        aio.stop_server('object-server-%d.conf' % node)
    try:
        swiftclient.put_object(url, token, 'twodown', 'o', b'two')
        holders = _data_files(aio, 'AUTH_test', 'twodown', 'o')
        assert len(holders) == 2 and not set(downs) & set(holders)
        assert swiftclient.get_object(url, token, 'twodown', 'o')[1] == \
            b'two'
    finally:
        for node in downs:
            aio.extra = getattr(aio, 'extra', []) + [
                aio.start_server('object-server-%d.conf' % node)]


def test_without_a_quorum_the_client_is_told(env):
    aio, url, token, etc = env
    swiftclient.put_container(url, token, 'noquorum')
    downs = [1, 2, 3]  # one of four object servers left
    for node in downs:
        aio.stop_server('object-server-%d.conf' % node)
    try:
        with pytest.raises(ClientException) as err:
            swiftclient.put_object(url, token, 'noquorum', 'o', b'x')
        assert err.value.http_status == 503
    finally:
        for node in downs:
            aio.extra = getattr(aio, 'extra', []) + [
                aio.start_server('object-server-%d.conf' % node)]


def proxy_workers(aio) -> int:
    with open(os.path.join(aio.root, 'data', 'etc',
                           'proxy-server.conf')) as f:
        return int(re.search(r'^workers = (\d+)$', f.read(), re.M).group(1))


def test_a_507_node_is_error_limited(env):
    aio, url, token, etc = env
    swiftclient.put_container(url, token, 'limited')
    ring = Ring(etc, ring_name='object')
    device_dir = os.path.join(aio.root, 'data', 'srv', 'node4', 'sdb4')
    os.rename(device_dir, device_dir + '.away')
    log = os.path.join(aio.root, 'data', 'log', 'object-server-4.log')
    try:
        names = [n for n in ('e%d' % i for i in range(200))
                 if 4 in [_node_of(d) for d in ring.get_nodes(
                     'AUTH_test', 'limited', n)[1]]][:8]
        for name in names:
            swiftclient.put_object(url, token, 'limited', name, b'x')

        def count_507():
            with open(log) as f:
                return f.read().count('" 507 ')
        wait_for(lambda: count_507() >= 1, message='a 507 in the log')
        # each proxy worker limits on its own (as Swift's do): one 507 per
        # worker at most, then the node is no longer asked
        workers = max(1, proxy_workers(aio))
        assert workers < len(names)
        assert count_507() <= workers
        for name in names:
            assert len(_data_files(aio, 'AUTH_test', 'limited', name)) == 3
    finally:
        os.rename(device_dir + '.away', device_dir)


def test_container_server_down_leaves_async_pending(env):
    aio, url, token, etc = env
    swiftclient.put_container(url, token, 'asyncs')
    ring = Ring(etc, ring_name='container')
    _, nodes = ring.get_nodes('AUTH_test', 'asyncs')
    down = _node_of(nodes[0])
    swiftclient.head_container(url, token, 'asyncs')  # cache its info
    aio.stop_server('container-server-%d.conf' % down)
    try:
        swiftclient.put_object(url, token, 'asyncs', 'pending', b'x')
        srv = os.path.join(aio.root, 'data', 'srv')
        pendings = []
        for node in os.listdir(srv):
            async_dir = os.path.join(srv, node, 'sdb' + node[4:],
                                     'async_pending')
            for sfx in os.listdir(async_dir) if os.path.isdir(async_dir) \
                    else []:
                pendings += os.listdir(os.path.join(async_dir, sfx))
        digest = hashing.hash_path('AUTH_test', 'asyncs', 'pending')
        assert any(name.startswith(digest + '-') for name in pendings)
    finally:
        aio.extra = getattr(aio, 'extra', []) + [
            aio.start_server('container-server-%d.conf' % down)]


@pytest.fixture(scope='module', autouse=True)
def _stop_restarted(fault_aio):
    yield
    for proc in getattr(fault_aio, 'extra', []):
        proc.terminate()
        proc.wait(30)

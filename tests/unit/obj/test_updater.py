"""object-updater against real container servers: records replayed and
removed, partial successes remembered, bad records quarantined."""
import json
import os
import pickle

import pytest

from swiftlike.common import hashing
from swiftlike.common.ring import Ring
from swiftlike.obj.async_pending import write_async_pending
from swiftlike.obj.updater import (
    ObjectUpdater,
    newest_per_object,
    policy_of_async_dir,
)
from tests.cluster import MiniCluster
from tests.servers import free_port, make_root, remove_root, xattr_base

DEAD_DEVICE = 'sdd1'


@pytest.fixture(scope='module')
def cluster():
    base = xattr_base()
    if base is None:
        pytest.skip('no filesystem with large user xattrs')
    root = make_root(base)
    # one container device behind a port nobody listens on
    mini = MiniCluster(root, port_overrides={
        'container': {DEAD_DEVICE: free_port()}}).start()
    assert mini.proxy.request('PUT', '/v1/AUTH_test')[0] in (201, 202)
    yield mini
    mini.stop()
    remove_root(root)


@pytest.fixture(autouse=True)
def _affixes():
    hashing.set_hash_affixes('vectorprefix', 'vectorsuffix')


def test_pure_helpers():
    assert policy_of_async_dir('async_pending') == 0
    assert policy_of_async_dir('async_pending-2') == 2
    assert policy_of_async_dir('async_pending-x') is None
    assert policy_of_async_dir('objects') is None
    keep, drop = newest_per_object(['aaa-0002', 'aaa-0001', 'bbb-0001',
                                    'junk', 'c-d-e'])
    assert keep == ['bbb-0001', 'aaa-0002'] and drop == ['aaa-0001']


def updater(mini, tmp_path, **extra):
    conf = {'devices': mini.storage['object'].devices_dir,
            'swift_dir': mini.proxy.etc, 'mount_check': 'false',
            'recon_cache_path': str(tmp_path), 'objects_per_second': '0',
            'log_address': '/nonexistent', 'node_timeout': '2'}
    conf.update(extra)
    return ObjectUpdater(conf)


def container_with(mini, dead: bool):
    ring = Ring(mini.proxy.etc, ring_name='container')
    for i in range(200):
        name = 'c%d' % i
        devices = [n['device'] for n in ring.get_nodes('AUTH_test', name)[1]]
        if (DEAD_DEVICE in devices) == dead:
            return name, ring.get_nodes('AUTH_test', name)[1]
    raise AssertionError('no container found')


def put_record(mini, container, obj, timestamp):
    dev = os.path.join(mini.storage['object'].devices_dir, 'sda1')
    headers = {'X-Timestamp': timestamp, 'X-Size': '5',
               'X-Content-Type': 'text/plain',
               'X-Etag': '5d41402abc4b2a76b9719d911017c592'}
    return write_async_pending(dev, 0, 'PUT', 'AUTH_test', container, obj,
                               headers)


def listing(mini, container):
    status, _, body = mini.proxy.request(
        'GET', '/v1/AUTH_test/%s?format=json' % container)
    assert status == 200
    return json.loads(body)


def test_records_replayed_then_removed(cluster, tmp_path):
    container, _ = container_with(cluster, dead=False)
    assert cluster.proxy.request('PUT', '/v1/AUTH_test/' + container)[0] \
        == 201
    old = put_record(cluster, container, 'late', '1700000000.00000')
    new = put_record(cluster, container, 'late', '1700000001.00000')
    daemon = updater(cluster, tmp_path)
    daemon.run_once()
    rows = listing(cluster, container)
    assert [(r['name'], r['bytes']) for r in rows] == [('late', 5)]
    assert not os.path.exists(old) and not os.path.exists(new)
    assert not os.path.exists(os.path.dirname(new))  # empty suffix gone
    assert daemon.stats['successes'] == 1 and daemon.stats['unlinks'] == 2
    with open(tmp_path / 'object.recon') as f:
        recon = json.load(f)
    assert recon['async_pending'] == 0
    assert recon['object_updater_stats']['successes'] == 1


def test_partial_success_is_remembered(cluster, tmp_path):
    container, nodes = container_with(cluster, dead=True)
    assert cluster.proxy.request('PUT', '/v1/AUTH_test/' + container)[0] \
        in (201, 202)
    path = put_record(cluster, container, 'half', '1700000002.00000')
    daemon = updater(cluster, tmp_path)
    daemon.run_once()
    with open(path, 'rb') as f:
        record = pickle.loads(f.read())
    alive = sorted(n['id'] for n in nodes if n['device'] != DEAD_DEVICE)
    assert record['successes'] == alive
    assert daemon.stats['failures'] == 1
    with open(tmp_path / 'object.recon') as f:
        assert json.load(f)['async_pending'] == 1
    os.unlink(path)


def test_unreadable_record_is_quarantined(cluster, tmp_path):
    dev = os.path.join(cluster.storage['object'].devices_dir, 'sdb1')
    bad_dir = os.path.join(dev, 'async_pending', 'abc')
    os.makedirs(bad_dir)
    bad = os.path.join(bad_dir, '0' * 29 + 'abc-1700000000.00000')
    with open(bad, 'wb') as f:
        f.write(b'cos\nsystem\n(S"true"\ntR.')  # a hostile pickle
    daemon = updater(cluster, tmp_path)
    daemon.run_once()
    assert not os.path.exists(bad)
    assert os.path.exists(os.path.join(dev, 'quarantined', 'objects',
                                       os.path.basename(bad)))
    assert daemon.stats['quarantines'] == 1

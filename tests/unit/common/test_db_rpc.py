"""DB REPLICATE ops against a live container server and real DB files."""
import json
import os
import shutil
import time

import pytest

from swiftlike.common import hashing
from swiftlike.common.timestamps import Timestamp
from swiftlike.container.backend import ContainerBroker
from tests.servers import ServerProcess, make_root, remove_root, xattr_base


@pytest.fixture(scope='module')
def server():
    root = make_root(xattr_base() or '/tmp')
    proc = ServerProcess('container-server', root).start()
    yield proc
    proc.stop()
    remove_root(root)


@pytest.fixture(autouse=True)
def _affixes():
    hashing.set_hash_affixes('vectorprefix', 'vectorsuffix')


def ts(delta=0):
    return Timestamp(time.time() + delta).internal


def _container(server, name, rows=()):
    server.request('PUT', '/sda1/3/AUTH_r/%s' % name, {'X-Timestamp': ts()})
    for row in rows:
        server.request('PUT', '/sda1/3/AUTH_r/%s/%s' % (name, row), {
            'X-Timestamp': ts(), 'X-Size': '1', 'X-Content-Type': 't',
            'X-Etag': 'e'})
    digest = hashing.hash_path('AUTH_r', name)
    db_file = os.path.join(server.devices_dir, 'sda1', 'containers', '3',
                           digest[-3:], digest, digest + '.db')
    return digest, db_file


def rpc(server, digest, *args):
    status, _, body = server.request(
        'REPLICATE', '/sda1/3/%s' % digest,
        {'Content-Type': 'application/json'}, json.dumps(list(args)).encode())
    return status, (json.loads(body) if body.startswith(b'{') else body)


def _local(tmp_path, name, rows):
    broker = ContainerBroker(str(tmp_path / name / (name + '.db')),
                             account='AUTH_r', container=name)
    broker.initialize(ts(-100))
    for row in rows:
        broker.put_object(row, ts(), 1, 't', 'e')
    broker.commit_pending()
    return broker


def test_sync_and_merge(server, tmp_path):
    digest, db_file = _container(server, 'c1', ['a', 'b'])
    local = _local(tmp_path, 'c1', ['x', 'y', 'z'])
    info = local.get_info()
    status, answer = rpc(server, digest, 'sync', local.get_max_row(),
                         info['hash'], info['id'], info['created_at'],
                         info['put_timestamp'], info['delete_timestamp'],
                         json.dumps({'X-Container-Meta-R': ['1', ts()]}))
    assert status == 200
    assert answer['count'] == 2 and answer['max_row'] == 2
    assert answer['point'] == -1 and answer['hash'] != info['hash']
    assert json.loads(answer['metadata'])['X-Container-Meta-R'][0] == '1'
    rows = local.get_items_since(-1, 10)
    assert rpc(server, digest, 'merge_items', rows, info['id'])[0] == 202
    assert rpc(server, digest, 'merge_syncs',
               [{'remote_id': 'other', 'sync_point': 5}])[0] == 202
    remote = ContainerBroker(db_file)
    assert sorted(r[0] for r in remote.list_objects_iter(10)) == \
        ['a', 'b', 'x', 'y', 'z']
    assert remote.get_sync(info['id']) == rows[-1]['ROWID']
    assert remote.get_sync('other') == 5
    # same hash and a higher max_row: the point is recorded
    local.merge_items(remote.get_items_since(-1, 100))
    local_info = local.get_info()
    assert local_info['hash'] == remote.get_info()['hash']
    status, answer = rpc(server, digest, 'sync', 99, local_info['hash'],
                         local_info['id'], local_info['created_at'],
                         local_info['put_timestamp'],
                         local_info['delete_timestamp'], '')
    assert answer['point'] == 99


def test_complete_rsync(server, tmp_path):
    digest = hashing.hash_path('AUTH_r', 'fresh')
    local = _local(tmp_path, 'fresh', ['p', 'q'])
    local.close()
    tmp_dir = os.path.join(server.devices_dir, 'sda1', 'tmp')
    os.makedirs(tmp_dir, exist_ok=True)
    shutil.copy(local.db_file, os.path.join(tmp_dir, 'incoming-1'))
    assert rpc(server, digest, 'complete_rsync', 'incoming-1',
               digest + '.db')[0] == 204
    db_file = os.path.join(server.devices_dir, 'sda1', 'containers', '3',
                           digest[-3:], digest, digest + '.db')
    adopted = ContainerBroker(db_file)
    assert [r[0] for r in adopted.list_objects_iter(10)] == ['p', 'q']
    assert adopted.get_info()['id'] != local.get_info()['id']
    shutil.copy(local.db_file, os.path.join(tmp_dir, 'incoming-2'))
    assert rpc(server, digest, 'complete_rsync', 'incoming-2')[0] == 404
    assert rpc(server, digest, 'complete_rsync', 'missing')[0] == 404


def test_rsync_then_merge(server, tmp_path):
    digest, db_file = _container(server, 'c2', ['here'])
    local = _local(tmp_path, 'c2', ['there1', 'there2'])
    local.close()
    tmp_dir = os.path.join(server.devices_dir, 'sda1', 'tmp')
    os.makedirs(tmp_dir, exist_ok=True)
    shutil.copy(local.db_file, os.path.join(tmp_dir, 'rtm'))
    assert rpc(server, digest, 'rsync_then_merge', 'rtm',
               digest + '.db')[0] == 204
    merged = ContainerBroker(db_file)
    assert [r[0] for r in merged.list_objects_iter(10)] == \
        ['here', 'there1', 'there2']
    assert not os.path.exists(os.path.join(tmp_dir, 'rtm'))


def test_rpc_errors(server):
    digest, _ = _container(server, 'c3')
    status, _, body = server.request('REPLICATE', '/sda1/3/%s' % digest,
                                     {}, b'{"not": "a list"}')
    assert (status, body) == (400, b'Invalid object type')
    status, _, body = server.request('REPLICATE', '/sda1/3/%s' % digest,
                                     {}, b'[not json')
    assert status == 400 and body.startswith(b'Invalid JSON')
    assert rpc(server, 'f' * 32, 'sync', 1, 'h', 'id', '0', '0', '0',
               '')[0] == 404
    status, _, body = server.request('REPLICATE', '/nodev/3/%s' % digest,
                                     {}, b'["sync"]')
    assert (status, body) == (507, b'nodev is not mounted')

"""Object, container and account servers talking to each other for real."""
import json
import os
import time

import pytest

from swiftlike.common import hashing
from swiftlike.common.timestamps import Timestamp
from tests.servers import ServerProcess, make_root, remove_root, xattr_base


@pytest.fixture
def nodes():
    base = xattr_base()
    if base is None:
        pytest.skip('no filesystem with large user xattrs')
    root = make_root(base)
    servers = {kind: ServerProcess('%s-server' % kind,
                                   os.path.join(root, kind)).start()
               for kind in ('account', 'container', 'object')}
    hashing.set_hash_affixes('vectorprefix', 'vectorsuffix')
    yield servers
    for server in servers.values():
        server.stop()
    remove_root(root)


def ts():
    return Timestamp(time.time()).internal


def test_updates_flow_from_objects_to_accounts(nodes):
    account, container, obj = (nodes[k] for k in ('account', 'container',
                                                  'object'))
    assert account.request('PUT', '/sda1/1/AUTH_e2e',
                           {'X-Timestamp': ts()})[0] == 201
    assert container.request('PUT', '/sda1/2/AUTH_e2e/photos', {
        'X-Timestamp': ts(),
        'X-Account-Host': '127.0.0.1:%d' % account.port,
        'X-Account-Device': 'sda1', 'X-Account-Partition': '1'})[0] == 201
    update = {'X-Container-Host': '127.0.0.1:%d' % container.port,
              'X-Container-Device': 'sda1', 'X-Container-Partition': '2'}
    for name, body in (('cat.jpg', b'meow'), ('dir/dog.jpg', b'woof!')):
        headers = {'X-Timestamp': ts(), 'Content-Type': 'image/jpeg',
                   'Content-Length': str(len(body))}
        headers.update(update)
        assert obj.request('PUT', '/sda1/3/AUTH_e2e/photos/' + name,
                           headers, body)[0] == 201
    status, _, body = container.request(
        'GET', '/sda1/2/AUTH_e2e/photos?format=json')
    rows = json.loads(body)
    assert [(r['name'], r['bytes'], r['content_type']) for r in rows] == \
        [('cat.jpg', 4, 'image/jpeg'), ('dir/dog.jpg', 5, 'image/jpeg')]
    delete = {'X-Timestamp': ts()}
    delete.update(update)
    assert obj.request('DELETE', '/sda1/3/AUTH_e2e/photos/cat.jpg',
                       delete)[0] == 204
    status, _, body = container.request(
        'GET', '/sda1/2/AUTH_e2e/photos?format=json')
    assert [r['name'] for r in json.loads(body)] == ['dir/dog.jpg']
    status, _, body = account.request('GET', '/sda1/1/AUTH_e2e?format=json')
    assert [r['name'] for r in json.loads(body)] == ['photos']

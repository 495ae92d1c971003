"""The proxy in front of real account, container and object servers."""
import hashlib
import json
import os
import shutil

import pytest

from swiftlike.common import hashing
from tests.cluster import MiniCluster
from tests.servers import make_root, remove_root, xattr_base

BODY = b'hello proxy\n'


@pytest.fixture(scope='module')
def cluster():
    base = xattr_base()
    if base is None:
        pytest.skip('no filesystem with large user xattrs')
    root = make_root(base)
    mini = MiniCluster(root).start()
    proxy = mini.proxy
    assert proxy.request('PUT', '/v1/AUTH_test')[0] in (201, 202)
    yield mini
    mini.stop()
    remove_root(root)


@pytest.fixture(autouse=True)
def _affixes():
    hashing.set_hash_affixes('vectorprefix', 'vectorsuffix')


def req(cluster, method, path, headers=None, body=b''):
    return cluster.proxy.request(method, path, headers, body)


def test_container_and_object_lifecycle(cluster):
    assert req(cluster, 'PUT', '/v1/AUTH_test/c1')[0] == 201
    status, headers, _ = req(cluster, 'HEAD', '/v1/AUTH_test/c1')
    assert status == 204 and headers['X-Container-Object-Count'] == '0'
    status, headers, body = req(cluster, 'PUT', '/v1/AUTH_test/c1/hello.txt',
                                {'X-Object-Meta-Color': 'blue'}, BODY)
    assert status == 201 and body == b''
    assert headers['Etag'] == hashlib.md5(BODY).hexdigest()
    assert 'Last-Modified' in headers
    assert len(cluster.object_files('AUTH_test', 'c1', 'hello.txt')) == 3
    status, headers, body = req(cluster, 'GET', '/v1/AUTH_test/c1/hello.txt')
    assert (status, body) == (200, BODY)
    assert headers['Etag'] == '"%s"' % hashlib.md5(BODY).hexdigest()
    assert headers['Content-Type'] == 'text/plain'  # guessed from the name
    assert headers['X-Object-Meta-Color'] == 'blue'
    assert headers['Accept-Ranges'] == 'bytes'
    assert not any(k.lower().startswith('x-backend-') for k in headers)
    status, _, body = req(cluster, 'GET', '/v1/AUTH_test/c1/hello.txt',
                          {'Range': 'bytes=0-4'})
    assert (status, body) == (206, b'hello')
    status, headers, body = req(cluster, 'HEAD',
                                '/v1/AUTH_test/c1/hello.txt')
    assert status == 200 and body == b'' and \
        headers['Content-Length'] == str(len(BODY))
    status, _, body = req(cluster, 'GET', '/v1/AUTH_test/c1?format=json')
    assert [r['name'] for r in json.loads(body)] == ['hello.txt']
    assert req(cluster, 'POST', '/v1/AUTH_test/c1/hello.txt',
               {'X-Object-Meta-Color': 'red'})[0] == 202
    assert req(cluster, 'HEAD', '/v1/AUTH_test/c1/hello.txt')[1][
        'X-Object-Meta-Color'] == 'red'
    assert req(cluster, 'DELETE', '/v1/AUTH_test/c1/hello.txt')[0] == 204
    assert req(cluster, 'GET', '/v1/AUTH_test/c1/hello.txt')[0] == 404
    assert req(cluster, 'DELETE', '/v1/AUTH_test/c1/hello.txt')[0] == 404
    assert req(cluster, 'DELETE', '/v1/AUTH_test/c1')[0] == 204
    assert req(cluster, 'HEAD', '/v1/AUTH_test/c1')[0] == 404


def test_account_listing_and_metadata(cluster):
    req(cluster, 'PUT', '/v1/AUTH_test/listed')
    status, headers, body = req(cluster, 'GET', '/v1/AUTH_test?format=json')
    assert status == 200 and 'listed' in [r['name']
                                          for r in json.loads(body)]
    assert req(cluster, 'POST', '/v1/AUTH_test',
               {'X-Account-Meta-Owner': 'me'})[0] == 204
    assert req(cluster, 'HEAD', '/v1/AUTH_test')[1][
        'X-Account-Meta-Owner'] == 'me'


def test_chunked_put_and_unicode_names(cluster):
    req(cluster, 'PUT', '/v1/AUTH_test/uni')
    import socket
    sock = socket.create_connection(('127.0.0.1', cluster.proxy.port))
    sock.sendall(b'PUT /v1/AUTH_test/uni/caf%C3%A9/menu HTTP/1.1\r\n'
                 b'Host: x\r\nTransfer-Encoding: chunked\r\n'
                 b'Connection: close\r\n\r\n5\r\nhello\r\n0\r\n\r\n')
    reply = b''
    while True:
        data = sock.recv(4096)
        if not data:
            break
        reply += data
    sock.close()
    assert reply.startswith(b'HTTP/1.1 201')
    status, _, body = req(cluster, 'GET', '/v1/AUTH_test/uni/café/menu')
    assert (status, body) == (200, b'hello')
    status, _, body = req(cluster, 'GET', '/v1/AUTH_test/uni')
    assert body == 'café/menu\n'.encode()


def test_object_in_missing_container_and_bad_requests(cluster):
    assert req(cluster, 'PUT', '/v1/AUTH_test/nope/o', {}, b'x')[0] == 404
    req(cluster, 'PUT', '/v1/AUTH_test/checks')
    status, _, body = req(cluster, 'PUT', '/v1/AUTH_test/checks/' +
                          'x' * 1025, {}, b'x')
    assert (status, body) == (400, b'Object name length of 1025 longer '
                                   b'than 1024')
    assert req(cluster, 'GET', '/v2/AUTH_test')[0] == 400
    assert req(cluster, 'COPY', '/v1/AUTH_test/checks/o')[0] == 405


def test_info(cluster):
    status, headers, body = req(cluster, 'GET', '/info')
    info = json.loads(body)['swift']
    assert status == 200 and info['max_file_size'] == 5368709122
    assert [p['name'] for p in info['policies']] == ['gold', 'silver']
    assert info['policies'][0]['default'] is True


def test_a_failed_device_is_replaced_by_a_handoff(cluster):
    req(cluster, 'PUT', '/v1/AUTH_test/faults')
    devices_dir = cluster.storage['object'].devices_dir
    # take a primary's device away: the object server answers 507
    from swiftlike.common.ring import Ring
    ring = Ring(cluster.proxy.etc, ring_name='object')
    part, nodes = ring.get_nodes('AUTH_test', 'faults', 'o1')
    gone = os.path.join(devices_dir, nodes[0]['device'])
    shutil.move(gone, gone + '.away')
    try:
        assert req(cluster, 'PUT', '/v1/AUTH_test/faults/o1', {},
                   b'data')[0] == 201
        placed = cluster.object_files('AUTH_test', 'faults', 'o1')
        assert len(placed) == 3
        assert nodes[0]['device'] not in [d for d, _ in placed]
        assert req(cluster, 'GET', '/v1/AUTH_test/faults/o1')[2] == b'data'
    finally:
        shutil.move(gone + '.away', gone)


def test_zero_byte_put(cluster):
    assert req(cluster, 'PUT', '/v1/AUTH_test/zero')[0] in (201, 202)
    status, headers, _ = req(cluster, 'PUT', '/v1/AUTH_test/zero/empty',
                             {}, b'')
    assert status == 201
    assert headers['Etag'] == 'd41d8cd98f00b204e9800998ecf8427e'
    status, headers, body = req(cluster, 'GET', '/v1/AUTH_test/zero/empty')
    assert (status, body, headers['Content-Length']) == (200, b'', '0')
    assert len(cluster.object_files('AUTH_test', 'zero', 'empty')) == 3

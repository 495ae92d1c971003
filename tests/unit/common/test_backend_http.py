"""Backend HTTP against a real object server: requests, streaming, errors."""
import hashlib

import pytest

from swiftlike.common import hashing
from swiftlike.common.backend_http import (
    BackendConnection,
    BackendError,
    backend_request,
    split_host,
    spread_nodes,
)
from swiftlike.common.timestamps import Timestamp
from tests.servers import ServerProcess, free_port


@pytest.fixture
def server(xattr_root):
    hashing.set_hash_affixes('vectorprefix', 'vectorsuffix')
    proc = ServerProcess('object-server', xattr_root).start()
    yield proc
    proc.stop()


def test_streaming_put_and_get(server):
    body = b'0123456789' * 100000
    conn = BackendConnection('127.0.0.1', server.port, 'PUT',
                             '/sda1/1/a/c/café', {
                                 'X-Timestamp': Timestamp.now().internal,
                                 'Content-Type': 'x/y'}, chunked=True)
    for offset in range(0, len(body), 65536):
        conn.send(body[offset:offset + 65536])
    conn.send(b'')
    resp = conn.response()
    assert resp.status == 201
    assert resp.getheader('Etag') == '"%s"' % hashlib.md5(body).hexdigest()
    conn.close()
    conn = BackendConnection('127.0.0.1', server.port, 'GET',
                             '/sda1/1/a/c/café', {})
    assert conn.response().status == 200
    received = b''
    while True:
        chunk = conn.read(65536)
        if not chunk:
            break
        received += chunk
    assert received == body
    status, headers, data = backend_request(
        '127.0.0.1', server.port, 'HEAD', '/sda1/1/a/c/café')
    assert status == 200 and headers['Content-Length'] == str(len(body))


def test_unreachable_node_is_a_backend_error():
    port = free_port()
    with pytest.raises(BackendError):
        backend_request('127.0.0.1', port, 'GET', '/x')
    with pytest.raises(BackendError):
        BackendConnection('127.0.0.1', port, 'PUT', '/x', {})


def test_split_host():
    assert split_host('127.0.0.1:6200') == ('127.0.0.1', 6200)
    assert split_host('[::1]:6201') == ('::1', 6201)


def test_spread_nodes_round_robin():
    """Request i updates node i mod len(nodes); split_host reads the host
    back."""
    nodes = [{'ip': '10.0.0.%d' % i, 'port': 6201, 'device': 'sd%d' % i}
             for i in (1, 2)]
    updates = spread_nodes(nodes, 7, 3, 'Container')
    assert [u['X-Container-Device'] for u in updates] == ['sd1', 'sd2',
                                                          'sd1']
    assert {u['X-Container-Partition'] for u in updates} == {'7'}
    assert split_host(updates[1]['X-Container-Host']) == ('10.0.0.2', 6201)
    assert set(updates[0]) == {'X-Container-Host', 'X-Container-Device',
                               'X-Container-Partition'}

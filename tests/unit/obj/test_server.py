"""The object server over real sockets, with files checked on disk."""
import base64
import hashlib
import json
import os
import pickle
import socket
import subprocess
import threading
import time

import pytest

from swiftlike.common import hashing
from swiftlike.common.safe_pickle import safe_loads
from swiftlike.common.timestamps import Timestamp
from tests.conftest import load_vector
from tests.servers import (
    RecordingServer,
    ServerProcess,
    make_root,
    remove_root,
    supports_big_xattrs,
    wait_for,
    xattr_base,
)

VECTORS = load_vector('metadata.json')
OBJ = VECTORS['object']
BODY = OBJ['body'].encode()
ETAG = hashlib.md5(BODY).hexdigest()


@pytest.fixture(scope='module')
def server():
    base = xattr_base()
    if base is None:
        pytest.skip('no filesystem with large user xattrs')
    root = make_root(base)
    proc = ServerProcess('object-server', root, devices=('sda1', 'sdb1'),
                         client_timeout='2', container_update_timeout='0.5',
                         conn_timeout='0.2', node_timeout='0.3')
    proc.start()
    hashing.set_hash_affixes('vectorprefix', 'vectorsuffix')
    yield proc
    proc.stop()
    remove_root(root)


@pytest.fixture(autouse=True)
def _affixes():
    hashing.set_hash_affixes('vectorprefix', 'vectorsuffix')


_counter = [0]


def unique(prefix='o'):
    _counter[0] += 1
    return '%s-%d-%d' % (prefix, os.getpid(), _counter[0])


def now(delta=0.0):
    return Timestamp(time.time() + delta)


def path(obj, part='17', device='sda1', account='AUTH_test',
         container='c'):
    return '/%s/%s/%s/%s/%s' % (device, part, account, container, obj)


def put(server, obj, body=BODY, ts=None, headers=None, **kw):
    hdrs = {'X-Timestamp': (ts or now()).internal,
            'Content-Type': 'text/plain', 'Content-Length': str(len(body))}
    hdrs.update(headers or {})
    return server.request('PUT', path(obj, **kw), hdrs, body)


def datadir(server, obj, device='sda1', part='17', policy=''):
    digest = hashing.hash_path('AUTH_test', 'c', obj)
    return os.path.join(server.devices_dir, device, 'objects' + policy,
                        part, digest[-3:], digest)


def files(server, obj, **kw):
    try:
        return sorted(os.listdir(datadir(server, obj, **kw)))
    except FileNotFoundError:
        return []


# -- the metadata vectors, written by the live server ----------------------

def test_vector_cases_byte_for_byte(server):
    request_path = '/sda1/%d/%s/%s/%s' % (OBJ['partition'], OBJ['account'],
                                          OBJ['container'], OBJ['object'])
    hash_dir = os.path.join(server.devices_dir, 'sda1', OBJ['hash_dir'])
    for case in VECTORS['cases']:
        headers = {k: v.encode('latin-1').decode('latin-1')
                   for k, v in case['request_headers'].items()}
        body = BODY if case['operation'] == 'PUT' else b''
        status, resp_headers, _ = server.request(
            case['operation'], request_path,
            {k: v.encode('latin-1') for k, v in headers.items()}, body)
        assert status == int(case['response_status'].split()[0])
        assert sorted(os.listdir(hash_dir)) == case['hash_dir_files_after'] \
            or case['operation'] == 'DELETE'
        target = os.path.join(hash_dir, case['file']['file_name'])
        if case['operation'] == 'DELETE':
            break  # a 2023 tombstone is past reclaim_age: reclaimed at once
        for chunk in case['file']['chunks']:
            assert os.getxattr(target, chunk['key']) == \
                base64.b64decode(chunk['value_b64'])
        if 'head_response_headers_after' in case:
            status, got, _ = server.request('HEAD', request_path)
            expected = case['head_response_headers_after']
            assert {k: got[k] for k in expected} == expected


# -- verbs and timestamps --------------------------------------------------

def test_put_get_head_delete(server):
    obj = unique()
    t1 = now()
    status, headers, body = put(server, obj, ts=t1,
                                headers={'X-Object-Meta-Color': 'blue',
                                         'ETag': ETAG})
    assert (status, headers['Etag'], body) == (201, '"%s"' % ETAG, b'')
    assert files(server, obj) == [t1.internal + '.data']
    status, headers, body = server.request('GET', path(obj))
    assert (status, body) == (200, BODY)
    assert headers['Content-Length'] == str(len(BODY))
    assert headers['X-Object-Meta-Color'] == 'blue'
    assert headers['X-Timestamp'] == t1.normal
    assert headers['X-Backend-Data-Timestamp'] == t1.internal
    status, headers, body = server.request('HEAD', path(obj))
    assert (status, body, headers['Content-Length']) == \
        (200, b'', str(len(BODY)))
    t2 = now(1)
    status, headers, _ = server.request('DELETE', path(obj),
                                        {'X-Timestamp': t2.internal})
    assert status == 204 and headers['X-Backend-Timestamp'] == t2.internal
    assert files(server, obj) == [t2.internal + '.ts']
    status, headers, _ = server.request('GET', path(obj))
    assert status == 404 and headers['X-Backend-Timestamp'] == t2.internal
    status, _, _ = server.request('DELETE', path(obj),
                                  {'X-Timestamp': now(2).internal})
    assert status == 404


def test_timestamp_ordering(server):
    obj = unique()
    t1 = now()
    assert put(server, obj, ts=t1)[0] == 201
    for older in (t1, Timestamp(t1, delta=-1)):
        status, headers, _ = put(server, obj, b'stale', ts=older)
        assert status == 409
        assert headers['X-Backend-Timestamp'] == t1.internal
        status, headers, _ = server.request(
            'POST', path(obj), {'X-Timestamp': older.internal})
        assert status == 409
        status, _, _ = server.request('DELETE', path(obj),
                                      {'X-Timestamp': older.internal})
        assert status == 409
    assert server.request('GET', path(obj))[2] == BODY
    # an offset breaks a tie
    assert put(server, obj, b'newer', ts=Timestamp(t1, offset=1))[0] == 201
    assert server.request('GET', path(obj))[2] == b'newer'
    # a tombstone blocks older puts too
    t3 = now(5)
    server.request('DELETE', path(obj), {'X-Timestamp': t3.internal})
    status, headers, _ = put(server, obj, ts=now(4))
    assert status == 409 and headers['X-Backend-Timestamp'] == t3.internal


def test_post_fast_post_and_content_type(server):
    obj = unique()
    t1 = now()
    put(server, obj, ts=t1, headers={'X-Object-Meta-A': '1',
                                     'X-Object-Sysmeta-S': 'kept',
                                     'Content-Disposition': 'inline'})
    t2 = now(1)
    status, headers, body = server.request(
        'POST', path(obj), {'X-Timestamp': t2.internal,
                            'X-Object-Meta-B': '2',
                            'X-Object-Sysmeta-S': 'ignored',
                            'Content-Type': 'image/png'})
    assert status == 202 and body.startswith(b'<html><h1>Accepted')
    assert headers['X-Backend-Content-Type'] == 'image/png'
    assert headers['X-Object-Sysmeta-S'] == 'kept'
    assert files(server, obj) == [t1.internal + '.data',
                                  t2.internal + '+0.meta']
    status, headers, _ = server.request('HEAD', path(obj))
    assert headers['X-Object-Meta-B'] == '2'
    assert 'X-Object-Meta-A' not in headers
    assert 'Content-Disposition' not in headers
    assert headers['X-Object-Sysmeta-S'] == 'kept'
    assert headers['Content-Type'] == 'image/png'
    assert headers['X-Timestamp'] == t2.normal
    t3 = now(2)
    server.request('POST', path(obj), {'X-Timestamp': t3.internal,
                                       'X-Object-Meta-C': '3'})
    # content-type of the older .meta survives beside the newer .meta
    assert files(server, obj) == [t1.internal + '.data',
                                  t2.internal + '+0.meta',
                                  t3.internal + '.meta']
    assert server.request('HEAD', path(obj))[1]['Content-Type'] == \
        'image/png'
    assert server.request('POST', path(unique()),
                          {'X-Timestamp': now().internal})[0] == 404


def test_if_none_match_on_put(server):
    obj = unique()
    assert put(server, obj, headers={'If-None-Match': '*'})[0] == 201
    status, _, _ = put(server, obj, ts=now(1),
                       headers={'If-None-Match': '*'})
    assert status == 412
    status, _, body = put(server, obj, ts=now(2),
                          headers={'If-None-Match': '"abc"'})
    assert (status, body) == (400, b'If-None-Match only supports *')


def test_conditional_get_and_head(server):
    obj = unique()
    t1 = now()
    put(server, obj, ts=t1)
    from swiftlike.common.http import http_date
    modified = http_date(t1.ceil())
    earlier = http_date(t1.ceil() - 100)
    cases = [({'If-Match': '"%s"' % ETAG}, 200),
             ({'If-Match': '"nope"'}, 412), ({'If-Match': '*'}, 200),
             ({'If-None-Match': ETAG}, 304), ({'If-None-Match': '*'}, 304),
             ({'If-None-Match': '"nope"'}, 200),
             ({'If-Modified-Since': modified}, 304),
             ({'If-Modified-Since': earlier}, 200),
             ({'If-Unmodified-Since': earlier}, 412),
             ({'If-Unmodified-Since': modified}, 200)]
    for headers, expected in cases:
        for method in ('GET', 'HEAD'):
            status, resp_headers, body = server.request(method, path(obj),
                                                        headers)
            assert status == expected, (method, headers)
            if status in (304, 412):
                assert body == b'' and resp_headers['Content-Length'] == '0'
    assert server.request('GET', path(unique()), {'If-Match': '*'})[0] == 412


def test_ranges(server):
    obj = unique()
    body = bytes(range(256)) * 4
    put(server, obj, body, headers={'Content-Type': 'application/x-test'})
    status, headers, data = server.request('GET', path(obj),
                                           {'Range': 'bytes=10-19'})
    assert (status, data) == (206, body[10:20])
    assert headers['Content-Range'] == 'bytes 10-19/1024'
    status, headers, data = server.request('GET', path(obj),
                                           {'Range': 'bytes=-4'})
    assert (status, data) == (206, body[-4:])
    status, headers, data = server.request('GET', path(obj),
                                           {'Range': 'bytes=0-1,1020-'})
    assert status == 206
    ctype = headers['Content-Type']
    assert ctype.startswith('multipart/byteranges;boundary=')
    boundary = ctype.split('=', 1)[1]
    assert len(boundary) == 32
    assert data == (
        b'--%s\r\nContent-Type: application/x-test\r\n'
        b'Content-Range: bytes 0-1/1024\r\n\r\n%s\r\n'
        b'--%s\r\nContent-Type: application/x-test\r\n'
        b'Content-Range: bytes 1020-1023/1024\r\n\r\n%s\r\n--%s--' % (
            boundary.encode(), body[:2], boundary.encode(), body[1020:],
            boundary.encode()))
    assert int(headers['Content-Length']) == len(data)
    status, headers, data = server.request('GET', path(obj),
                                           {'Range': 'bytes=2000-'})
    assert status == 416 and headers['Content-Range'] == 'bytes */1024'
    assert b'Requested Range Not Satisfiable' in data
    status, _, data = server.request('GET', path(obj),
                                     {'Range': 'bytes=5-3'})
    assert (status, data) == (200, body)


def test_delete_at_and_expiry(server):
    obj = unique()
    status, _, body = put(server, obj,
                          headers={'X-Delete-At': str(int(time.time()) - 5)})
    assert (status, body) == (400, b'X-Delete-At in past')
    status, _, body = put(server, obj, headers={'X-Delete-At': 'soon'})
    assert (status, body) == (400, b'Non-integer X-Delete-At')
    # replication may carry a past X-Delete-At: stored, and expired at once
    past = str(int(time.time()) - 5)
    assert put(server, obj, headers={'X-Delete-At': past,
                                     'X-Backend-Replication': 'true'})[0] \
        == 201
    assert server.request('GET', path(obj))[0] == 404
    status, headers, _ = server.request(
        'GET', path(obj), {'X-Backend-Open-Expired': 'true'})
    assert status == 200 and headers['X-Delete-At'] == past
    soon = str(int(time.time()) + 2)
    obj2 = unique()
    put(server, obj2, headers={'X-Delete-At': soon})
    assert server.request('GET', path(obj2))[0] == 200
    wait_for(lambda: server.request('GET', path(obj2))[0] == 404,
             message='object to expire')


def test_x_if_delete_at(server):
    obj = unique()
    later = str(int(time.time()) + 3600)
    put(server, obj, headers={'X-Delete-At': later})
    status, _, body = server.request('DELETE', path(obj), {
        'X-Timestamp': now(1).internal, 'X-If-Delete-At': str(int(later) + 1)})
    assert (status, body) == (412, b'X-If-Delete-At and X-Delete-At do not '
                                   b'match')
    status, _, _ = server.request('DELETE', path(obj), {
        'X-Timestamp': now(1).internal, 'X-If-Delete-At': later})
    assert status == 204
    status, _, _ = server.request('DELETE', path(unique()), {
        'X-Timestamp': now().internal, 'X-If-Delete-At': later})
    assert status == 404


def test_etag_mismatch_stores_nothing(server):
    obj = unique()
    status, _, body = put(server, obj, headers={'ETag': 'f' * 32})
    assert status == 422 and b'Unprocessable Entity' in body
    assert files(server, obj) == []
    assert server.request('GET', path(obj))[0] == 404


def test_chunked_put(server):
    obj = unique()
    sock = socket.create_connection(('127.0.0.1', server.port))
    request = ('PUT %s HTTP/1.1\r\nHost: x\r\nX-Timestamp: %s\r\n'
               'Content-Type: text/plain\r\nTransfer-Encoding: chunked\r\n'
               'Connection: close\r\n\r\n' % (path(obj), now().internal))
    sock.sendall(request.encode() +
                 b'6\r\nhello \r\n6\r\nswift\n\r\n0\r\n\r\n')
    reply = b''
    while True:
        chunk = sock.recv(4096)
        if not chunk:
            break
        reply += chunk
    sock.close()
    assert reply.startswith(b'HTTP/1.1 201')
    assert server.request('GET', path(obj))[2] == BODY


def _raw(server, head: bytes, body: bytes = b''):
    sock = socket.create_connection(('127.0.0.1', server.port))
    sock.sendall(head + body)
    return sock


def test_client_disconnect_stores_nothing(server):
    obj = unique()
    sock = _raw(server, ('PUT %s HTTP/1.1\r\nHost: x\r\nX-Timestamp: %s\r\n'
                         'Content-Type: text/plain\r\nContent-Length: 100\r\n'
                         '\r\n' % (path(obj), now().internal)).encode(),
                b'only ten b')
    time.sleep(0.2)  # let the server read what was sent
    sock.close()
    wait_for(lambda: 'PUT' in server.log_text() and
             '" 499 ' in server.log_text().split(path(obj))[-1],
             message='499 in the access log')
    assert files(server, obj) == []
    assert server.request('GET', path(obj))[0] == 404


def test_client_timeout_408(server):
    obj = unique()
    sock = _raw(server, ('PUT %s HTTP/1.1\r\nHost: x\r\nX-Timestamp: %s\r\n'
                         'Content-Type: text/plain\r\nContent-Length: 100\r\n'
                         '\r\n' % (path(obj), now().internal)).encode(),
                b'stalling')
    sock.settimeout(10)
    reply = sock.recv(4096)
    sock.close()
    assert reply.startswith(b'HTTP/1.1 408')
    assert files(server, obj) == []


def test_missing_content_length_and_type(server):
    status, _, _ = server.request('PUT', path(unique()),
                                  {'X-Timestamp': now().internal,
                                   'Content-Type': 'x'})
    # http.client sends Content-Length: 0 for an empty body
    assert status == 201
    sock = _raw(server, ('PUT %s HTTP/1.1\r\nHost: x\r\nX-Timestamp: %s\r\n'
                         'Content-Type: text/plain\r\nConnection: close\r\n'
                         '\r\n' % (path(unique()), now().internal)).encode())
    assert sock.recv(4096).startswith(b'HTTP/1.1 411')
    sock.close()
    status, _, body = server.request(
        'PUT', path(unique()), {'X-Timestamp': now().internal,
                                'Content-Length': '0'})
    assert (status, body) == (400, b'No content type')


@pytest.mark.parametrize('method, request_path, headers, status, body', [
    ('PUT', '/sda1/1/a/c/o', {}, 400, b'Missing X-Timestamp header'),
    ('PUT', '/sda1/1/a/c/o', {'X-Timestamp': 'yesterday'}, 400,
     b'Invalid X-Timestamp header'),
    ('GET', '/sda1/1/a/c', {}, 400, b'Invalid path: /sda1/1/a/c'),
    ('GET', '/sda1/1/a/c/o', {'X-Backend-Storage-Policy-Index': '9'}, 503,
     b'No policy with index 9'),
    ('GET', '/sda1/../a/c/o', {}, 400, None),
    ('GET', '/nodev/1/a/c/o', {}, 507, None),
    ('COPY', '/sda1/1/a/c/o', {}, 405, None),
])
def test_bad_requests(server, method, request_path, headers, status, body):
    got_status, got_headers, got_body = server.request(method, request_path,
                                                       headers)
    assert got_status == status
    if body is not None:
        assert got_body == body
    if status == 507:
        assert b'Drive: nodev' in got_body
    if status == 405:
        assert 'PUT' in got_headers['Allow']


def test_invalid_utf8_path(server):
    sock = _raw(server, b'GET /sda1/1/a/c/\xff HTTP/1.1\r\nHost: x\r\n'
                        b'Connection: close\r\n\r\n')
    reply = sock.recv(4096)
    sock.close()
    assert reply.startswith(b'HTTP/1.1 412')
    assert reply.endswith(b'Invalid UTF8 or contains NULL')


def test_metadata_limits(server):
    status, _, body = put(server, unique(),
                          headers={'X-Object-Meta-' + 'n' * 129: 'v'})
    assert (status, body) == (400, b'Metadata name too long: '
                                   b'X-Object-Meta-' + b'N' + b'n' * 128)


def test_storage_policy_dirs(server):
    obj = unique()
    put(server, obj, headers={'X-Backend-Storage-Policy-Index': '1'})
    assert files(server, obj, policy='-1')
    assert files(server, obj) == []
    assert server.request('GET', path(obj))[0] == 404
    assert server.request('GET', path(obj), {
        'X-Backend-Storage-Policy-Index': '1'})[0] == 200


#: Non-ASCII header bytes are stored UTF-8-encoded twice, so four 7000-byte
#: headers (under the 64 KiB header limit) make a pickle over 64 KiB.
BIG_VALUE = ('\u00e9' * 3500).encode('utf-8').decode('latin-1')


def test_large_metadata_over_http(server):
    obj = unique()
    headers = {'X-Object-Sysmeta-Part%d' % i: BIG_VALUE for i in range(4)}
    encoded = {k: v.encode('latin-1') for k, v in headers.items()}
    assert put(server, obj, headers=encoded)[0] == 201
    data = os.path.join(datadir(server, obj), files(server, obj)[0])
    assert 'user.swift.metadata1' in os.listxattr(data)
    status, got, _ = server.request('HEAD', path(obj))
    assert all(got[k] == v for k, v in headers.items())


def test_concurrent_puts_newest_wins(server):
    obj = unique()
    base = time.time()
    bodies = {}
    errors = []

    def writer(i):
        ts = Timestamp(base + i * 0.001)
        body = ('%d' % i).encode() * 50000
        bodies[ts] = body
        try:
            put(server, obj, body, ts=ts)
        except Exception as err:  # pragma: no cover - reported below
            errors.append(err)

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    newest = max(bodies)
    status, headers, body = server.request('GET', path(obj))
    assert status == 200 and body == bodies[newest]
    assert headers['Etag'] == '"%s"' % hashlib.md5(body).hexdigest()
    assert files(server, obj) == [newest.internal + '.data']


def test_quarantine_over_http(server):
    obj = unique()
    put(server, obj)
    name = files(server, obj)[0]
    os.truncate(os.path.join(datadir(server, obj), name), 3)
    assert server.request('GET', path(obj))[0] == 404
    digest = hashing.hash_path('AUTH_test', 'c', obj)
    qdir = os.path.join(server.devices_dir, 'sda1', 'quarantined', 'objects')
    assert digest in os.listdir(qdir)
    status, _, body = server.request('GET', '/recon/quarantined')
    assert status == 200 and json.loads(body)['objects'] >= 1


# -- container and expirer updates ------------------------------------------

def _update_headers(peer, partition='9', device='sdc1'):
    return {'X-Container-Host': peer.host, 'X-Container-Device': device,
            'X-Container-Partition': partition, 'X-Trans-Id': 'tx-test'}


def test_container_updates_on_put_post_delete(server):
    peers = [RecordingServer(), RecordingServer()]
    try:
        obj = unique()
        hosts = {'X-Container-Host': ','.join(p.host for p in peers),
                 'X-Container-Device': 'sdc1,sdd1',
                 'X-Container-Partition': '9', 'X-Trans-Id': 'tx-test'}
        t1 = now()
        put(server, obj, ts=t1, headers=dict(
            hosts, **{'X-Object-Sysmeta-Container-Update-Override-Etag':
                      'override-etag'}))
        for peer, device in zip(peers, ('sdc1', 'sdd1')):
            method, req_path, headers, _ = peer.requests[-1]
            assert method == 'PUT'
            assert req_path == '/%s/9/AUTH_test/c/%s' % (device, obj)
            assert headers['X-Size'] == str(len(BODY))
            assert headers['X-Etag'] == 'override-etag'
            assert headers['X-Content-Type'] == 'text/plain'
            assert headers['X-Timestamp'] == t1.internal
            assert headers['X-Trans-Id'] == 'tx-test'
            assert headers['User-Agent'].startswith('object-server ')
            assert headers['X-Backend-Storage-Policy-Index'] == '0'
        t2 = now(1)
        server.request('POST', path(obj), dict(
            hosts, **{'X-Timestamp': t2.internal, 'Content-Type': 'a/b'}))
        headers = peers[0].requests[-1][2]
        assert headers['X-Timestamp'] == t1.internal
        assert headers['X-Meta-Timestamp'] == t2.internal
        assert headers['X-Content-Type'] == 'a/b'
        assert headers['X-Content-Type-Timestamp'] == t2.internal
        t3 = now(2)
        server.request('DELETE', path(obj),
                       dict(hosts, **{'X-Timestamp': t3.internal}))
        method, _, headers, _ = peers[1].requests[-1]
        assert method == 'DELETE' and headers['X-Timestamp'] == t3.internal
        async_dir = os.path.join(server.devices_dir, 'sda1', 'async_pending')
        digest = hashing.hash_path('AUTH_test', 'c', obj)
        assert not os.path.exists(os.path.join(async_dir, digest[-3:]))
    finally:
        for peer in peers:
            peer.close()


def _async_records(server, obj):
    digest = hashing.hash_path('AUTH_test', 'c', obj)
    sfx = os.path.join(server.devices_dir, 'sda1', 'async_pending',
                       digest[-3:])
    names = [n for n in os.listdir(sfx) if n.startswith(digest)] \
        if os.path.isdir(sfx) else []
    records = []
    for name in names:
        with open(os.path.join(sfx, name), 'rb') as f:
            records.append((name, safe_loads(f.read(), encoding='utf8')))
    return records


@pytest.mark.parametrize('peer_kind', ['down', 'error', 'slow'])
def test_failed_update_becomes_async_pending(server, peer_kind):
    obj = unique()
    t1 = now()
    if peer_kind == 'down':
        from tests.servers import free_port
        host, peer = '127.0.0.1:%d' % free_port(), None
    else:
        peer = RecordingServer(status=500 if peer_kind == 'error' else 201,
                               delay=2.0 if peer_kind == 'slow' else 0)
        host = peer.host
    try:
        started = time.monotonic()
        status, _, _ = put(server, obj, ts=t1, headers={
            'X-Container-Host': host, 'X-Container-Device': 'sdc1',
            'X-Container-Partition': '9'})
        assert status == 201
        assert time.monotonic() - started < 1.9  # update_timeout is 0.5 s
        (name, record), = _async_records(server, obj)
        digest = hashing.hash_path('AUTH_test', 'c', obj)
        assert name == '%s-%s' % (digest, t1.internal)
        assert record['op'] == 'PUT' and record['obj'] == obj
        assert record['account'] == 'AUTH_test' and \
            record['container'] == 'c'
        assert record['headers']['X-Size'] == str(len(BODY))
        assert record['headers']['X-Timestamp'] == t1.internal
        assert record['db_state'] is None
    finally:
        if peer:
            peer.close()


def test_expirer_queue_updates(server):
    peer = RecordingServer()
    try:
        obj = unique()
        delete_at = str(int(time.time()) + 86400 * 3)
        put(server, obj, headers={
            'X-Delete-At': delete_at, 'X-Delete-At-Host': peer.host,
            'X-Delete-At-Device': 'sdx1', 'X-Delete-At-Partition': '3',
            'X-Delete-At-Container': '0001700000'})
        method, req_path, headers, _ = peer.requests[-1]
        assert method == 'PUT'
        assert req_path == '/sdx1/3/.expiring_objects/0001700000/' \
            '%s-AUTH_test/c/%s' % (delete_at, obj)
        assert headers['X-Content-Type'] == \
            'text/plain;swift_expirer_bytes=%d' % len(BODY)
        assert headers['X-Size'] == '0'
        assert headers['X-Etag'] == hashlib.md5(b'').hexdigest()
        # deleting the object queues the row's removal for the updater
        server.request('DELETE', path(obj), {'X-Timestamp': now(1).internal})
        qdir = os.path.join(server.devices_dir, 'sda1', 'async_pending')
        found = []
        for sfx in os.listdir(qdir):
            for name in os.listdir(os.path.join(qdir, sfx)):
                with open(os.path.join(qdir, sfx, name), 'rb') as f:
                    record = pickle.loads(f.read())
                if record['account'] == '.expiring_objects' and \
                        record['obj'].endswith(obj):
                    found.append(record)
        assert [r['op'] for r in found] == ['DELETE']
        digest = int(hashing.hash_path('AUTH_test', 'c', obj), 16)
        expected = int(delete_at) // 86400 * 86400 - digest % 100
        assert found[0]['container'] == '%010d' % expected
    finally:
        peer.close()


def test_mismatched_update_hosts_logged_not_fatal(server):
    obj = unique()
    status, _, _ = put(server, obj, headers={
        'X-Container-Host': '127.0.0.1:1,127.0.0.1:2',
        'X-Container-Device': 'sdc1', 'X-Container-Partition': '9'})
    assert status == 201
    assert 'different numbers of hosts and devices' in server.log_text()


# -- REPLICATE -------------------------------------------------------------

def test_replicate(server):
    objs = [unique('r') for _ in range(3)]
    for obj in objs:
        put(server, obj, part='77')
    status, _, body = server.request('REPLICATE', '/sda1/77')
    hashes = safe_loads(body, encoding='utf8')
    suffixes = {hashing.hash_path('AUTH_test', 'c', o)[-3:] for o in objs}
    assert status == 200 and set(hashes) == suffixes
    assert all(len(v) == 32 for v in hashes.values())
    part_dir = os.path.join(server.devices_dir, 'sda1', 'objects', '77')
    with open(os.path.join(part_dir, 'hashes.pkl'), 'rb') as f:
        stored = safe_loads(f.read(), encoding='utf8')
    assert stored['valid'] is True and {k: stored[k] for k in hashes} == \
        hashes
    sfx = sorted(suffixes)[:2]
    status, _, body = server.request('REPLICATE', '/sda1/77/' + '-'.join(sfx))
    assert (status, body) == (200, b'\x80\x02N.')
    with open(os.path.join(part_dir, 'hashes.invalid')) as f:
        assert f.read() == ''.join(s + '\n' for s in sfx)
    status, _, body = server.request('REPLICATE', '/sda1/12345')
    assert safe_loads(body) == {}
    assert server.request('REPLICATE', '/nodev/77')[0] == 507


def test_recon_and_healthcheck(server):
    status, headers, body = server.request('GET', '/healthcheck')
    assert (status, body, headers['Content-Type']) == (200, b'OK',
                                                      'text/plain')
    version = json.loads(server.request('GET', '/recon/version')[2])
    import swiftlike
    assert version == {'version': swiftlike.__version__}
    devices = json.loads(server.request('GET', '/recon/devices')[2])
    assert devices == {server.devices_dir: ['sda1', 'sdb1']}
    unmounted = json.loads(server.request('GET', '/recon/unmounted')[2])
    assert unmounted == []
    usage = json.loads(server.request('GET', '/recon/diskusage')[2])
    assert [u['device'] for u in usage] == ['sda1', 'sdb1']
    assert all(u['size'] > 0 and u['avail'] > 0 for u in usage)
    assert abs(json.loads(server.request('GET', '/recon/time')[2]) -
               time.time()) < 60
    assert server.request('GET', '/recon/nonsense')[0] == 404


def test_big_metadata_refused_by_small_xattr_filesystem(server, tmp_path):
    if supports_big_xattrs(str(tmp_path)):
        pytest.skip('%s accepts large xattrs' % tmp_path)
    os.symlink(str(tmp_path), os.path.join(server.devices_dir, 'ext4dev'))
    obj = unique()
    headers = {'X-Object-Sysmeta-Part%d' % i: 'x' * 7000 for i in range(3)}
    status, _, body = put(server, obj, headers=headers, device='ext4dev')
    assert status == 507 and b'Drive: ext4dev' in body
    digest = hashing.hash_path('AUTH_test', 'c', obj)
    hash_dir = tmp_path / 'objects' / '17' / digest[-3:] / digest
    assert list(hash_dir.iterdir()) == []
    assert put(server, unique(), device='ext4dev')[0] == 201


def test_mount_check_over_http(tmp_path):
    base = xattr_base()
    if base is None:
        pytest.skip('no filesystem with large user xattrs')
    root = make_root(base)
    proc = ServerProcess('object-server', root, devices=('sda1', 'sdb1'),
                         mount_check='true')
    mounted = os.path.join(proc.devices_dir, 'sdb1')
    # a filesystem of its own (a bind mount of the same one is not a mount
    # point to ismount, for Swift either)
    bound = os.geteuid() == 0 and subprocess.call(
        ['mount', '-t', 'tmpfs', '-o', 'size=64m', 'tmpfs', mounted],
        stderr=subprocess.DEVNULL) == 0
    proc.start()
    try:
        status, _, body = put(proc, unique())
        assert status == 507 and b'Drive: sda1' in body
        unmounted = json.loads(proc.request('GET', '/recon/unmounted')[2])
        assert {'device': 'sda1', 'mounted': False} in unmounted
        if bound:
            assert put(proc, unique(), device='sdb1')[0] == 201
            mounted_report = json.loads(
                proc.request('GET', '/recon/mounted')[2])
            assert [m['device'] for m in mounted_report] == ['sdb1']
    finally:
        proc.stop()
        if bound:
            subprocess.call(['umount', mounted])
        remove_root(root)


def test_recon_ringmd5_and_async(server):
    from swiftlike.common.ring import RingBuilder
    builder = RingBuilder(4, 1, 1)
    builder.add_dev({'zone': 1, 'ip': '127.0.0.1', 'port': 1,
                     'device': 'd', 'weight': 1})
    builder.rebalance()
    ring_file = os.path.join(server.etc, 'object.ring.gz')
    builder.get_ring().save(ring_file)
    with open(ring_file, 'rb') as f:
        expected = hashlib.md5(f.read()).hexdigest()
    rings = json.loads(server.request('GET', '/recon/ringmd5')[2])
    assert rings == {ring_file: expected}
    cache = os.path.join(server.root, 'cache')
    os.makedirs(cache, exist_ok=True)
    with open(os.path.join(cache, 'object.recon'), 'w') as f:
        json.dump({'async_pending': 7, 'replication_time': 1.5}, f)
    assert json.loads(server.request('GET', '/recon/async')[2]) == 7
    replication = json.loads(server.request('GET', '/recon/replication')[2])
    assert replication['replication_time'] == 1.5

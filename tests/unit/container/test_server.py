"""Container and account servers over real sockets and SQLite files."""
import json
import math
import os
import threading
import time

import pytest

from swiftlike.common import hashing
from swiftlike.common.http import parse_http_date
from swiftlike.common.timestamps import Timestamp
from tests.servers import ServerProcess, make_root, remove_root, xattr_base


@pytest.fixture(scope='module')
def cluster():
    base = xattr_base() or '/tmp'
    root = make_root(base)
    account = ServerProcess('account-server', os.path.join(root, 'a'))
    container = ServerProcess('container-server', os.path.join(root, 'c'))
    account.start()
    container.start()
    hashing.set_hash_affixes('vectorprefix', 'vectorsuffix')
    yield account, container
    account.stop()
    container.stop()
    remove_root(root)


@pytest.fixture(autouse=True)
def _affixes():
    hashing.set_hash_affixes('vectorprefix', 'vectorsuffix')


_count = [0]


def unique(prefix='c'):
    _count[0] += 1
    return '%s%d-%d' % (prefix, os.getpid(), _count[0])


def ts(delta=0.0):
    return Timestamp(time.time() + delta).internal


def account_headers(account_server, partition='1'):
    return {'X-Account-Host': '127.0.0.1:%d' % account_server.port,
            'X-Account-Device': 'sda1', 'X-Account-Partition': partition}


def make_container(cluster, acct, cont, **headers):
    account, container = cluster
    account.request('PUT', '/sda1/1/%s' % acct, {'X-Timestamp': ts()})
    hdrs = {'X-Timestamp': ts()}
    hdrs.update(account_headers(account))
    hdrs.update(headers)
    return container.request('PUT', '/sda1/2/%s/%s' % (acct, cont), hdrs)


def put_row(container, acct, cont, name, size=5, when=None, **extra):
    headers = {'X-Timestamp': when or ts(), 'X-Size': str(size),
               'X-Content-Type': 'text/plain', 'X-Etag': 'etag-' + name}
    headers.update(extra)
    return container.request('PUT', '/sda1/2/%s/%s/%s' % (acct, cont, name),
                             {k: v.encode('utf-8') if isinstance(v, str)
                              else v for k, v in headers.items()})


def listing(container, acct, cont, query=''):
    status, headers, body = container.request(
        'GET', '/sda1/2/%s/%s?format=json%s' % (acct, cont, query))
    assert status == 200, (status, body)
    return [r.get('name', r.get('subdir')) for r in json.loads(body)]


def test_container_lifecycle_and_account_update(cluster):
    account, container = cluster
    acct, cont = unique('AUTH_'), unique()
    status, headers, _ = make_container(cluster, acct, cont,
                                        **{'X-Container-Meta-Color': 'blue',
                                           'X-Container-Read': '.r:*'})
    assert status == 201 and headers['X-Backend-Storage-Policy-Index'] == '0'
    assert make_container(cluster, acct, cont)[0] == 202
    put_row(container, acct, cont, 'o1', 3)
    put_row(container, acct, cont, 'o2', 4)
    status, headers, body = container.request('HEAD', '/sda1/2/%s/%s' % (
        acct, cont))
    assert status == 204 and body == b''
    assert (headers['X-Container-Object-Count'],
            headers['X-Container-Bytes-Used']) == ('2', '7')
    assert headers['X-Container-Meta-Color'] == 'blue'
    assert headers['X-Container-Read'] == '.r:*'
    assert headers['X-Backend-Sharding-State'] == 'unsharded'
    # Last-Modified: the PUT time, rounded up to the second
    put = float(headers['X-PUT-Timestamp'])
    assert parse_http_date(headers['Last-Modified']) == math.ceil(put)
    # the account heard about the container when it was created
    status, _, body = account.request('GET', '/sda1/1/%s?format=json' % acct)
    assert json.loads(body)[0]['name'] == cont
    # deleting a non-empty container is refused
    delete = {'X-Timestamp': ts(1)}
    delete.update(account_headers(account))
    assert container.request('DELETE', '/sda1/2/%s/%s' % (acct, cont),
                             delete)[0] == 409
    for name in ('o1', 'o2'):
        assert container.request('DELETE', '/sda1/2/%s/%s/%s' % (
            acct, cont, name), {'X-Timestamp': ts(1)})[0] == 204
    delete['X-Timestamp'] = ts(2)
    assert container.request('DELETE', '/sda1/2/%s/%s' % (acct, cont),
                             delete)[0] == 204
    status, headers, _ = container.request('HEAD', '/sda1/2/%s/%s' % (
        acct, cont))
    assert status == 404 and headers['X-Backend-DELETE-Timestamp'] == \
        delete['X-Timestamp']
    assert container.request('GET', '/sda1/2/%s/%s' % (acct, cont))[0] == \
        404
    status, headers, body = account.request('GET', '/sda1/1/%s?format=json'
                                            % acct)
    assert json.loads(body) == [] and \
        headers['X-Account-Container-Count'] == '0'
    # a PUT older than the delete leaves it deleted; a newer one recreates
    assert make_container(cluster, acct, cont,
                          **{'X-Timestamp': ts(1)})[0] == 409
    assert make_container(cluster, acct, cont,
                          **{'X-Timestamp': ts(3)})[0] == 201


def test_policy_conflicts(cluster):
    account, container = cluster
    acct, cont = unique('AUTH_'), unique()
    assert make_container(cluster, acct, cont, **{
        'X-Backend-Storage-Policy-Index': '1'})[0] == 201
    status, headers, _ = make_container(cluster, acct, cont, **{
        'X-Backend-Storage-Policy-Index': '0'})
    assert status == 409 and headers['X-Backend-Storage-Policy-Index'] == \
        '1'
    status, _, body = make_container(cluster, acct, unique(), **{
        'X-Backend-Storage-Policy-Index': '7'})
    assert (status, body) == (400, b'Invalid X-Backend-Storage-Policy-Index'
                                   b' 7')


def test_account_update_404_when_account_missing(cluster):
    account, container = cluster
    hdrs = {'X-Timestamp': ts()}
    hdrs.update(account_headers(account))
    status, _, _ = container.request(
        'PUT', '/sda1/2/%s/%s' % (unique('AUTH_nope'), unique()), hdrs)
    assert status == 404


def test_object_rows_need_a_container_unless_auto_created(cluster):
    _, container = cluster
    assert put_row(container, unique('AUTH_'), unique(), 'o')[0] == 404
    acct = '.expiring_objects'
    cont = unique('0')
    assert put_row(container, acct, cont, 'task')[0] == 201
    assert listing(container, acct, cont) == ['task']


def test_listing_parameters(cluster):
    _, container = cluster
    acct, cont = unique('AUTH_'), unique()
    make_container(cluster, acct, cont)
    # byte-wise UTF-8 order: 'z' (7a) sorts before 'é' (c3 a9)
    names = ['a', 'b/1', 'b/2', 'b/c/3', 'café', 'd-1', 'd-2', 'z', 'é/x']
    for name in names:
        put_row(container, acct, cont, name)
    assert listing(container, acct, cont) == names
    assert listing(container, acct, cont, '&limit=2') == ['a', 'b/1']
    assert listing(container, acct, cont, '&limit=0') == []
    assert listing(container, acct, cont, '&delimiter=/') == \
        ['a', 'b/', 'café', 'd-1', 'd-2', 'z', 'é/']
    assert listing(container, acct, cont, '&prefix=b/&delimiter=/') == \
        ['b/1', 'b/2', 'b/c/']
    assert listing(container, acct, cont, '&path=b') == ['b/1', 'b/2']
    assert listing(container, acct, cont, '&marker=b/2&end_marker=d-2') == \
        ['b/c/3', 'café', 'd-1']
    assert listing(container, acct, cont, '&reverse=on&limit=3') == \
        ['é/x', 'z', 'd-2']
    assert listing(container, acct, cont,
                   '&reverse=true&marker=d-2&end_marker=b/2') == \
        ['d-1', 'café', 'b/c/3']
    assert listing(container, acct, cont, '&prefix=caf%C3%A9') == ['café']
    assert listing(container, acct, cont, '&delimiter=-&marker=d-') == \
        ['z', 'é/x']
    status, _, body = container.request(
        'GET', '/sda1/2/%s/%s?limit=10001' % (acct, cont))
    assert (status, body) == (412, b'Maximum limit is 10000')
    status, _, _ = container.request('GET', '/sda1/2/%s/%s?limit=10000' % (
        acct, cont))
    assert status == 200


def test_listing_formats(cluster):
    _, container = cluster
    acct, cont = unique('AUTH_'), unique()
    make_container(cluster, acct, cont)
    when = '1700000000.12345'
    put_row(container, acct, cont, 'café/menu.txt', 12, when,
            **{'X-Etag': '3ddb068de95c1c3ea2dedeecd0fe5613'})
    path = '/sda1/2/%s/%s' % (acct, cont)
    status, headers, body = container.request('GET', path + '?format=json')
    assert headers['Content-Type'] == 'application/json; charset=utf-8'
    assert 'Vary' not in headers
    assert body == (b'[{"bytes": 12, "hash": "3ddb068de95c1c3ea2dedeecd0fe'
                    b'5613", "name": "caf\\u00e9/menu.txt", "content_type": '
                    b'"text/plain", "last_modified": '
                    b'"2023-11-14T22:13:20.123450"}]')
    status, headers, body = container.request('GET', path,
                                              {'Accept': 'text/xml'})
    assert headers['Content-Type'] == 'text/xml; charset=utf-8'
    assert headers['Vary'] == 'Accept'
    assert body.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n'
                           b'<container name="%s"><object><name>caf\xc3\xa9'
                           % cont.encode())
    status, headers, body = container.request('GET', path)
    assert (status, body) == (200, 'café/menu.txt\n'.encode())
    status, _, body = container.request('GET', path + '?prefix=zzz')
    assert (status, body) == (204, b'')
    status, _, body = container.request('GET', path + '?prefix=zzz'
                                        '&format=json')
    assert (status, body) == (200, b'[]')
    assert container.request('GET', path, {'Accept': 'image/png'})[0] == 406


def test_row_timestamp_rules(cluster):
    _, container = cluster
    acct, cont = unique('AUTH_'), unique()
    make_container(cluster, acct, cont)
    new, old = ts(10), ts(5)
    put_row(container, acct, cont, 'o', 7, new)
    put_row(container, acct, cont, 'o', 9, old)
    status, headers, body = container.request(
        'GET', '/sda1/2/%s/%s?format=json' % (acct, cont))
    assert json.loads(body)[0]['bytes'] == 7
    container.request('DELETE', '/sda1/2/%s/%s/o' % (acct, cont),
                      {'X-Timestamp': old})
    assert listing(container, acct, cont) == ['o']
    container.request('DELETE', '/sda1/2/%s/%s/o' % (acct, cont),
                      {'X-Timestamp': ts(20)})
    assert listing(container, acct, cont) == []


def test_metadata_timestamp_rules_and_post(cluster):
    _, container = cluster
    acct, cont = unique('AUTH_'), unique()
    make_container(cluster, acct, cont)
    path = '/sda1/2/%s/%s' % (acct, cont)
    assert container.request('POST', path, {
        'X-Timestamp': ts(10), 'X-Container-Meta-A': 'new'})[0] == 204
    container.request('POST', path, {'X-Timestamp': ts(5),
                                     'X-Container-Meta-A': 'stale'})
    headers = container.request('HEAD', path)[1]
    assert headers['X-Container-Meta-A'] == 'new'
    container.request('POST', path, {'X-Timestamp': ts(20),
                                     'X-Container-Meta-A': ''})
    assert 'X-Container-Meta-A' not in container.request('HEAD', path)[1]
    status, _, body = container.request('POST', path, {
        'X-Timestamp': ts(30), 'X-Container-Meta-' + 'n' * 129: 'v'})
    assert status == 400 and body.startswith(b'Metadata name too long')
    assert container.request('POST', '/sda1/2/%s/nope' % acct, {
        'X-Timestamp': ts()})[0] == 404


def test_concurrent_row_writers(cluster):
    _, container = cluster
    acct, cont = unique('AUTH_'), unique()
    make_container(cluster, acct, cont)
    errors = []

    def writer(worker):
        for n in range(40):
            status = put_row(container, acct, cont,
                             'w%d-%02d' % (worker, n))[0]
            if status != 201:
                errors.append(status)

    threads = [threading.Thread(target=writer, args=(w,)) for w in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert len(listing(container, acct, cont)) == 320
    headers = container.request('HEAD', '/sda1/2/%s/%s' % (acct, cont))[1]
    assert headers['X-Container-Object-Count'] == '320'


def test_corrupt_db_is_quarantined_and_404(cluster):
    _, container = cluster
    acct, cont = unique('AUTH_'), unique()
    make_container(cluster, acct, cont)
    digest = hashing.hash_path(acct, cont)
    db_file = os.path.join(container.devices_dir, 'sda1', 'containers', '2',
                           digest[-3:], digest, digest + '.db')
    with open(db_file, 'r+b') as f:
        f.write(b'garbage' * 100)
    status, _, body = container.request('HEAD', '/sda1/2/%s/%s' % (
        acct, cont))
    assert status == 404 and b'Traceback' not in body
    assert digest in os.listdir(os.path.join(
        container.devices_dir, 'sda1', 'quarantined', 'containers'))


def test_bad_requests(cluster):
    _, container = cluster
    assert container.request('PUT', '/sda1/2/a/c', {})[0] == 400
    assert container.request('GET', '/nodev/2/a/c')[0] == 507
    assert container.request('COPY', '/sda1/2/a/c')[0] == 405
    status, _, body = container.request('PUT', '/sda1/2/a/c/o', {
        'X-Timestamp': ts()})
    assert status in (400, 404)


# -- the account server -------------------------------------------------------

def test_account_server(cluster):
    account, _ = cluster
    acct = unique('AUTH_')
    path = '/sda1/1/' + acct
    assert account.request('HEAD', path)[0] == 404
    assert account.request('PUT', path, {'X-Timestamp': ts(),
                                         'X-Account-Meta-Q': '1'})[0] == 201
    assert account.request('PUT', path, {'X-Timestamp': ts(1)})[0] == 202
    rows = {'c1': (3, 100, 0), 'c2': (2, 50, 1), 'pre-x': (0, 0, 0)}
    for name, (count, nbytes, policy) in rows.items():
        status, _, _ = account.request('PUT', path + '/' + name, {
            'X-Put-Timestamp': ts(), 'X-Delete-Timestamp': '0',
            'X-Object-Count': str(count), 'X-Bytes-Used': str(nbytes),
            'X-Backend-Storage-Policy-Index': str(policy)})
        assert status == 201
    status, headers, body = account.request('GET', path + '?format=json'
                                            '&delimiter=-')
    assert status == 200
    headers = {k.lower(): v for k, v in headers.items()}
    records = json.loads(body)
    assert [r.get('name', r.get('subdir')) for r in records] == \
        ['c1', 'c2', 'pre-']
    assert records[0]['storage_policy'] == 'gold'
    assert records[1]['storage_policy'] == 'silver'
    assert list(records[0]) == ['name', 'count', 'bytes', 'last_modified',
                                'storage_policy']
    assert (headers['x-account-container-count'],
            headers['x-account-object-count'],
            headers['x-account-bytes-used']) == ('3', '5', '150')
    assert headers['x-account-storage-policy-gold-object-count'] == '3'
    assert headers['x-account-storage-policy-silver-bytes-used'] == '50'
    assert headers['x-account-meta-q'] == '1'
    status, _, body = account.request('GET', path + '?limit=1')
    assert (status, body) == (200, b'c1\n')
    status, _, body = account.request('GET', path + '?limit=10001')
    assert (status, body) == (412, b'Maximum limit is 10000')
    # a container deleted after its last put leaves the listing
    account.request('PUT', path + '/c2', {
        'X-Put-Timestamp': ts(-10), 'X-Delete-Timestamp': ts(),
        'X-Object-Count': '0', 'X-Bytes-Used': '0'})
    assert [r['name'] for r in json.loads(account.request(
        'GET', path + '?format=json')[2])] == ['c1', 'pre-x']
    assert account.request('POST', path, {'X-Timestamp': ts(),
                                          'X-Account-Meta-Q': '2'})[0] == 204
    assert account.request('HEAD', path)[1]['X-Account-Meta-Q'] == '2'
    assert account.request('DELETE', path, {'X-Timestamp': ts(5)})[0] == 204
    status, headers, _ = account.request('HEAD', path)
    assert status == 404 and headers['X-Account-Status'] == 'Deleted'
    status, _, body = account.request('PUT', path, {'X-Timestamp': ts(6)})
    assert (status, body) == (403, b'Recently deleted')
    status, _, _ = account.request('PUT', path + '/c3', {
        'X-Put-Timestamp': ts(), 'X-Delete-Timestamp': '0',
        'X-Object-Count': '0', 'X-Bytes-Used': '0'})
    assert status == 404
    assert account.request('PUT', path + '/c3', {
        'X-Put-Timestamp': ts(), 'X-Delete-Timestamp': '0',
        'X-Object-Count': '0', 'X-Bytes-Used': '0'})[0] == 404


def test_account_auto_create_and_missing_headers(cluster):
    account, _ = cluster
    path = '/sda1/1/.%s/c' % unique('auto')
    assert account.request('PUT', path, {
        'X-Put-Timestamp': ts(), 'X-Delete-Timestamp': '0',
        'X-Object-Count': '1', 'X-Bytes-Used': '2'})[0] == 201
    status, _, body = account.request('PUT', '/sda1/1/AUTH_x/c', {
        'X-Put-Timestamp': ts()})
    assert status == 400 and body.startswith(b'Missing X-Delete-Timestamp')

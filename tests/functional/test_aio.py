"""The all-in-one through python-swiftclient, as a new user meets it."""
import math
import subprocess

import pytest
from swiftclient import client as swiftclient
from swiftclient.exceptions import ClientException

from swiftlike.common.http import parse_http_date
from tests.conftest import cli_command


def test_banner_names_auth_url_and_users(aio):
    out = aio.output()
    assert 'Auth URL:  %s' % aio.auth_url in out
    for user in ('test:tester / testing', 'test2:tester2 / testing2',
                 'test:tester3 / testing3', 'test5:tester5 / testing5',
                 'admin:admin / admin'):
        assert user in out
    # the command the banner suggests works as printed
    suggested = next(line for line in out.splitlines()
                     if line.startswith('Try:  swiftlike ')).split()[2:]
    prefix, env = cli_command('swiftlike')
    done = subprocess.run(prefix + suggested, capture_output=True,
                          text=True, env=env, timeout=60)
    assert done.returncode == 0, done.stderr
    assert 'Account: AUTH_test' in done.stdout


def test_newcomer_path_with_the_swift_command(aio, tmp_path):
    source = tmp_path / 'notes.txt'
    source.write_bytes(b'swiftlike works\n' * 1000)
    result = aio.swift('upload', 'docs', str(source), '--object-name',
                       'notes.txt')
    assert result.returncode == 0, result.stderr
    listing = aio.swift('list', 'docs')
    assert listing.stdout.split() == ['notes.txt']
    assert 'docs' in aio.swift('list').stdout.split()
    out = tmp_path / 'copy.txt'
    download = aio.swift('download', 'docs', 'notes.txt', '-o', str(out))
    assert download.returncode == 0, download.stderr
    assert out.read_bytes() == source.read_bytes()
    stat = aio.swift('stat', 'docs', 'notes.txt')
    assert 'Content Length: 16000' in stat.stdout
    account = aio.swift('stat')
    assert 'Account: AUTH_test' in account.stdout
    assert aio.swift('delete', 'docs', 'notes.txt').returncode == 0
    assert aio.swift('list', 'docs').stdout.split() == []


def test_bad_credentials(aio):
    result = aio.swift('stat', key='wrong')
    assert result.returncode != 0
    assert '401 Unauthorized' in result.stderr
    with pytest.raises(ClientException) as err:
        swiftclient.get_auth(aio.auth_url, 'nobody:here', 'x')
    assert err.value.http_status == 401


def _conn(aio, user, key):
    url, token = swiftclient.get_auth(aio.auth_url, user, key)
    return url, token


def test_library_crud_metadata_and_ranges(aio):
    url, token = _conn(aio, 'test:tester', 'testing')
    swiftclient.put_container(url, token, 'lib', headers={
        'X-Container-Meta-Purpose': 'tests'})
    etag = swiftclient.put_object(url, token, 'lib', 'caf\u00e9.txt',
                                  b'0123456789', content_type='text/x')
    assert etag == '781e5e245d69b566979b86e28d23f2c7'
    headers, body = swiftclient.get_object(url, token, 'lib', 'caf\u00e9.txt',
                                           headers={'Range': 'bytes=2-4'})
    assert body == b'234' and headers['content-range'] == 'bytes 2-4/10'
    swiftclient.post_object(url, token, 'lib', 'caf\u00e9.txt',
                            headers={'X-Object-Meta-Color': 'blue'})
    headers = swiftclient.head_object(url, token, 'lib', 'caf\u00e9.txt')
    assert headers['x-object-meta-color'] == 'blue'
    assert headers['content-type'] == 'text/x'
    headers = swiftclient.head_container(url, token, 'lib')
    assert headers['x-container-meta-purpose'] == 'tests'
    assert parse_http_date(headers['last-modified']) == math.ceil(
        float(headers['x-put-timestamp']))
    assert headers['x-container-object-count'] == '1'
    _, listing = swiftclient.get_container(url, token, 'lib')
    assert [o['name'] for o in listing] == ['caf\u00e9.txt']
    assert listing[0]['bytes'] == 10 and listing[0]['hash'] == etag
    swiftclient.delete_object(url, token, 'lib', 'caf\u00e9.txt')
    with pytest.raises(ClientException) as err:
        swiftclient.get_object(url, token, 'lib', 'caf\u00e9.txt')
    assert err.value.http_status == 404
    swiftclient.delete_container(url, token, 'lib')


def test_acls_between_users(aio):
    url, token = _conn(aio, 'test:tester', 'testing')
    swiftclient.put_container(url, token, 'shared')
    swiftclient.put_object(url, token, 'shared', 'doc', b'shared doc')
    _, token2 = _conn(aio, 'test2:tester2', 'testing2')
    _, token3 = _conn(aio, 'test:tester3', 'testing3')
    for other in (token2, token3):
        with pytest.raises(ClientException) as err:
            swiftclient.get_object(url, other, 'shared', 'doc')
        assert err.value.http_status == 403
    swiftclient.post_container(url, token, 'shared', headers={
        'X-Container-Read': 'test2:tester2, test:tester3',
        'X-Container-Write': 'test2'})
    assert swiftclient.get_object(url, token2, 'shared', 'doc')[1] == \
        b'shared doc'
    assert swiftclient.get_object(url, token3, 'shared', 'doc')[1] == \
        b'shared doc'
    swiftclient.put_object(url, token2, 'shared', 'from-test2', b'hi')
    with pytest.raises(ClientException) as err:
        swiftclient.put_object(url, token3, 'shared', 'from-tester3', b'x')
    assert err.value.http_status == 403
    with pytest.raises(ClientException) as err:
        swiftclient.post_container(url, token, 'shared', headers={
            'X-Container-Write': '.r:*'})
    assert err.value.http_status == 400
    # .r:* lets anyone read objects; .rlistings adds the listing
    swiftclient.post_container(url, token, 'shared', headers={
        'X-Container-Read': '.r:*'})
    import urllib.request
    with urllib.request.urlopen(url + '/shared/doc') as resp:
        assert resp.read() == b'shared doc'


def test_reseller_admin_reaches_any_account(aio):
    url, _ = _conn(aio, 'test:tester', 'testing')
    _, admin_token = _conn(aio, 'admin:admin', 'admin')
    headers = swiftclient.head_account(url, admin_token)
    assert 'x-account-container-count' in headers


def test_every_response_carries_a_transaction_id(aio):
    url, token = _conn(aio, 'test:tester', 'testing')
    headers = swiftclient.head_account(url, token)
    assert headers['x-trans-id'].startswith('tx')
    assert headers['x-openstack-request-id'] == headers['x-trans-id']
    with pytest.raises(ClientException) as err:
        swiftclient.head_object(url, token, 'nope', 'nothing')
    assert err.value.http_response_headers['x-trans-id'].startswith('tx')


def test_proxy_access_log(aio):
    url, token = swiftclient.get_auth(aio.auth_url, 'test:tester',
                                      'testing')
    headers = swiftclient.head_account(url, token)
    trans_id = headers['x-trans-id']
    log = aio.root + '/data/log/proxy-server.log'

    def logged():
        with open(log) as f:
            return [line for line in f if trans_id in line and
                    'proxy-access' in line]
    from tests.servers import wait_for
    line = wait_for(logged, message='the access line')[0]
    assert ' HEAD /v1/AUTH_test HTTP/1.' in line and ' 204 ' in line
    assert token[:16] + '...' in line and token not in line


def test_listings_through_the_proxy(aio):
    url, token = swiftclient.get_auth(aio.auth_url, 'test:tester',
                                      'testing')
    swiftclient.put_container(url, token, 'listing')
    names = ['a', 'b/1', 'b/2', 'caf\u00e9', 'd']
    for name in names:
        swiftclient.put_object(url, token, 'listing', name, b'x')
    _, rows = swiftclient.get_container(url, token, 'listing',
                                        delimiter='/')
    assert [r.get('name', r.get('subdir')) for r in rows] == \
        ['a', 'b/', 'caf\u00e9', 'd']
    _, rows = swiftclient.get_container(url, token, 'listing', marker='a',
                                        end_marker='d', limit=2)
    assert [r['name'] for r in rows] == ['b/1', 'b/2']
    _, rows = swiftclient.get_container(url, token, 'listing', prefix='b/')
    assert [r['name'] for r in rows] == ['b/1', 'b/2']
    import requests
    xml = requests.get(url + '/listing', headers={'X-Auth-Token': token,
                                                  'Accept': 'text/xml'})
    assert xml.headers['Content-Type'] == 'text/xml; charset=utf-8'
    assert xml.text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n'
                               '<container name="listing">')
    plain = requests.get(url + '/listing?prefix=zzz',
                         headers={'X-Auth-Token': token})
    assert plain.status_code == 204
    too_many = requests.get(url + '/listing?limit=10001',
                            headers={'X-Auth-Token': token})
    assert (too_many.status_code, too_many.text) == (412, 'Maximum limit '
                                                          'is 10000')


def test_metadata_set_replace_remove(aio):
    url, token = swiftclient.get_auth(aio.auth_url, 'test:tester',
                                      'testing')
    swiftclient.put_container(url, token, 'meta', headers={
        'X-Container-Meta-A': '1', 'X-Container-Meta-B': '2'})
    swiftclient.post_container(url, token, 'meta', headers={
        'X-Remove-Container-Meta-A': 'x', 'X-Container-Meta-C': '3'})
    headers = swiftclient.head_container(url, token, 'meta')
    assert 'x-container-meta-a' not in headers
    assert headers['x-container-meta-b'] == '2'  # accumulates
    assert headers['x-container-meta-c'] == '3'
    swiftclient.put_object(url, token, 'meta', 'o', b'x', headers={
        'X-Object-Meta-One': '1'})
    swiftclient.post_object(url, token, 'meta', 'o', headers={
        'X-Object-Meta-Two': '2'})
    headers = swiftclient.head_object(url, token, 'meta', 'o')
    assert 'x-object-meta-one' not in headers  # object POST replaces
    assert headers['x-object-meta-two'] == '2'


def test_conditional_gets_through_the_proxy(aio):
    url, token = swiftclient.get_auth(aio.auth_url, 'test:tester',
                                      'testing')
    swiftclient.put_container(url, token, 'cond')
    etag = swiftclient.put_object(url, token, 'cond', 'o', b'data')
    for headers, status in (({'If-None-Match': etag}, 304),
                            ({'If-Match': '"nope"'}, 412),
                            ({'Range': 'bytes=10-'}, 416)):
        with pytest.raises(ClientException) as err:
            swiftclient.get_object(url, token, 'cond', 'o', headers=headers)
        assert err.value.http_status == status
    assert swiftclient.get_object(url, token, 'cond', 'o', headers={
        'If-Match': etag})[1] == b'data'


@pytest.mark.parametrize('headers, status, body', [
    ({'If-None-Match': '"abc"'}, 400, b'If-None-Match only supports *'),
    ({'X-Delete-At': 'soon'}, 400, b'Non-integer X-Delete-At'),
    ({'X-Delete-At': '1000'}, 400, b'X-Delete-At in past'),
    ({'X-Delete-After': 'x'}, 400, b'Non-integer X-Delete-After'),
    ({'X-Object-Meta-' + 'n' * 129: 'v'}, 400, None),
    ({'X-Object-Meta-Big': 'v' * 257}, 400, None),
    ({'Content-Type': 'text/plain; swift_bytes=5'}, 400,
     b'Invalid Content-Type, swift_* is not a valid parameter name.'),
])
def test_constraint_violations(aio, headers, status, body):
    import requests
    url, token = swiftclient.get_auth(aio.auth_url, 'test:tester',
                                      'testing')
    swiftclient.put_container(url, token, 'limits')
    resp = requests.put(url + '/limits/o', data=b'x',
                        headers=dict(headers, **{'X-Auth-Token': token}))
    assert resp.status_code == status, resp.text
    if body is not None:
        assert resp.content == body
    with pytest.raises(ClientException):
        swiftclient.head_object(url, token, 'limits', 'o')  # not stored


def test_more_constraint_violations(aio):
    import requests
    url, token = swiftclient.get_auth(aio.auth_url, 'test:tester',
                                      'testing')
    swiftclient.put_container(url, token, 'limits2')
    auth = {'X-Auth-Token': token}
    resp = requests.put(url + '/limits2/' + 'o' * 1025, data=b'x',
                        headers=auth)
    assert (resp.status_code, resp.text) == (
        400, 'Object name length of 1025 longer than 1024')
    resp = requests.put(url + '/' + 'c' * 257, headers=auth)
    assert resp.status_code == 400
    assert resp.text == 'Container name length of 257 longer than 256'
    import http.client
    conn = http.client.HTTPConnection('127.0.0.1', aio.proxy_port)
    conn.putrequest('PUT', '/v1/AUTH_test/limits2/nolength')
    conn.putheader('X-Auth-Token', token)
    conn.endheaders()
    resp = conn.getresponse()
    assert (resp.status, resp.read()) == (411,
                                          b'Missing Content-Length header.')
    expiring = requests.put(url + '/limits2/ttl', data=b'x', headers=dict(
        auth, **{'X-Delete-After': '3600'}))
    assert expiring.status_code == 201
    head = requests.head(url + '/limits2/ttl', headers=auth)
    assert abs(int(head.headers['X-Delete-At']) - 3600 -
               int(float(head.headers['X-Timestamp']))) <= 2


def test_copy(aio):
    url, token = swiftclient.get_auth(aio.auth_url, 'test:tester',
                                      'testing')
    swiftclient.put_container(url, token, 'src')
    swiftclient.put_container(url, token, 'dst')
    swiftclient.put_object(url, token, 'src', 'orig', b'copy me',
                           content_type='text/x',
                           headers={'X-Object-Meta-Color': 'blue'})
    import requests
    auth = {'X-Auth-Token': token}
    resp = requests.request('COPY', url + '/src/orig', headers=dict(
        auth, Destination='dst/copied'))
    assert resp.status_code == 201
    assert resp.headers['X-Copied-From'] == 'src/orig'
    assert resp.headers['X-Copied-From-Account'] == 'AUTH_test'
    headers, body = swiftclient.get_object(url, token, 'dst', 'copied')
    assert body == b'copy me' and headers['x-object-meta-color'] == 'blue'
    assert headers['content-type'] == 'text/x'
    resp = requests.put(url + '/dst/fresh', headers=dict(
        auth, **{'X-Copy-From': '/src/orig', 'X-Fresh-Metadata': 'true',
                 'X-Object-Meta-New': 'yes', 'Content-Length': '0'}))
    assert resp.status_code == 201
    headers = swiftclient.head_object(url, token, 'dst', 'fresh')
    assert 'x-object-meta-color' not in headers
    assert headers['x-object-meta-new'] == 'yes'
    resp = requests.request('COPY', url + '/src/orig', headers=auth)
    assert (resp.status_code, resp.text) == (412, 'Destination header '
                                                  'required')
    resp = requests.request('COPY', url + '/src/missing', headers=dict(
        auth, Destination='dst/x'))
    assert resp.status_code == 404
    # test2 cannot copy out of test's container without a read ACL
    _, token2 = swiftclient.get_auth(aio.auth_url, 'test2:tester2',
                                     'testing2')
    url2 = url.replace('AUTH_test', 'AUTH_test2')
    swiftclient.put_container(url2, token2, 'mine')
    resp = requests.put(url2 + '/mine/stolen', headers={
        'X-Auth-Token': token2, 'X-Copy-From': 'src/orig',
        'X-Copy-From-Account': 'AUTH_test', 'Content-Length': '0'})
    assert resp.status_code == 403


def _memcached_get(port: int, key: str):
    import hashlib
    import json
    import socket
    hashed = hashlib.md5(key.encode()).hexdigest().encode()
    with socket.create_connection(('127.0.0.1', port), 2) as sock:
        sock.sendall(b'get ' + hashed + b'\r\n')
        data = b''
        while not data.endswith(b'END\r\n'):
            data += sock.recv(65536)
    lines = data.split(b'\r\n')
    return json.loads(lines[1]) if lines[0].startswith(b'VALUE') else None


def test_tokens_and_info_shared_through_memcached(aio):
    import re
    with open(aio.root + '/data/etc/proxy-server.conf') as f:
        conf = f.read()
    assert ' cache ' in conf and ' listing_formats ' in conf
    workers = int(re.search(r'^workers = (\d+)$', conf, re.M).group(1))
    url, token = swiftclient.get_auth(aio.auth_url, 'test:tester3',
                                      'testing3')
    expires, groups = _memcached_get(aio.memcache_port,
                                     'AUTH_/token/%s' % token)
    assert groups.split(',') == ['test', 'test:tester3']
    assert _memcached_get(aio.memcache_port,
                          'AUTH_/user/test:tester3') == token
    # a second login gets the same live token, from whichever worker
    assert swiftclient.get_auth(aio.auth_url, 'test:tester3',
                                'testing3')[1] == token
    # each call is a new connection: every worker must accept the token
    admin_url, admin_token = swiftclient.get_auth(aio.auth_url,
                                                  'test:tester', 'testing')
    swiftclient.put_container(admin_url, admin_token, 'shared-info',
                              headers={'X-Container-Read': 'test:tester3'})
    for _ in range(max(10, 5 * workers)):
        swiftclient.head_container(url, token, 'shared-info')
    info = _memcached_get(aio.memcache_port, 'container/AUTH_test/shared-info')
    assert info['status'] == 204 and info['read_acl'] == 'test:tester3'


def test_info_lists_middleware_and_hides_internal_constraints(aio):
    import requests
    info_url = aio.auth_url.replace('/auth/v1.0', '/info')
    info = requests.get(info_url).json()
    assert info['tempauth'] == {'account_acls': True}
    assert info['swift']['strict_cors_mode'] is True
    assert info['swift']['account_autocreate'] is True
    assert 'valid_api_versions' not in info['swift']
    assert 'auto_create_account_prefix' not in info['swift']
    resp = requests.options(info_url)
    assert resp.status_code == 200
    assert resp.headers['Allow'] == 'HEAD, GET, OPTIONS'
    # no admin_key configured: no admin view
    assert requests.get(info_url, params={
        'swiftinfo_sig': 'x', 'swiftinfo_expires': '9999999999'}
    ).status_code == 401
    capabilities = aio.swift('capabilities')
    assert capabilities.returncode == 0
    assert 'tempauth' in capabilities.stdout


def test_consistency_daemons_run_on_every_node(aio):
    import json
    import os

    from tests.servers import wait_for
    cache = os.path.join(aio.root, 'data', 'cache')

    def recon(node, kind):
        try:
            with open(os.path.join(cache, 'node%d' % node,
                                   '%s.recon' % kind)) as f:
                return json.load(f)
        except (OSError, ValueError):
            return {}

    def passes_done(node):
        return 'object_updater_sweep' in recon(node, 'object') and \
            'replication_last' in recon(node, 'object') and \
            'container_updater_sweep' in recon(node, 'container')

    for node in range(1, 5):
        wait_for(lambda n=node: passes_done(n), deadline=60,
                 message='the daemons of node %d' % node)


def test_recon_serves_the_daemons_figures(aio):
    import json
    import urllib.request

    from tests.servers import wait_for
    port = aio.base_port + 10  # node 1's object server

    def recon(path):
        with urllib.request.urlopen('http://127.0.0.1:%d/recon/%s'
                                    % (port, path)) as resp:
            return json.load(resp)

    wait_for(lambda: recon('updater/object')['object_updater_sweep']
             is not None, deadline=60, message='an object-updater pass')
    assert recon('async') is not None
    replication = recon('replication/object')
    assert set(replication['replication_stats']) >= {
        'attempted', 'success', 'failure', 'hashmatch', 'rsync'}
    wait_for(lambda: recon('auditor/objects')['object_auditor_stats_ZBF']
             is not None, deadline=60, message='an object-auditor pass')
    assert 'object_expiration_pass' in recon('expirer/object')


def test_container_storage_policies(aio):
    import requests
    url, token = swiftclient.get_auth(aio.auth_url, 'test:tester', 'testing')
    auth = {'X-Auth-Token': token}
    resp = requests.put(url + '/pol-silver', headers=dict(
        auth, **{'X-Storage-Policy': 'silver'}))
    assert resp.status_code == 201
    assert requests.head(url + '/pol-silver', headers=auth).headers[
        'X-Storage-Policy'] == 'silver'
    requests.put(url + '/pol-default', headers=auth)
    assert requests.head(url + '/pol-default', headers=auth).headers[
        'X-Storage-Policy'] == 'gold'
    resp = requests.put(url + '/pol-bad', headers=dict(
        auth, **{'X-Storage-Policy': 'bronze'}))
    assert (resp.status_code, resp.text) == (
        400, "Invalid X-Storage-Policy 'bronze'")
    # an existing container keeps its policy: 409
    resp = requests.put(url + '/pol-silver', headers=dict(
        auth, **{'X-Storage-Policy': 'gold'}))
    assert resp.status_code == 409
    # objects of a silver container live in objects-1
    requests.put(url + '/pol-silver/o', data=b'silver!', headers=auth)
    assert requests.get(url + '/pol-silver/o',
                        headers=auth).content == b'silver!'
    import glob
    import os
    found = glob.glob(os.path.join(aio.root, 'data', 'srv', 'node*',
                                   'sdb*', 'objects-1', '*', '*', '*',
                                   '*.data'))
    assert len(found) >= 3
    _, rows = swiftclient.get_account(url, token, prefix='pol-')
    assert {r['name']: r['storage_policy'] for r in rows} == {
        'pol-default': 'gold', 'pol-silver': 'silver'}

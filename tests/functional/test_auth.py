"""Account ACLs, privileged headers and service tokens through the proxy of
the all-in-one (tempauth)."""
import json

import requests
from swiftclient import client as swiftclient


def _login(aio, user, key):
    return swiftclient.get_auth(aio.auth_url, user, key)


def test_account_acl_grants_and_hides(aio):
    url, owner = _login(aio, 'test:tester', 'testing')
    _, reader = _login(aio, 'test2:tester2', 'testing2')
    _, writer = _login(aio, 'test:tester3', 'testing3')
    swiftclient.put_container(url, owner, 'acct-acl', headers={
        'X-Container-Read': 'test:someone'})
    swiftclient.put_object(url, owner, 'acct-acl', 'o', b'data')
    # without a grant, tester3 (no .admin) is refused
    resp = requests.get(url + '/acct-acl/o', headers={'X-Auth-Token': writer})
    assert resp.status_code == 403
    acl = {'read-write': ['test:tester3'], 'read-only': ['test2:tester2']}
    resp = requests.post(url, headers={
        'X-Auth-Token': owner,
        'X-Account-Access-Control': json.dumps(acl)})
    assert resp.status_code == 204
    try:
        stored = requests.head(url, headers={'X-Auth-Token': owner})
        assert stored.headers['X-Account-Access-Control'] == \
            '{"read-only":["test2:tester2"],"read-write":["test:tester3"]}'
        # read-only: reads everywhere, no privileged headers, no writes
        resp = requests.get(url, headers={'X-Auth-Token': reader})
        assert resp.status_code == 200 and 'acct-acl' in resp.text
        assert 'X-Account-Access-Control' not in resp.headers
        resp = requests.head(url + '/acct-acl',
                             headers={'X-Auth-Token': reader})
        assert resp.status_code == 204
        assert 'X-Container-Read' not in resp.headers
        assert requests.get(url + '/acct-acl/o', headers={
            'X-Auth-Token': reader}).content == b'data'
        assert requests.put(url + '/acct-acl/r', data=b'x', headers={
            'X-Auth-Token': reader}).status_code == 403
        # read-write: writes containers and objects, not the account, and
        # cannot touch ACLs
        assert requests.put(url + '/acct-acl/w', data=b'x', headers={
            'X-Auth-Token': writer}).status_code == 201
        assert requests.put(url + '/acct-acl-2', headers={
            'X-Auth-Token': writer}).status_code == 201
        assert requests.post(url + '/acct-acl', headers={
            'X-Auth-Token': writer, 'X-Container-Read': '.r:*',
            'X-Container-Meta-Who': 'tester3'}).status_code == 204
        head = requests.head(url + '/acct-acl', headers={
            'X-Auth-Token': owner})
        assert head.headers['X-Container-Read'] == 'test:someone'
        assert head.headers['X-Container-Meta-Who'] == 'tester3'
        assert requests.post(url, headers={
            'X-Auth-Token': writer,
            'X-Account-Meta-X': '1'}).status_code == 403
        # admin: owner rights, ACL visible
        resp = requests.post(url, headers={
            'X-Auth-Token': owner,
            'X-Account-Access-Control': '{"admin":["test2:tester2"]}'})
        assert resp.status_code == 204
        resp = requests.head(url, headers={'X-Auth-Token': reader})
        assert resp.headers['X-Account-Access-Control'] == \
            '{"admin":["test2:tester2"]}'
    finally:
        requests.post(url, headers={'X-Auth-Token': owner,
                                    'X-Remove-Account-Access-Control': 'x'})
    resp = requests.head(url, headers={'X-Auth-Token': owner})
    assert 'X-Account-Access-Control' not in resp.headers
    assert requests.get(url + '/acct-acl/o', headers={
        'X-Auth-Token': reader}).status_code == 403


def test_bad_account_acl_is_400_and_not_stored(aio):
    url, owner = _login(aio, 'test:tester', 'testing')
    for bad, reason in (('{"read-only": ', 'Syntax error'),
                        ('["test2"]', 'must be a JSON object'),
                        ('{"root": ["x"]}', "Key 'root' not recognized"),
                        ('{"admin": "test2"}', 'must be a list')):
        resp = requests.post(url, headers={'X-Auth-Token': owner,
                                           'X-Account-Access-Control': bad})
        assert resp.status_code == 400
        assert resp.text.startswith('X-Account-Access-Control invalid: ')
        assert reason in resp.text
    resp = requests.head(url, headers={'X-Auth-Token': owner})
    assert 'X-Account-Access-Control' not in resp.headers


def test_service_accounts_need_a_service_token(aio):
    url, token = _login(aio, 'test:tester', 'testing')
    _, service = _login(aio, 'test5:tester5', 'testing5')
    _, plain = _login(aio, 'test:tester3', 'testing3')
    service_url = url.replace('/AUTH_test', '/SERVICE_test')
    target = service_url + '/svc'
    assert requests.put(target, headers={
        'X-Auth-Token': token}).status_code == 403
    assert requests.put(target, headers={
        'X-Auth-Token': service}).status_code == 403
    assert requests.put(target, headers={
        'X-Auth-Token': token, 'X-Service-Token': plain}).status_code == 403
    assert requests.put(target, headers={
        'X-Auth-Token': token, 'X-Service-Token': service}).status_code == 201
    resp = requests.get(service_url, headers={
        'X-Auth-Token': token, 'X-Service-Token': service})
    assert resp.status_code == 200 and resp.text == 'svc\n'
    # a bad service token does not make a good user token fail...
    assert requests.head(url, headers={
        'X-Auth-Token': token,
        'X-Service-Token': 'AUTH_tknotatoken'}).status_code == 204
    # ...nor does it open the service account
    assert requests.head(service_url, headers={
        'X-Auth-Token': token,
        'X-Service-Token': 'AUTH_tknotatoken'}).status_code == 403

"""Container and account quotas through the all-in-one."""
import requests
from swiftclient import client as swiftclient


def test_container_quotas(aio):
    url, token = swiftclient.get_auth(aio.auth_url, 'test:tester', 'testing')
    auth = {'X-Auth-Token': token}
    resp = requests.put(url + '/quota-c', headers=dict(
        auth, **{'X-Container-Meta-Quota-Bytes': 'lots'}))
    assert (resp.status_code, resp.text) == (400, 'Invalid bytes quota.')
    requests.put(url + '/quota-c', headers=dict(
        auth, **{'X-Container-Meta-Quota-Bytes': '10',
                 'X-Container-Meta-Quota-Count': '2'}))
    assert requests.put(url + '/quota-c/a', data=b'x' * 8,
                        headers=auth).status_code == 201
    resp = requests.put(url + '/quota-c/b', data=b'x' * 5, headers=auth)
    assert (resp.status_code, resp.text) == (413, 'Upload exceeds quota.')
    assert requests.head(url + '/quota-c/b', headers=auth).status_code == 404
    assert requests.put(url + '/quota-c/b', data=b'x',
                        headers=auth).status_code == 201
    resp = requests.put(url + '/quota-c/c', data=b'', headers=auth)
    assert resp.status_code == 413  # the count quota
    resp = requests.post(url + '/quota-c', headers=dict(
        auth, **{'X-Container-Meta-Quota-Count': '-1'}))
    assert (resp.status_code, resp.text) == (400, 'Invalid count quota.')


def test_account_quotas_only_a_reseller_sets(aio):
    url, token = swiftclient.get_auth(aio.auth_url, 'test2:tester2',
                                      'testing2')
    _, admin = swiftclient.get_auth(aio.auth_url, 'admin:admin', 'admin')
    resp = requests.post(url, headers={'X-Auth-Token': token,
                                       'X-Account-Quota-Bytes': '5'})
    assert resp.status_code == 403
    resp = requests.post(url, headers={'X-Auth-Token': admin,
                                       'X-Account-Quota-Bytes': 'x'})
    assert (resp.status_code, resp.text) == (400, 'Invalid bytes quota.')
    resp = requests.post(url, headers={'X-Auth-Token': admin,
                                       'X-Account-Quota-Bytes': '5'})
    assert resp.status_code == 204
    try:
        requests.put(url + '/quota-a', headers={'X-Auth-Token': token})
        resp = requests.put(url + '/quota-a/big', data=b'x' * 10,
                            headers={'X-Auth-Token': token})
        assert (resp.status_code, resp.text) == (413,
                                                 'Upload exceeds quota.')
        assert requests.put(url + '/quota-a/small', data=b'xyz', headers={
            'X-Auth-Token': token}).status_code == 201
    finally:
        resp = requests.post(url, headers={
            'X-Auth-Token': admin, 'X-Remove-Account-Quota-Bytes': 'x'})
        assert resp.status_code == 204
    assert requests.put(url + '/quota-a/big', data=b'x' * 10, headers={
        'X-Auth-Token': token}).status_code == 201


def test_account_quota_per_policy(aio):
    url, token = swiftclient.get_auth(aio.auth_url, 'test2:tester2',
                                      'testing2')
    _, admin = swiftclient.get_auth(aio.auth_url, 'admin:admin', 'admin')
    auth = {'X-Auth-Token': token}
    header = 'X-Account-Quota-Bytes-Policy-silver'
    assert requests.post(url, headers=dict(auth, **{header: '5'})
                         ).status_code == 403
    resp = requests.post(url, headers={
        'X-Auth-Token': admin, 'X-Account-Quota-Bytes-Policy-bronze': '5'})
    assert resp.status_code == 400
    assert requests.post(url, headers={'X-Auth-Token': admin, header: '5'}
                         ).status_code == 204
    try:
        requests.put(url + '/pq-silver', headers=dict(
            auth, **{'X-Storage-Policy': 'silver'}))
        requests.put(url + '/pq-gold', headers=auth)
        resp = requests.put(url + '/pq-silver/o', data=b'x' * 10,
                            headers=auth)
        assert (resp.status_code, resp.text) == (413,
                                                 'Upload exceeds quota.')
        assert requests.put(url + '/pq-gold/o', data=b'x' * 10,
                            headers=auth).status_code == 201
    finally:
        assert requests.post(url, headers={'X-Auth-Token': admin,
                                           header: ''}).status_code == 204
    assert requests.put(url + '/pq-silver/o', data=b'x' * 10,
                        headers=auth).status_code == 201

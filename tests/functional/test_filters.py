"""crossdomain and read_only in the all-in-one's pipeline."""
import requests
from swiftclient import client as swiftclient


def test_crossdomain(aio):
    url, _ = swiftclient.get_auth(aio.auth_url, 'test:tester', 'testing')
    base = url.split('/v1/')[0]
    resp = requests.get(base + '/crossdomain.xml')
    assert resp.status_code == 200 and b'cross-domain-policy' in resp.content


def test_read_only_account(aio):
    url, token = swiftclient.get_auth(aio.auth_url, 'test:tester',
                                      'testing')
    _, admin = swiftclient.get_auth(aio.auth_url, 'admin:admin', 'admin')
    auth = {'X-Auth-Token': token}
    requests.put(url + '/ro', headers=auth)
    assert requests.post(url, headers=dict(
        auth, **{'X-Account-Read-Only': 'true'})).status_code == 403
    assert requests.post(url, headers={'X-Auth-Token': admin,
                                       'X-Account-Read-Only': 'true'}
                         ).status_code == 204
    try:
        resp = requests.put(url + '/ro/o', data=b'x', headers=auth)
        assert (resp.status_code, resp.text) == (
            405, 'Writes are disabled for this account.')
        assert requests.get(url + '/ro', headers=auth).status_code in (200,
                                                                       204)
    finally:
        assert requests.post(url, headers={'X-Auth-Token': admin,
                                           'X-Account-Read-Only': 'false'}
                             ).status_code == 204
    assert requests.put(url + '/ro/o', data=b'x',
                        headers=auth).status_code == 201

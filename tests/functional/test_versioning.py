"""Legacy versioning (X-Versions-Location stack mode, X-History-Location
history mode) through the all-in-one."""
import requests
from swiftclient import client as swiftclient


def names(url, auth, container):
    resp = requests.get('%s/%s?format=json' % (url, container), headers=auth)
    return [r['name'] for r in resp.json()] if resp.status_code == 200 \
        else []


def test_stack_mode(aio):
    url, token = swiftclient.get_auth(aio.auth_url, 'test:tester', 'testing')
    auth = {'X-Auth-Token': token}
    requests.put(url + '/vers-archive', headers=auth)
    resp = requests.put(url + '/vers', headers=dict(
        auth, **{'X-Versions-Location': 'vers-archive'}))
    assert resp.status_code in (201, 202)
    head = requests.head(url + '/vers', headers=auth)
    assert head.headers['X-Versions-Location'] == 'vers-archive'
    for body in (b'v1', b'v2', b'v3'):
        assert requests.put(url + '/vers/doc', data=body,
                            headers=auth).status_code == 201
    assert requests.get(url + '/vers/doc', headers=auth).content == b'v3'
    archived = names(url, auth, 'vers-archive')
    assert len(archived) == 2 and all(n.startswith('003doc/')
                                      for n in archived)
    assert requests.get('%s/vers-archive/%s' % (url, archived[0]),
                        headers=auth).content == b'v1'
    # DELETE brings the previous versions back, newest first
    assert requests.delete(url + '/vers/doc', headers=auth).status_code \
        == 204
    assert requests.get(url + '/vers/doc', headers=auth).content == b'v2'
    requests.delete(url + '/vers/doc', headers=auth)
    assert requests.get(url + '/vers/doc', headers=auth).content == b'v1'
    requests.delete(url + '/vers/doc', headers=auth)
    assert requests.get(url + '/vers/doc', headers=auth).status_code == 404
    assert names(url, auth, 'vers-archive') == []


def test_history_mode_and_bad_input(aio):
    url, token = swiftclient.get_auth(aio.auth_url, 'test:tester', 'testing')
    auth = {'X-Auth-Token': token}
    resp = requests.put(url + '/hist', headers=dict(
        auth, **{'X-Versions-Location': 'a', 'X-History-Location': 'b'}))
    assert resp.status_code == 400
    requests.put(url + '/hist-archive', headers=auth)
    requests.put(url + '/hist', headers=dict(
        auth, **{'X-History-Location': 'hist-archive'}))
    assert requests.head(url + '/hist', headers=auth).headers[
        'X-History-Location'] == 'hist-archive'
    requests.put(url + '/hist/doc', data=b'one', headers=auth)
    requests.put(url + '/hist/doc', data=b'two', headers=auth)
    assert requests.delete(url + '/hist/doc', headers=auth).status_code \
        == 204
    assert requests.get(url + '/hist/doc', headers=auth).status_code == 404
    rows = requests.get(url + '/hist-archive?format=json',
                        headers=auth).json()
    assert [r['bytes'] for r in rows] == [3, 3, 0]
    assert rows[-1]['content_type'] == 'application/x-deleted;' \
        'swift_versions_deleted=1'
    requests.post(url + '/hist', headers=dict(
        auth, **{'X-Remove-History-Location': 'x'}))
    head = requests.head(url + '/hist', headers=auth)
    assert 'X-History-Location' not in head.headers

"""CORS: preflights and actual requests, from container metadata."""
import requests
from swiftclient import client as swiftclient

GOOD = 'http://good.example'


def test_cors(aio):
    url, token = swiftclient.get_auth(aio.auth_url, 'test:tester', 'testing')
    auth = {'X-Auth-Token': token}
    requests.put(url + '/web', headers=dict(auth, **{
        'X-Container-Meta-Access-Control-Allow-Origin': GOOD,
        'X-Container-Meta-Access-Control-Max-Age': '600',
        'X-Container-Read': '.r:*'}))
    requests.put(url + '/web/page', data=b'hello', headers=dict(
        auth, **{'X-Object-Meta-Color': 'blue'}))
    pre = requests.options(url + '/web/page', headers={
        'Origin': GOOD, 'Access-Control-Request-Method': 'GET',
        'Access-Control-Request-Headers': 'x-auth-token'})
    assert pre.status_code == 200
    assert pre.headers['Access-Control-Allow-Origin'] == GOOD
    assert 'GET' in pre.headers['Access-Control-Allow-Methods']
    assert pre.headers['Access-Control-Allow-Headers'] == 'x-auth-token'
    assert pre.headers['Access-Control-Max-Age'] == '600'
    bad = requests.options(url + '/web/page', headers={
        'Origin': 'http://evil.example',
        'Access-Control-Request-Method': 'GET'})
    assert bad.status_code == 401
    nomethod = requests.options(url + '/web/page', headers={
        'Origin': GOOD, 'Access-Control-Request-Method': 'BREW'})
    assert nomethod.status_code == 401
    got = requests.get(url + '/web/page', headers={'Origin': GOOD})
    assert got.content == b'hello'
    assert got.headers['Access-Control-Allow-Origin'] == GOOD
    exposed = got.headers['Access-Control-Expose-Headers'].split(', ')
    assert 'etag' in exposed and 'x-object-meta-color' in exposed
    other = requests.get(url + '/web/page',
                         headers={'Origin': 'http://evil.example'})
    assert other.status_code == 200
    assert 'Access-Control-Allow-Origin' not in other.headers

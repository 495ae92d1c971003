"""A public container served as a web site through the all-in-one."""
import requests
from swiftclient import client as swiftclient


def test_static_site(aio):
    url, token = swiftclient.get_auth(aio.auth_url, 'test:tester', 'testing')
    auth = {'X-Auth-Token': token}
    requests.put(url + '/site', headers=dict(auth, **{
        'X-Container-Read': '.r:*,.rlistings',
        'X-Container-Meta-Web-Index': 'index.html',
        'X-Container-Meta-Web-Error': 'error.html',
        'X-Container-Meta-Web-Listings': 'true'}))
    for name, body in (('index.html', b'<h1>home</h1>'),
                       ('404error.html', b'<h1>gone</h1>'),
                       ('docs/a.txt', b'aaa'), ('docs/sub/b.txt', b'b')):
        requests.put('%s/site/%s' % (url, name), data=body, headers=auth)
    resp = requests.get(url + '/site', allow_redirects=False)
    assert resp.status_code == 301
    assert resp.headers['Location'].endswith('/v1/AUTH_test/site/')
    assert requests.get(url + '/site/').content == b'<h1>home</h1>'
    assert requests.get(url + '/site/docs/a.txt').content == b'aaa'
    # a directory without an index: redirected, then listed
    resp = requests.get(url + '/site/docs', allow_redirects=False)
    assert resp.status_code == 301
    listing = requests.get(url + '/site/docs/')
    assert listing.status_code == 200
    assert listing.headers['Content-Type'] == 'text/html; charset=UTF-8'
    assert 'Listing of /v1/AUTH_test/site/docs/' in listing.text
    assert '<a href="a.txt">a.txt</a>' in listing.text
    assert '<a href="sub/">sub/</a>' in listing.text
    # a directory marker object redirects like a directory
    requests.put(url + '/site/marked', data=b'', headers=dict(
        auth, **{'Content-Type': 'application/directory'}))
    requests.put(url + '/site/marked/c.txt', data=b'c', headers=auth)
    resp = requests.get(url + '/site/marked', allow_redirects=False)
    assert resp.status_code == 301
    assert resp.headers['Location'].endswith('/site/marked/')
    missing = requests.get(url + '/site/nothing.html')
    assert missing.status_code == 404 and missing.content == b'<h1>gone</h1>'
    # with a token the container is the API as usual
    api = requests.get(url + '/site', headers=auth)
    assert api.status_code == 200 and 'index.html' in api.text

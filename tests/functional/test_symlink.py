"""Symlinks through the all-in-one: dynamic and static links, links to
large objects, ?symlink=get, loops and bad input."""
import hashlib
import json

import requests
from swiftclient import client as swiftclient


def test_symlinks(aio):
    url, token = swiftclient.get_auth(aio.auth_url, 'test:tester', 'testing')
    auth = {'X-Auth-Token': token}
    requests.put(url + '/sym', headers=auth)
    requests.put(url + '/sym/target', data=b'the target', headers=auth)
    resp = requests.put(url + '/sym/link', data=b'', headers=dict(
        auth, **{'X-Symlink-Target': 'sym/target'}))
    assert resp.status_code == 201
    got = requests.get(url + '/sym/link', headers=auth)
    assert got.content == b'the target'
    assert got.headers['Content-Location'] == '/v1/AUTH_test/sym/target'
    link = requests.get(url + '/sym/link?symlink=get', headers=auth)
    assert link.content == b'' and link.headers['X-Symlink-Target'] == \
        'sym/target'
    assert link.headers['Content-Type'] == 'application/symlink'
    # a dynamic link follows overwrites; a static one refuses them
    etag = hashlib.md5(b'the target').hexdigest()
    assert requests.put(url + '/sym/static', data=b'', headers=dict(
        auth, **{'X-Symlink-Target': 'sym/target',
                 'X-Symlink-Target-Etag': etag})).status_code == 201
    requests.put(url + '/sym/target', data=b'changed', headers=auth)
    assert requests.get(url + '/sym/link', headers=auth).content == \
        b'changed'
    assert requests.get(url + '/sym/static',
                        headers=auth).status_code == 409
    rows = {r['name']: r for r in requests.get(
        url + '/sym?format=json', headers=auth).json()}
    assert rows['link']['symlink_path'] == '/v1/AUTH_test/sym/target'
    assert rows['link']['hash'] == 'd41d8cd98f00b204e9800998ecf8427e'
    assert rows['static']['symlink_etag'] == etag
    assert rows['static']['symlink_bytes'] == len(b'the target')
    assert 'symlink_path' not in rows['target']
    # bad input, and loops
    resp = requests.put(url + '/sym/bad', data=b'', headers=dict(
        auth, **{'X-Symlink-Target': 'no-slash'}))
    assert resp.status_code == 412
    resp = requests.put(url + '/sym/bad', data=b'body', headers=dict(
        auth, **{'X-Symlink-Target': 'sym/target'}))
    assert (resp.status_code, resp.text) == (
        400, 'Symlink requests require a zero byte body')
    resp = requests.put(url + '/sym/bad', data=b'', headers=dict(
        auth, **{'X-Symlink-Target': 'sym/target',
                 'X-Symlink-Target-Etag': '0' * 32}))
    assert resp.status_code == 409
    requests.put(url + '/sym/a', data=b'', headers=dict(
        auth, **{'X-Symlink-Target': 'sym/b'}))
    requests.put(url + '/sym/b', data=b'', headers=dict(
        auth, **{'X-Symlink-Target': 'sym/a'}))
    loop = requests.get(url + '/sym/a', headers=auth)
    assert loop.status_code == 409
    assert 'Too many levels of symbolic links' in loop.text
    assert requests.get(url + '/sym/dangling-target-link',
                        headers=auth).status_code == 404


def test_symlink_to_an_slo(aio):
    url, token = swiftclient.get_auth(aio.auth_url, 'test:tester', 'testing')
    auth = {'X-Auth-Token': token}
    requests.put(url + '/symslo', headers=auth)
    manifest = []
    for i, body in enumerate((b'abc', b'def')):
        requests.put('%s/symslo/s%d' % (url, i), data=body, headers=auth)
        manifest.append({'path': '/symslo/s%d' % i})
    requests.put(url + '/symslo/big?multipart-manifest=put',
                 data=json.dumps(manifest), headers=auth)
    requests.put(url + '/symslo/link', data=b'', headers=dict(
        auth, **{'X-Symlink-Target': 'symslo/big'}))
    assert requests.get(url + '/symslo/link', headers=auth).content == \
        b'abcdef'

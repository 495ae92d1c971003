"""Bulk delete and archive extraction through the all-in-one."""
import io
import json
import tarfile

import pytest
import requests
from swiftclient import client as swiftclient


@pytest.fixture(scope='module')
def auth(aio):
    url, token = swiftclient.get_auth(aio.auth_url, 'test:tester', 'testing')
    return url, {'X-Auth-Token': token}


def tar_of(files, mode='w'):
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode=mode) as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return out.getvalue()


@pytest.mark.parametrize('kind, mode', [('tar', 'w'), ('tar.gz', 'w:gz'),
                                        ('tar.bz2', 'w:bz2')])
def test_extract_archive_into_the_account(auth, kind, mode):
    url, token = auth
    prefix = 'ea-' + kind.replace('.', '-')
    body = tar_of({'%s/a.txt' % prefix: b'aaa',
                   './%s/dir/b.txt' % prefix: b'bbbb'}, mode)
    resp = requests.put('%s?extract-archive=%s' % (url, kind), data=body,
                        headers=dict(token, Accept='application/json'))
    assert resp.status_code == 200
    report = resp.json()
    assert report['Number Files Created'] == 2
    assert report['Response Status'] == '201 Created'
    assert report['Errors'] == []
    _, rows = swiftclient.get_container(url, token['X-Auth-Token'], prefix)
    assert [(r['name'], r['bytes']) for r in rows] == [('a.txt', 3),
                                                       ('dir/b.txt', 4)]


def test_extract_into_a_container_and_bad_archives(auth):
    url, token = auth
    requests.put(url + '/ea-into', headers=token)
    resp = requests.put(url + '/ea-into/pre?extract-archive=tar',
                        data=tar_of({'x.txt': b'x'}), headers=token)
    assert 'Number Files Created: 1' in resp.text
    assert requests.get(url + '/ea-into/pre/x.txt',
                        headers=token).content == b'x'
    resp = requests.put(url + '?extract-archive=tar.gz',
                        data=b'not an archive at all', headers=token)
    assert resp.status_code == 200
    assert 'Response Status: 400 Bad Request' in resp.text
    assert 'Invalid Tar File' in resp.text


def test_bulk_delete(auth):
    url, token = auth
    requests.put(url + '/bd', headers=token)
    requests.put(url + '/bd-full', headers=token)
    requests.put(url + '/bd-full/keep', data=b'k', headers=token)
    for name in ('one', 'two words', 'caf\u00e9'):
        requests.put('%s/bd/%s' % (url, name), data=b'x', headers=token)
    body = '\n'.join(['/bd/one', '/bd/two%20words', '/bd/caf%C3%A9',
                      '/bd/missing', '/bd-full'])
    resp = requests.post(url + '?bulk-delete', data=body.encode(),
                         headers=dict(token, Accept='application/json',
                                      **{'Content-Type': 'text/plain'}))
    assert resp.status_code == 200
    report = json.loads(resp.text)
    assert report['Number Deleted'] == 3
    assert report['Number Not Found'] == 1
    assert report['Errors'] == [['/bd-full', '409 Conflict']]
    assert report['Response Status'] == '400 Bad Request'
    _, rows = swiftclient.get_container(url, token['X-Auth-Token'], 'bd')
    assert rows == []
    resp = requests.delete(url + '?bulk-delete', data=b'/bd',
                           headers=token)
    assert resp.text == ('Number Deleted: 1\nNumber Not Found: 0\n'
                         'Response Body: \nResponse Status: 200 OK\nErrors:')

"""Static and dynamic large objects through the all-in-one: python-
swiftclient's segmented uploads, downloads, ranges, manifests, bad input."""
import hashlib
import json
import os

import pytest
import requests
from swiftclient import client as swiftclient

MIB = 1024 * 1024


@pytest.fixture(scope='module')
def auth(aio):
    url, token = swiftclient.get_auth(aio.auth_url, 'test:tester', 'testing')
    return url, {'X-Auth-Token': token}


@pytest.fixture(scope='module')
def big_file(tmp_path_factory):
    path = tmp_path_factory.mktemp('lo') / 'big.bin'
    path.write_bytes(os.urandom(20 * MIB))
    return path


@pytest.mark.parametrize('use_slo', [True, False], ids=['slo', 'dlo'])
def test_segmented_upload_then_download(aio, auth, big_file, tmp_path,
                                        use_slo):
    url, token = auth
    container = 'big-slo' if use_slo else 'big-dlo'
    # this swiftclient makes an SLO by default when /info offers slo;
    # --use-dlo asks for the dynamic kind
    args = ['upload', container, str(big_file), '--object-name', 'big.bin',
            '--segment-size', str(MIB)] + (['--use-slo'] if use_slo
                                           else ['--use-dlo'])
    done = aio.swift(*args)
    assert done.returncode == 0, done.stderr
    head = requests.head('%s/%s/big.bin' % (url, container), headers=token)
    assert head.status_code == 200
    assert head.headers['Content-Length'] == str(20 * MIB)
    if use_slo:
        assert head.headers['X-Static-Large-Object'] == 'True'
    else:
        assert head.headers['X-Object-Manifest'].startswith(
            container + '_segments/big.bin/')
    out = tmp_path / 'out.bin'
    done = aio.swift('download', container, 'big.bin', '-o', str(out))
    assert done.returncode == 0, done.stderr
    assert out.read_bytes() == big_file.read_bytes()
    # a range across a segment boundary
    data = big_file.read_bytes()
    first, last = MIB - 10, 3 * MIB + 9
    resp = requests.get('%s/%s/big.bin' % (url, container), headers=dict(
        token, Range='bytes=%d-%d' % (first, last)))
    assert resp.status_code == 206
    assert resp.headers['Content-Range'] == 'bytes %d-%d/%d' % (
        first, last, 20 * MIB)
    assert resp.content == data[first:last + 1]
    # the ETag is the md5 of the segments' ETags
    _, segments = swiftclient.get_container(url, token['X-Auth-Token'],
                                            container + '_segments')
    expected = hashlib.md5(''.join(
        s['hash'] for s in segments).encode()).hexdigest()
    assert resp.headers['Etag'] == '"%s"' % expected
    # several ranges: multipart/byteranges, each part from its segments
    resp = requests.get('%s/%s/big.bin' % (url, container), headers=dict(
        token, Range='bytes=0-9,%d-%d' % (5 * MIB - 5, 5 * MIB + 4)))
    assert resp.status_code == 206
    ctype = resp.headers['Content-Type']
    assert ctype.startswith('multipart/byteranges;boundary=')
    boundary = ctype.split('=', 1)[1].encode()
    assert int(resp.headers['Content-Length']) == len(resp.content)
    parts = resp.content.split(b'--' + boundary)[1:-1]
    bodies = [p.split(b'\r\n\r\n', 1)[1][:-2] for p in parts]
    assert bodies == [data[:10], data[5 * MIB - 5:5 * MIB + 5]]


def _segments(url, token, container, sizes):
    requests.put('%s/%s' % (url, container), headers=token)
    manifest = []
    for i, size in enumerate(sizes):
        body = bytes([65 + i]) * size
        requests.put('%s/%s/s%d' % (url, container, i), data=body,
                     headers=token)
        manifest.append({'path': '/%s/s%d' % (container, i),
                         'etag': hashlib.md5(body).hexdigest(),
                         'size_bytes': size})
    return manifest


def test_slo_manifest_views_inline_data_and_delete(auth):
    url, token = auth
    manifest = _segments(url, token, 'slo-parts', [3, 4])
    manifest.insert(1, {'data': 'LS0t'})  # "---"
    resp = requests.put(url + '/slo-parts/m?multipart-manifest=put',
                        data=json.dumps(manifest), headers=token)
    assert resp.status_code == 201, resp.text
    body = requests.get(url + '/slo-parts/m', headers=token)
    assert body.content == b'AAA---BBBB'
    etag = body.headers['Etag']
    # conditions are about the SLO etag, not the manifest's
    assert requests.get(url + '/slo-parts/m', headers=dict(
        token, **{'If-None-Match': etag})).status_code == 304
    assert requests.get(url + '/slo-parts/m', headers=dict(
        token, **{'If-Match': etag})).content == b'AAA---BBBB'
    assert requests.get(url + '/slo-parts/m', headers=dict(
        token, **{'If-Match': '"nope"'})).status_code == 412
    part = requests.get(url + '/slo-parts/m?part-number=3', headers=token)
    assert (part.status_code, part.content) == (206, b'BBBB')
    assert part.headers['X-Parts-Count'] == '3'
    assert part.headers['Content-Range'] == 'bytes 6-9/10'
    assert requests.get(url + '/slo-parts/m?part-number=4',
                        headers=token).status_code == 416
    assert requests.get(url + '/slo-parts/m?part-number=0',
                        headers=token).status_code == 400
    raw = requests.get(url + '/slo-parts/m?multipart-manifest=get'
                       '&format=raw', headers=token).json()
    assert [item.get('path') for item in raw] == [
        '/slo-parts/s0', None, '/slo-parts/s1']
    stored = requests.get(url + '/slo-parts/m?multipart-manifest=get',
                          headers=token).json()
    assert stored[0]['name'] == '/slo-parts/s0' and stored[0]['bytes'] == 3
    listing = requests.get(url + '/slo-parts?format=json',
                           headers=token).json()
    row = [r for r in listing if r['name'] == 'm'][0]
    assert row['bytes'] == 10 and row['content_type'] != ''
    assert row['slo_etag'] == etag and ';' not in row['hash']
    resp = requests.delete(url + '/slo-parts/m?multipart-manifest=delete',
                           headers=dict(token, Accept='application/json'))
    assert resp.status_code == 200
    report = resp.json()
    assert report['Number Deleted'] == 3 and report['Errors'] == []
    for name in ('m', 's0', 's1'):
        assert requests.head('%s/slo-parts/%s' % (url, name),
                             headers=token).status_code == 404


def test_slo_bad_manifests_store_nothing(auth):
    url, token = auth
    manifest = _segments(url, token, 'slo-bad', [5, 5])
    target = url + '/slo-bad/m?multipart-manifest=put'
    resp = requests.put(target, data='{nope', headers=token)
    assert (resp.status_code, resp.text) == (400,
                                             'Manifest must be valid JSON.\n')
    wrong = [dict(manifest[0], etag='0' * 32), dict(manifest[1],
                                                    size_bytes=99)]
    resp = requests.put(target, data=json.dumps(wrong), headers=token)
    assert resp.status_code == 400
    assert resp.text == ('Errors:\n/slo-bad/s0, Etag Mismatch\n'
                         '/slo-bad/s1, Size Mismatch')
    missing = [{'path': '/slo-bad/nothing'}]
    resp = requests.put(target, data=json.dumps(missing), headers=token)
    assert resp.status_code == 400 and '/slo-bad/nothing, 404 Not Found' \
        in resp.text
    resp = requests.put(target, data=json.dumps(manifest),
                        headers=dict(token, ETag='0' * 32))
    assert resp.status_code == 422
    resp = requests.put(url + '/slo-bad/fake', data=b'x', headers=dict(
        token, **{'X-Static-Large-Object': 'True'}))
    assert resp.status_code == 400
    assert requests.head(url + '/slo-bad/m', headers=token).status_code == \
        404
    assert requests.head(url + '/slo-bad/fake',
                         headers=token).status_code == 404


def test_dlo_manifest_header_checked_and_manifest_readable(auth):
    url, token = auth
    resp = requests.put(url + '/slo-bad/dlo', data=b'', headers=dict(
        token, **{'X-Object-Manifest': 'no-prefix-separator'}))
    assert resp.status_code == 400
    _segments(url, token, 'dlo-parts', [2, 2])
    resp = requests.put(url + '/dlo-parts/m', data=b'', headers=dict(
        token, **{'X-Object-Manifest': 'dlo-parts/s'}))
    assert resp.status_code == 201
    assert requests.get(url + '/dlo-parts/m',
                        headers=token).content == b'AABB'
    manifest = requests.get(url + '/dlo-parts/m?multipart-manifest=get',
                            headers=token)
    assert manifest.content == b''
    assert manifest.headers['X-Object-Manifest'] == 'dlo-parts/s'


def test_nested_slo(auth):
    url, token = auth
    inner = _segments(url, token, 'slo-nest', [2, 3])
    assert requests.put(url + '/slo-nest/inner?multipart-manifest=put',
                        data=json.dumps(inner), headers=token
                        ).status_code == 201
    outer = [{'path': '/slo-nest/inner'}, {'path': '/slo-nest/s0'},
             {'path': '/slo-nest/inner', 'range': '1-3'}]
    resp = requests.put(url + '/slo-nest/outer?multipart-manifest=put',
                        data=json.dumps(outer), headers=token)
    assert resp.status_code == 201, resp.text
    body = requests.get(url + '/slo-nest/outer', headers=token)
    assert body.content == b'AABBB' + b'AA' + b'ABB'
    assert body.headers['Content-Length'] == '10'
    stored = requests.get(url + '/slo-nest/outer?multipart-manifest=get',
                          headers=token).json()
    assert stored[0]['sub_slo'] is True and stored[0]['bytes'] == 5


def test_slo_heartbeat_put(auth):
    url, token = auth
    manifest = _segments(url, token, 'slo-beat', [2, 2])
    resp = requests.put(url + '/slo-beat/m?multipart-manifest=put'
                        '&heartbeat=on', data=json.dumps(manifest),
                        headers=token)
    assert resp.status_code == 202
    assert resp.text.startswith(' ')
    report = resp.text.strip()
    assert 'Response Status: 201 Created' in report
    expected = hashlib.md5(''.join(m['etag'] for m in manifest).encode()
                           ).hexdigest()
    assert 'Etag: "%s"' % expected in report
    assert requests.get(url + '/slo-beat/m', headers=token).content == \
        b'AABB'
    bad = [dict(manifest[0], etag='0' * 32)]
    resp = requests.put(url + '/slo-beat/bad?multipart-manifest=put'
                        '&heartbeat=on', data=json.dumps(bad),
                        headers=dict(token, Accept='application/json'))
    assert resp.status_code == 202
    report = json.loads(resp.text)
    assert report['Response Status'] == '400 Bad Request'
    assert report['Errors'] == [['/slo-beat/s0', 'Etag Mismatch']]
    assert requests.head(url + '/slo-beat/bad',
                         headers=token).status_code == 404

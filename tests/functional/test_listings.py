"""Listings through the proxy with every parameter and format, chunked
uploads and unicode names, with python-swiftclient and raw HTTP."""
import io
import json
import xml.etree.ElementTree as ET

import pytest
import requests
from swiftclient import client as swiftclient

NAMES = ['a', 'b/1', 'b/2', 'b/c/3', 'caf\u00e9', 'd', '\u65e5\u672c']


@pytest.fixture(scope='module')
def filled(aio):
    url, token = swiftclient.get_auth(aio.auth_url, 'test2:tester2',
                                      'testing2')
    swiftclient.put_container(url, token, 'lst')
    for name in NAMES:
        swiftclient.put_object(url, token, 'lst', name, name.encode())
    for name in ('lst-a', 'lst-b', 'other'):
        swiftclient.put_container(url, token, name)
    return url, token


def names(url, token, container, **params):
    _, rows = swiftclient.get_container(url, token, container,
                                        full_listing=False, **params)
    return [r.get('name', r.get('subdir')) for r in rows]


@pytest.mark.parametrize('params, expected', [
    ({}, NAMES),
    ({'limit': 2}, NAMES[:2]),
    ({'marker': 'b/2'}, NAMES[3:]),
    ({'end_marker': 'caf\u00e9'}, NAMES[:4]),
    ({'marker': 'a', 'end_marker': 'd', 'limit': 10}, NAMES[1:5]),
    ({'prefix': 'b/'}, ['b/1', 'b/2', 'b/c/3']),
    ({'delimiter': '/'}, ['a', 'b/', 'caf\u00e9', 'd', '\u65e5\u672c']),
    ({'prefix': 'b/', 'delimiter': '/'}, ['b/1', 'b/2', 'b/c/']),
    ({'path': 'b'}, ['b/1', 'b/2']),
    ({'query_string': 'reverse=true'}, list(reversed(NAMES))),
    ({'query_string': 'reverse=on&limit=2'}, ['\u65e5\u672c', 'd']),
])
def test_container_listing_parameters(filled, params, expected):
    url, token = filled
    assert names(url, token, 'lst', **params) == expected


def test_container_listing_formats(filled):
    url, token = filled
    auth = {'X-Auth-Token': token}
    plain = requests.get(url + '/lst', headers=auth)
    assert plain.headers['Content-Type'] == 'text/plain; charset=utf-8'
    assert plain.headers['Accept-Ranges'] == 'bytes'
    head = requests.head(url, headers=auth)
    assert head.headers['Accept-Ranges'] == 'bytes'
    assert head.headers['Content-Type'] == 'text/plain; charset=utf-8'
    assert plain.content.decode('utf-8').splitlines() == NAMES
    as_json = requests.get(url + '/lst?format=json', headers=auth)
    rows = json.loads(as_json.content)
    assert rows[0]['name'] == 'a' and rows[0]['bytes'] == 1
    assert set(rows[0]) == {'name', 'hash', 'bytes', 'content_type',
                            'last_modified'}
    as_xml = requests.get(url + '/lst', headers=dict(
        auth, Accept='application/xml'))
    assert as_xml.headers['Content-Type'] == \
        'application/xml; charset=utf-8'
    root = ET.fromstring(as_xml.content)
    assert root.tag == 'container' and root.get('name') == 'lst'
    assert [o.find('name').text for o in root] == NAMES
    bad = requests.get(url + '/lst', headers=dict(auth, Accept='image/png'))
    assert bad.status_code == 406


def test_account_listing_parameters_and_formats(filled):
    url, token = filled
    _, rows = swiftclient.get_account(url, token, prefix='lst')
    assert [r['name'] for r in rows] == ['lst', 'lst-a', 'lst-b']
    assert set(rows[0]) == {'name', 'count', 'bytes', 'last_modified',
                            'storage_policy'}
    _, rows = swiftclient.get_account(url, token, marker='lst',
                                      end_marker='other', limit=1)
    assert [r['name'] for r in rows] == ['lst-a']
    _, rows = swiftclient.get_account(url, token, prefix='l',
                                      delimiter='-')
    assert [r.get('name', r.get('subdir')) for r in rows] == ['lst', 'lst-']
    assert rows[1] == {'subdir': 'lst-'}
    auth = {'X-Auth-Token': token}
    resp = requests.get(url + '?format=xml&prefix=lst-', headers=auth)
    root = ET.fromstring(resp.content)
    assert root.tag == 'account' and root.get('name') == 'AUTH_test2'
    assert [c.find('name').text for c in root] == ['lst-a', 'lst-b']
    resp = requests.get(url + '?prefix=zzz', headers=auth)
    assert (resp.status_code, resp.content) == (204, b'')
    resp = requests.get(url + '?reverse=true&limit=1', headers=auth)
    assert resp.text == 'other\n'


def test_chunked_upload_with_unicode_name(filled):
    url, token = filled
    body = b''.join(bytes([i % 251]) * 1000 for i in range(300))
    # a file-like object without a length: swiftclient sends it chunked
    etag = swiftclient.put_object(url, token, 'lst', '\u00fcber/\u2603.bin',
                                  contents=io.BytesIO(body), chunk_size=7777)
    headers, got = swiftclient.get_object(url, token, 'lst',
                                          '\u00fcber/\u2603.bin')
    assert got == body and headers['content-length'] == str(len(body))
    assert headers['etag'] == '"%s"' % etag  # PUT unquoted, GET quoted
    assert '\u00fcber/\u2603.bin' in names(url, token, 'lst',
                                          prefix='\u00fcber/')
    swiftclient.delete_object(url, token, 'lst', '\u00fcber/\u2603.bin')

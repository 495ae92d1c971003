"""Every constraint the proxy enforces, through the all-in-one: Swift's
status codes and bodies, and nothing stored."""
import http.client

import pytest
import requests
from swiftclient import client as swiftclient


@pytest.fixture(scope='module')
def auth(aio):
    url, token = swiftclient.get_auth(aio.auth_url, 'test:tester', 'testing')
    swiftclient.put_container(url, token, 'rules')
    return url, {'X-Auth-Token': token}


def raw(aio, method, path, headers=(), body=None):
    """A request http.client would not let requests make (bad lengths,
    bad paths); (status, headers, body)."""
    conn = http.client.HTTPConnection('127.0.0.1', aio.proxy_port,
                                      timeout=30)
    try:
        conn.putrequest(method, path, skip_accept_encoding=True)
        for key, value in headers:
            conn.putheader(key, value)
        conn.endheaders(body)
        resp = conn.getresponse()
        return resp.status, dict(resp.getheaders()), resp.read()
    finally:
        conn.close()


def stored(url, headers, name):
    return requests.head(url + '/rules/' + name,
                         headers=headers).status_code == 200


META_CASES = [
    ({'X-Object-Meta-' + 'n' * 129: 'v'}, 'Metadata name too long: '
     'X-Object-Meta-' + 'N' * 129),
    ({'X-Object-Meta-Big': 'v' * 257},
     'Metadata value longer than 256: X-Object-Meta-Big'),
    ({'X-Object-Meta-M%d' % i: 'v' for i in range(91)},
     'Too many metadata items; max 90'),
    ({'X-Object-Meta-M%02d' % i: 'v' * 250 for i in range(17)},
     'Total metadata too large; max 4096'),
]


@pytest.mark.parametrize('headers, text', META_CASES)
def test_object_metadata_limits(aio, auth, headers, text):
    url, token = auth
    resp = requests.put(url + '/rules/meta', data=b'x',
                        headers=dict(headers, **token))
    assert (resp.status_code, resp.text.lower()) == (400, text.lower())
    assert resp.headers['Content-Type'] == 'text/plain'
    assert not stored(url, token, 'meta')


@pytest.mark.parametrize('level', ['container', 'account'])
def test_container_and_account_metadata_limits(aio, auth, level):
    url, token = auth
    target = url + '/rules' if level == 'container' else url
    prefix = 'X-%s-Meta-' % level.title()
    resp = requests.post(target, headers=dict(
        {prefix + 'Big': 'v' * 257}, **token))
    assert resp.status_code == 400
    assert resp.text == 'Metadata value longer than 256: %sBig' % prefix
    resp = requests.post(target, headers=dict(
        {prefix + 'M%d' % i: 'v' for i in range(91)}, **token))
    assert (resp.status_code, resp.text) == (
        400, 'Too many metadata items; max 90')
    head = requests.head(target, headers=token)
    assert not any(k.lower().startswith(prefix.lower() + 'm')
                   for k in head.headers)


def test_empty_metadata_name(aio, auth):
    url, token = auth
    status, _, body = raw(aio, 'PUT', '/v1/AUTH_test/rules/empty',
                          [('X-Auth-Token', token['X-Auth-Token']),
                           ('X-Object-Meta-', 'v'),
                           ('Content-Length', '1')], b'x')
    assert (status, body) == (400, b'Metadata name cannot be empty')


def test_too_large_is_refused_before_the_body(aio, auth):
    url, token = auth
    status, headers, body = raw(aio, 'PUT', '/v1/AUTH_test/rules/huge',
                                [('X-Auth-Token', token['X-Auth-Token']),
                                 ('Content-Length', str(5368709122 + 1))])
    assert (status, body) == (413, b'Your request is too large.')
    assert not stored(url, token, 'huge')


@pytest.mark.parametrize('length', ['ten', '-1'])
def test_bad_content_length(aio, auth, length):
    """Refused by the HTTP layer (eventlet, as under Swift) with an empty
    400 before any middleware sees it."""
    url, token = auth
    status, _, body = raw(aio, 'PUT', '/v1/AUTH_test/rules/len',
                          [('X-Auth-Token', token['X-Auth-Token']),
                           ('Content-Length', length)])
    assert (status, body) == (400, b'')
    assert not stored(url, token, 'len')


def test_etag_mismatch_is_422(aio, auth):
    url, token = auth
    resp = requests.put(url + '/rules/etag', data=b'abc', headers=dict(
        token, ETag='0' * 32))
    assert resp.status_code == 422
    assert resp.text.startswith('<html><h1>Unprocessable Entity</h1>')
    assert not stored(url, token, 'etag')


def test_x_delete_after_in_past(aio, auth):
    url, token = auth
    resp = requests.put(url + '/rules/past', data=b'x', headers=dict(
        token, **{'X-Delete-After': '-5'}))
    assert (resp.status_code, resp.text) == (400, 'X-Delete-After in past')


@pytest.mark.parametrize('path', ['/v1/AUTH_test/rules/%FF',
                                  '/v1/AUTH_test/rules/a%00b'])
def test_bad_utf8_or_nul_in_path(aio, auth, path):
    url, token = auth
    status, _, body = raw(aio, 'PUT', path,
                          [('X-Auth-Token', token['X-Auth-Token']),
                           ('Content-Length', '1')], b'x')
    assert (status, body) == (412, b'Invalid UTF8 or contains NULL')


def test_bad_urls_and_versions(aio, auth):
    url, token = auth
    status, _, body = raw(aio, 'GET', '/v1/',
                          [('X-Auth-Token', token['X-Auth-Token'])])
    assert (status, body) == (412, b'Bad URL')
    status, _, body = raw(aio, 'GET', '/v2/AUTH_test',
                          [('X-Auth-Token', token['X-Auth-Token'])])
    assert status == 400 and body.startswith(b'<html><h1>Bad Request')
    status, _, body = raw(aio, 'GET', '/nonsense')
    assert (status, body) == (412, b'Bad URL')
    resp = requests.get(url.replace('AUTH_test', 'AUTH_' + 'a' * 252),
                        headers=token)
    assert (resp.status_code, resp.text) == (
        400, 'Account name length of 257 longer than 256')


def test_header_and_request_line_limits(aio, auth):
    url, token = auth
    status, _, _ = raw(aio, 'GET', '/v1/AUTH_test/' + 'x' * 8200,
                       [('X-Auth-Token', token['X-Auth-Token'])])
    assert status == 414
    status, _, _ = raw(aio, 'GET', '/v1/AUTH_test/rules',
                       [('X-Auth-Token', token['X-Auth-Token']),
                        ('X-Long', 'y' * 8200)])
    assert status == 400


def test_not_empty_container_delete_is_409(aio, auth):
    url, token = auth
    requests.put(url + '/busy', headers=token)
    requests.put(url + '/busy/o', data=b'x', headers=token)
    resp = requests.delete(url + '/busy', headers=token)
    assert resp.status_code == 409
    assert resp.text.startswith('<html><h1>Conflict</h1>')
    assert requests.head(url + '/busy', headers=token).status_code == 204


def test_many_metadata_items_fit_the_header_limits(aio, auth):
    """90 items pass every hop (the stdlib's 100-header cap would not);
    past Swift's header count the request is refused with 431."""
    url, token = auth
    meta = {'X-Container-Meta-M%d' % i: 'v' for i in range(90)}
    assert requests.post(url + '/rules', headers=dict(
        meta, **token)).status_code == 204
    head = requests.head(url + '/rules', headers=token)
    assert sum(k.lower().startswith('x-container-meta-m')
               for k in head.headers) == 90
    resp = requests.post(url + '/rules', headers=dict(
        {'X-Container-Meta-M%d' % i: '' for i in range(90)}, **token))
    assert resp.status_code == 204
    too_many = {'X-Junk-%d' % i: 'v' for i in range(210)}
    assert requests.get(url + '/rules', headers=dict(
        too_many, **token)).status_code == 431

"""Temporary URLs through the all-in-one: the swift command's URLs work
with curl; bad signatures, expired URLs, wrong objects are refused."""
import base64
import hmac
import subprocess
import time

import pytest
import requests
from swiftclient import client as swiftclient

KEY = 'secret-key'


@pytest.fixture(scope='module')
def keyed(aio):
    url, token = swiftclient.get_auth(aio.auth_url, 'test:tester', 'testing')
    swiftclient.post_account(url, token, {'X-Account-Meta-Temp-URL-Key': KEY})
    swiftclient.put_container(url, token, 'tu')
    swiftclient.put_object(url, token, 'tu', 'pic.jpg', b'picture',
                           headers={'X-Object-Meta-Secret': 's',
                                    'X-Object-Meta-Public-Tag': 'p'})
    yield url, token
    swiftclient.post_account(url, token, {'X-Remove-Account-Meta-Temp-URL-Key':
                                          'x'})


def sign(method, expires, path, key=KEY, digest='sha256'):
    return hmac.new(key.encode(), ('%s\n%d\n%s' % (method, expires, path)
                                   ).encode(), digest).hexdigest()


def test_swift_tempurl_works_with_curl(aio, keyed):
    url, _ = keyed
    path = '/v1/AUTH_test/tu/pic.jpg'
    made = aio.swift('tempurl', 'GET', '600', path, KEY)
    assert made.returncode == 0, made.stderr
    temp = made.stdout.strip()
    assert temp.startswith(path + '?temp_url_sig=')
    base = url.split('/v1/')[0]
    curl = subprocess.run(['curl', '-s', '-i', base + temp],
                          capture_output=True, timeout=30)
    head, _, body = curl.stdout.partition(b'\r\n\r\n')
    assert head.startswith(b'HTTP/1.1 200') and body == b'picture'
    assert b'attachment; filename="pic.jpg"' in head
    assert b'X-Object-Meta-Secret' not in head
    assert b'X-Object-Meta-Public-Tag: p' in head


def test_refusals(keyed):
    url, _ = keyed
    base = url.split('/v1/')[0]
    path = '/v1/AUTH_test/tu/pic.jpg'
    expires = int(time.time()) + 600
    good = sign('GET', expires, path)
    for query in ('temp_url_sig=%s&temp_url_expires=%d' % ('0' * 64,
                                                            expires),
                  'temp_url_sig=%s&temp_url_expires=%d' % (
                      sign('GET', 1000, path), 1000),
                  'temp_url_sig=%s&temp_url_expires=%d' % (good,
                                                            expires + 1)):
        resp = requests.get('%s%s?%s' % (base, path, query))
        assert resp.status_code == 401
        assert resp.text == '401 Unauthorized: Temp URL invalid\n'
    # a signature for one object does not open another
    resp = requests.get('%s/v1/AUTH_test/tu/other?temp_url_sig=%s'
                        '&temp_url_expires=%d' % (base, good, expires))
    assert resp.status_code == 401
    # GET-only URL cannot PUT
    resp = requests.put('%s%s?temp_url_sig=%s&temp_url_expires=%d'
                        % (base, path, good, expires), data=b'x')
    assert resp.status_code == 401
    assert requests.get(base + path + '?temp_url_sig=%s&temp_url_expires=%d'
                        % (good, expires)).content == b'picture'


def test_put_prefix_and_base64_sha512(keyed):
    url, token = keyed
    base = url.split('/v1/')[0]
    expires = int(time.time()) + 600
    prefix_sig = hmac.new(KEY.encode(), ('PUT\n%d\nprefix:/v1/AUTH_test/tu/'
                                         'up/' % expires).encode(),
                          'sha512').digest()
    sig = 'sha512:' + base64.urlsafe_b64encode(prefix_sig).decode().rstrip(
        '=')
    resp = requests.put('%s/v1/AUTH_test/tu/up/file.txt?temp_url_sig=%s'
                        '&temp_url_expires=%d&temp_url_prefix=up/'
                        % (base, sig, expires), data=b'uploaded')
    assert resp.status_code == 201
    assert swiftclient.get_object(url, token, 'tu',
                                  'up/file.txt')[1] == b'uploaded'
    resp = requests.put('%s/v1/AUTH_test/tu/elsewhere?temp_url_sig=%s'
                        '&temp_url_expires=%d&temp_url_prefix=up/'
                        % (base, sig, expires), data=b'x')
    assert resp.status_code == 401

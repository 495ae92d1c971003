"""Browser form uploads (formpost) through the all-in-one."""
import hashlib
import hmac
import time

import requests
from swiftclient import client as swiftclient

KEY = 'form-key'


def signed(path, redirect, max_size, max_count, expires, key=KEY):
    body = '%s\n%s\n%s\n%s\n%s' % (path, redirect, max_size, max_count,
                                   expires)
    return hmac.new(key.encode(), body.encode(), hashlib.sha256).hexdigest()


def test_form_upload(aio):
    url, token = swiftclient.get_auth(aio.auth_url, 'test:tester', 'testing')
    swiftclient.put_container(url, token, 'forms', headers={
        'X-Container-Meta-Temp-URL-Key': KEY})
    path = '/v1/AUTH_test/forms/up/'
    expires = int(time.time()) + 600
    base = url.split('/v1/')[0]
    fields = {'redirect': 'http://example.com/done', 'max_file_size': '100',
              'max_file_count': '2', 'expires': str(expires)}
    fields['signature'] = signed(path, fields['redirect'], '100', '2',
                                 expires)
    files = [('file1', ('a.txt', b'first file', 'text/plain')),
             ('file2', ('b.bin', b'\x00\x01', 'application/x-thing'))]
    resp = requests.post(base + path, data=fields, files=files,
                         allow_redirects=False)
    assert resp.status_code == 303, resp.text
    assert resp.headers['Location'] == \
        'http://example.com/done?status=201&message='
    assert swiftclient.get_object(url, token, 'forms',
                                  'up/a.txt')[1] == b'first file'
    headers = swiftclient.head_object(url, token, 'forms', 'up/b.bin')
    assert headers['content-type'] == 'application/x-thing'
    # a wrong signature, an expired form, too many or too big files
    bad = dict(fields, signature='0' * 64)
    resp = requests.post(base + path, data=bad, files=files[:1],
                         allow_redirects=False)
    assert resp.status_code == 401 and b'Invalid Signature' in resp.content
    old = dict(fields, expires='1000',
               signature=signed(path, fields['redirect'], '100', '2', 1000))
    resp = requests.post(base + path, data=old, files=files[:1],
                         allow_redirects=False)
    assert resp.status_code == 401 and b'Form Expired' in resp.content
    resp = requests.post(base + path, data=fields, files=files + [
        ('file3', ('c.txt', b'c', 'text/plain'))], allow_redirects=False)
    assert resp.status_code == 400
    big = [('file1', ('big.txt', b'x' * 101, 'text/plain'))]
    resp = requests.post(base + path, data=fields, files=big,
                         allow_redirects=False)
    assert resp.status_code == 303
    assert 'status=400' in resp.headers['Location']
    assert requests.head(url + '/forms/up/big.txt', headers={
        'X-Auth-Token': token}).status_code == 404

"""Temp URL signatures: expiry forms, signature encodings, IP ranges,
Content-Disposition."""
import base64
import hashlib
import hmac

import pytest

from swiftlike.common.tempurl_signing import (
    SignatureError,
    content_disposition,
    ip_allowed,
    parse_expires,
    signature,
    split_signature,
)

ALL = ['sha1', 'sha256', 'sha512']


def test_expires_forms():
    assert parse_expires('1700000000') == 1700000000
    assert parse_expires('2023-11-14T22:13:20Z') == 1700000000
    with pytest.raises(SignatureError):
        parse_expires('tomorrow')


@pytest.mark.parametrize('digest', ALL)
def test_signature_encodings(digest):
    raw = signature('key', 'GET', 1700000000, '/v1/a/c/o', digest)
    assert raw == hmac.new(b'key', b'GET\n1700000000\n/v1/a/c/o',
                           getattr(hashlib, digest)).digest()
    assert split_signature(raw.hex(), ALL) == (digest, raw)
    for encode in (base64.b64encode, base64.urlsafe_b64encode):
        text = '%s:%s' % (digest, encode(raw).decode().rstrip('='))
        assert split_signature(text, ALL) == (digest, raw)


def test_signature_refusals():
    with pytest.raises(SignatureError):
        split_signature('ab' * 20, ['sha256'])  # sha1 not allowed
    with pytest.raises(SignatureError):
        split_signature('zz' * 32, ALL)
    with pytest.raises(SignatureError):
        split_signature('sha256:***', ALL)
    with pytest.raises(SignatureError):
        split_signature('md5:AAAA', ALL)


def test_ip_restricted_signature_and_ranges():
    plain = signature('k', 'GET', 1, '/v1/a/c/o')
    restricted = signature('k', 'GET', 1, '/v1/a/c/o', ip_range='10.0.0.0/8')
    assert plain != restricted
    assert restricted == hmac.new(
        b'k', b'ip=10.0.0.0/8\nGET\n1\n/v1/a/c/o', hashlib.sha256).digest()
    assert ip_allowed('10.0.0.0/8', '10.1.2.3')
    assert not ip_allowed('10.0.0.0/8', '11.1.2.3')
    assert ip_allowed('1.2.3.4', '1.2.3.4')
    assert not ip_allowed('garbage', '1.2.3.4')


def test_content_disposition():
    expected = ('attachment; filename="my \\"file\\".txt"; '
                "filename*=UTF-8''my%20%22file%22.txt")
    assert content_disposition('my "file".txt', False) == expected
    assert content_disposition('', True) == 'inline'
    assert content_disposition('a.txt', True).startswith(
        'inline; filename="a.txt"')

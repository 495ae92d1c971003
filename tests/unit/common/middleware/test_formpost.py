"""formpost's pure parts: form parsing and the form signature."""
import hashlib
import hmac

import pytest

from swiftlike.common.middleware.formpost import (
    FormError,
    form_signature,
    parse_form,
)


def test_form_parsing_and_signature():
    boundary = 'XyZ'
    body = (b'--XyZ\r\nContent-Disposition: form-data; name="redirect"\r\n\r\n'
            b'http://x/\r\n--XyZ\r\nContent-Disposition: form-data; '
            b'name="file1"; filename="a.txt"\r\nContent-Type: text/plain\r\n'
            b'\r\nhello\r\n--XyZ--\r\n')
    fields, files = parse_form('multipart/form-data; boundary=%s'
                               % boundary, body)
    assert fields == {'redirect': 'http://x/'}
    assert files == [('a.txt', 'text/plain', b'hello')]
    with pytest.raises(FormError):
        parse_form('text/plain', b'nothing')
    assert form_signature('k', '/v1/a/c', '', '10', '1', '99') == hmac.new(
        b'k', b'/v1/a/c\n\n10\n1\n99', hashlib.sha256).digest()

"""The xattr metadata codec against Swift's golden pickles."""
import base64
import hashlib
import pickle

import pytest

from swiftlike.obj.metadata import (
    CHECKSUM_KEY,
    MetadataError,
    decode_metadata,
    encode_metadata,
    split_chunks,
    verify_checksum,
)
from tests.conftest import load_vector

VECTORS = load_vector('metadata.json')


@pytest.mark.parametrize('case', VECTORS['cases'],
                         ids=lambda c: c['operation'])
def test_swift_pickles_decode(case):
    stored = base64.b64decode(case['file']['pickle_b64'])
    assert decode_metadata(stored) == case['file']['decoded_metadata']


@pytest.mark.parametrize('case', VECTORS['cases'],
                         ids=lambda c: c['operation'])
def test_encoding_reproduces_swift_bytes(case):
    """Same dict in the same order gives Swift's exact pickle bytes."""
    stored = base64.b64decode(case['file']['pickle_b64'])
    metadata = case['file']['decoded_metadata']
    assert encode_metadata(metadata) == stored
    chunks = split_chunks(stored)
    assert [k for k, _ in chunks] == case['file']['xattr_keys']
    assert chunks[-1][1].decode() == case['file']['metadata_checksum']


def test_non_ascii_header_is_utf8_of_the_wsgi_string():
    wsgi_value = 'crème'.encode().decode('latin-1')
    raw = pickle.loads(encode_metadata({'X-Object-Meta-A': wsgi_value}))
    assert raw[b'X-Object-Meta-A'] == b'cr\xc3\x83\xc2\xa8me'


def test_chunking_case():
    case = VECTORS['chunking_case']
    metadata = dict(case['metadata_written'])
    metadata['X-Object-Sysmeta-Big'] = 'x' * 70000
    pickled = encode_metadata(metadata)
    assert len(pickled) == case['pickle_length']
    assert hashlib.sha256(pickled).hexdigest() == case['pickle_sha256']
    chunks = split_chunks(pickled)
    expected = case['setxattr_calls_in_order']
    assert [k for k, _ in chunks] == [c['key'] for c in expected]
    assert [len(v) for _, v in chunks] == [c['length'] for c in expected]
    assert [hashlib.sha256(v).hexdigest() for _, v in chunks] == \
        [c['sha256'] for c in expected]
    assert chunks[-1] == (CHECKSUM_KEY, expected[-1]['value'].encode())


def test_python2_pickles_decode_latin1():
    """Py2-era files: name is UTF-8, other values latin-1 (WSGI) bytes."""
    py2 = (b"(dp0\nS'name'\np1\nS'/a/c/caf\\xc3\\xa9'\np2\n"
           b"sS'X-Object-Meta-A'\np3\nS'cr\\xc3\\xa8me'\np4\n"
           b"sS'Content-Length'\np5\nI12\ns.")
    decoded = decode_metadata(py2)
    assert decoded['name'] == '/a/c/café'
    assert decoded['X-Object-Meta-A'] == 'cr\xc3\xa8me'
    assert decoded['Content-Length'] == '12'


def test_checksum_rules():
    pickled = encode_metadata({'name': '/a/c/o'})
    assert verify_checksum(pickled, split_chunks(pickled)[-1][1])
    assert verify_checksum(pickled, b'')  # old files have none
    assert not verify_checksum(pickled, b'0' * 32)


@pytest.mark.parametrize('garbage', [b'', b'not a pickle',
                                     pickle.dumps([1, 2], protocol=2),
                                     b"cos\nsystem\n(S'id'\ntR."])
def test_bad_pickles_raise_metadata_error(garbage):
    with pytest.raises(MetadataError):
        decode_metadata(garbage)

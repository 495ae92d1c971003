"""Object metadata as Swift stores it in xattrs: the pure codec, no I/O.

In memory, ``name`` is the real path (text) and every other key and value is
a WSGI string (the client's header bytes decoded as latin-1). Both are
stored as their UTF-8 bytes in a protocol-2 pickle, so non-ASCII header
values end up UTF-8 encoded twice, exactly as Swift writes them.
"""
from __future__ import annotations

import hashlib
import pickle
from typing import Any, Dict, List, Tuple

from swiftlike.common.safe_pickle import safe_loads

METADATA_KEY = 'user.swift.metadata'
CHECKSUM_KEY = 'user.swift.metadata_checksum'
#: Bytes of pickle per xattr; larger pickles continue in metadata1, 2, ...
XATTR_CHUNK_SIZE = 65536
PICKLE_PROTOCOL = 2
#: A pickle is "Python 3 written" when this marker is in its first bytes.
PY3_MARKER = b'_codecs\nencode'
PY3_MARKER_WINDOW = 32
NAME_KEY = 'name'

Metadata = Dict[str, str]


class MetadataError(ValueError):
    """Stored metadata cannot be decoded: the object must be quarantined."""


def chunk_key(index: int) -> str:
    return METADATA_KEY + (str(index) if index else '')


def encode_metadata(metadata: Metadata) -> bytes:
    """The pickle Swift writes: bytes keys and values, protocol 2."""
    as_bytes = {_to_bytes(k): _to_bytes(v) for k, v in metadata.items()}
    return pickle.dumps(as_bytes, protocol=PICKLE_PROTOCOL)


def _to_bytes(value: Any) -> bytes:
    if isinstance(value, bytes):
        return value
    return str(value).encode('utf-8', 'surrogateescape')


def split_chunks(pickled: bytes) -> List[Tuple[str, bytes]]:
    """(xattr key, value) pairs in write order, checksum last."""
    chunks = [(chunk_key(i), pickled[offset:offset + XATTR_CHUNK_SIZE])
              for i, offset in enumerate(
                  range(0, max(len(pickled), 1), XATTR_CHUNK_SIZE))]
    return chunks + [(CHECKSUM_KEY, checksum(pickled))]


def checksum(pickled: bytes) -> bytes:
    return hashlib.md5(pickled, usedforsecurity=False).hexdigest().encode()


def decode_metadata(pickled: bytes) -> Metadata:
    """Decode a stored pickle (Swift's py2 or py3 writers) to text."""
    try:
        raw = safe_loads(pickled, encoding='bytes')
    except ValueError as err:
        raise MetadataError(str(err)) from None
    if not isinstance(raw, dict):
        raise MetadataError('metadata is not a dict')
    py3 = PY3_MARKER in pickled[:PY3_MARKER_WINDOW]
    return {_decode(k, py3): _decode_value(k, v, py3)
            for k, v in raw.items()}


def _decode(value: Any, py3: bool, utf8: bool = False) -> str:
    if isinstance(value, bytes):
        codec = 'utf-8' if (py3 or utf8) else 'latin-1'
        return value.decode(codec, 'surrogateescape')
    return str(value)  # ints in very old files


def _decode_value(key: Any, value: Any, py3: bool) -> str:
    is_name = key in (b'name', 'name')
    return _decode(value, py3, utf8=is_name)


def verify_checksum(pickled: bytes, stored: bytes) -> bool:
    """No stored checksum (old files) is accepted; a different one is not."""
    return not stored or stored.strip() == checksum(pickled)

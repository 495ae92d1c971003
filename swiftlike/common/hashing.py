"""hash_path: where every account, container and object lives.

MD5 of ``prefix + "/" + "/".join(components) + suffix``. The prefix and
suffix come from swift.conf ``[swift-hash]`` and must be identical across the
cluster; they are loaded once per process, on first use.
"""
from __future__ import annotations

import hashlib
import struct
from typing import Optional, Tuple, Union

from swiftlike.common.config import read_swift_conf, swift_conf_path
from swiftlike.common.exceptions import ConfigError

HASH_SECTION = 'swift-hash'
PREFIX_OPTION = 'swift_hash_path_prefix'
SUFFIX_OPTION = 'swift_hash_path_suffix'

Name = Union[str, bytes, None]

_affixes: Optional[Tuple[bytes, bytes]] = None


def _to_bytes(value: Union[str, bytes]) -> bytes:
    return value if isinstance(value, bytes) else value.encode('utf-8')


def load_hash_affixes(path: Optional[str] = None) -> Tuple[bytes, bytes]:
    """Read the prefix and suffix from swift.conf, refusing when both lack.

    Either may be empty, not both: with neither, every path would hash to a
    value an attacker can predict, and Swift refuses to start.
    """
    path = path or swift_conf_path()
    parser = read_swift_conf(path)
    prefix = parser.get(HASH_SECTION, PREFIX_OPTION, fallback='')
    suffix = parser.get(HASH_SECTION, SUFFIX_OPTION, fallback='')
    if not prefix and not suffix:
        raise ConfigError(
            'Error: [%s] both %s and %s are missing from %s'
            % (HASH_SECTION, PREFIX_OPTION, SUFFIX_OPTION, path))
    return prefix.encode('latin-1'), suffix.encode('latin-1')


def set_hash_affixes(prefix: Union[str, bytes],
                     suffix: Union[str, bytes]) -> None:
    """Use these affixes in this process (tools, tests, the all-in-one).

    Text is taken as swift.conf text: latin-1, one character per byte.
    """
    global _affixes
    as_bytes = [a.encode('latin-1') if isinstance(a, str) else a
                for a in (prefix, suffix)]
    if not any(as_bytes):
        raise ConfigError('hash path prefix and suffix cannot both be empty')
    _affixes = (as_bytes[0], as_bytes[1])


def get_hash_affixes() -> Tuple[bytes, bytes]:
    global _affixes
    if _affixes is None:
        _affixes = load_hash_affixes()
    return _affixes


def reset_hash_affixes() -> None:
    """Forget the cached affixes so the next use re-reads swift.conf."""
    global _affixes
    _affixes = None


def hash_path(account: Union[str, bytes], container: Name = None,
              obj: Name = None, raw_digest: bool = False
              ) -> Union[str, bytes]:
    """The md5 of a path, hex by default (directory and DB file names)."""
    if obj and not container:
        raise ValueError('container is required if object is provided')
    components = [_to_bytes(account)]
    if container:
        components.append(_to_bytes(container))
    if obj:
        components.append(_to_bytes(obj))
    prefix, suffix = get_hash_affixes()
    digest = hashlib.md5(prefix + b'/' + b'/'.join(components) + suffix,
                         usedforsecurity=False)
    return digest.digest() if raw_digest else digest.hexdigest()


def partition_for_digest(digest: bytes, part_shift: int) -> int:
    """The ring partition of a raw md5 digest: its top 32 bits, shifted."""
    return struct.unpack_from('>I', digest)[0] >> part_shift

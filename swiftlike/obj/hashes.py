"""Suffix hashes of a partition: hashes.pkl, hashes.invalid, rehashing.

Replication compares these md5s between nodes to find what differs, so a
write must invalidate its suffix before it is visible, and the cached
hashes must never claim a suffix is clean when it is not.
"""
from __future__ import annotations

import os
import pickle
import time
from typing import Dict, Iterable, Optional

from swiftlike.common.exceptions import UnpicklingForbidden
from swiftlike.common.fs import lock_path, write_file_atomically
from swiftlike.common.safe_pickle import safe_loads
from swiftlike.obj.ondisk import gather_ondisk_files, hash_pieces, suffix_hash

HASH_FILE = 'hashes.pkl'
INVALID_FILE = 'hashes.invalid'
SUFFIX_LENGTH = 3
_HEX = frozenset('0123456789abcdef')
#: Times get_hashes starts over when hashes.pkl changed under it.
MAX_REHASH_ATTEMPTS = 10

Hashes = Dict[str, Optional[str]]


def is_suffix(name: str) -> bool:
    return len(name) == SUFFIX_LENGTH and set(name) <= _HEX


def invalidate_hash(suffix_dir: str) -> None:
    """Note that a suffix changed: its cached hash must be recomputed."""
    partition_dir, suffix = os.path.split(suffix_dir.rstrip('/'))
    invalidate_suffixes(partition_dir, [suffix])


def invalidate_suffixes(partition_dir: str, suffixes: Iterable[str]) -> None:
    with lock_path(partition_dir), \
            open(os.path.join(partition_dir, INVALID_FILE), 'ab') as f:
        f.write(''.join(s + '\n' for s in suffixes).encode('ascii'))


def read_hashes(partition_dir: str) -> dict:
    """hashes.pkl as a dict; ``{'valid': False}`` if missing or bad."""
    try:
        with open(os.path.join(partition_dir, HASH_FILE), 'rb') as f:
            data = safe_loads(f.read(), encoding='utf8')
    except (OSError, UnpicklingForbidden):
        return {'valid': False}
    if not isinstance(data, dict) or any(
            k not in ('valid', 'updated') and not is_suffix(k)
            for k in data):
        return {'valid': False}
    return data


def write_hashes(partition_dir: str, suffixes: Hashes, updated: float
                 ) -> dict:
    data = {'valid': True}
    data.update(suffixes)
    data['updated'] = updated
    write_file_atomically(os.path.join(partition_dir, HASH_FILE),
                          pickle.dumps(data, protocol=2))
    return data


def _suffixes(hashes: dict) -> Hashes:
    return {k: v for k, v in hashes.items() if is_suffix(k)}


def consolidate_hashes(partition_dir: str) -> dict:
    """Fold hashes.invalid into hashes.pkl and empty it (under the lock)."""
    invalid_path = os.path.join(partition_dir, INVALID_FILE)
    with lock_path(partition_dir):
        hashes = read_hashes(partition_dir)
        try:
            with open(invalid_path, 'rb') as f:
                stale = set(f.read().decode('ascii', 'replace').split())
        except FileNotFoundError:
            stale = set()
        stale = {s for s in stale if is_suffix(s)}
        if stale:
            for suffix in stale:
                hashes[suffix] = None
            if hashes.get('valid'):
                write_hashes(partition_dir, _suffixes(hashes),
                             hashes.get('updated', time.time()))
        if stale or os.path.exists(invalid_path):
            with open(invalid_path, 'wb'):
                pass
    return hashes


def hash_suffix(suffix_dir: str, reclaim_age: float,
                now: Optional[float] = None,
                quarantine=None) -> Optional[str]:
    """Clean every hash dir of a suffix and md5 what survives.

    Returns None when the suffix dir is gone (or emptied and removed).
    ``quarantine(path)`` is called for a hash dir that is not a directory.
    """
    now = time.time() if now is None else now
    try:
        names = sorted(os.listdir(suffix_dir))
    except FileNotFoundError:
        return None
    pieces = []
    for name in names:
        hash_dir = os.path.join(suffix_dir, name)
        try:
            files = os.listdir(hash_dir)
        except NotADirectoryError:
            if quarantine:
                quarantine(hash_dir)
            continue
        except FileNotFoundError:
            continue
        state = gather_ondisk_files(files, reclaim_age, now)
        remove_files(hash_dir, state.obsolete)
        if len(files) == len(state.obsolete):
            remove_empty_dir(hash_dir)
            continue
        pieces.append(hash_pieces(state))
    if not pieces and remove_empty_dir(suffix_dir):
        return None
    return suffix_hash(pieces)


def remove_files(directory: str, names: Iterable[str]) -> None:
    for name in names:
        try:
            os.unlink(os.path.join(directory, name))
        except FileNotFoundError:
            pass


def remove_empty_dir(path: str) -> bool:
    try:
        os.rmdir(path)
        return True
    except FileNotFoundError:
        return True
    except OSError:  # not empty: something still lives there
        return False


def get_hashes(partition_dir: str, recalculate: Iterable[str] = (),
               reclaim_age: float = 604800, quarantine=None,
               now=None) -> Hashes:
    """Suffix -> md5 for a partition, rehashing only what is stale.

    A missing or invalid hashes.pkl means every suffix dir is rehashed. The
    result is written back only if hashes.pkl did not change meanwhile
    (another process may have invalidated a suffix); otherwise start over.
    """
    if not os.path.isdir(partition_dir):
        return {}
    for _ in range(MAX_REHASH_ATTEMPTS):
        hashes = consolidate_hashes(partition_dir)
        read_back = dict(hashes)
        suffixes = _suffixes(hashes)
        if not hashes.get('valid'):
            suffixes = {name: None for name in os.listdir(partition_dir)
                        if is_suffix(name)}
        for suffix in recalculate:
            suffixes[suffix] = None
        for suffix, value in list(suffixes.items()):
            if value is None:
                fresh = hash_suffix(os.path.join(partition_dir, suffix),
                                    reclaim_age, now, quarantine)
                if fresh is None:
                    del suffixes[suffix]
                else:
                    suffixes[suffix] = fresh
        with lock_path(partition_dir):
            if read_hashes(partition_dir) == read_back:
                write_hashes(partition_dir, suffixes,
                             time.time() if now is None else now)
                return suffixes
    return suffixes

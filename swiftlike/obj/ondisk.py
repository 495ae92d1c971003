"""Object file names and which files of a hash dir survive: pure rules.

A hash dir holds at most one ``.data`` (or one ``.ts``) and up to two
``.meta`` files; everything else is obsolete. These rules decide what GET
serves, what cleanup unlinks, and what the suffix hash (replication's
fingerprint) covers, so they must match Swift's file for file.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Iterable, List, Optional

from swiftlike.common.exceptions import InvalidTimestamp
from swiftlike.common.timestamps import (
    Timestamp,
    decode_timestamps,
    encode_timestamps,
)

DATA, TOMBSTONE, META, DURABLE = '.data', '.ts', '.meta', '.durable'
EMPTY_MD5 = hashlib.md5(b'', usedforsecurity=False).hexdigest()


@dataclass
class FileInfo:
    """One parsed file name."""

    filename: str
    ext: str
    timestamp: Timestamp
    ctype_timestamp: Optional[Timestamp] = None
    frag_index: Optional[int] = None
    durable: bool = False


def data_filename(timestamp: Timestamp) -> str:
    return timestamp.internal + DATA


def tombstone_filename(timestamp: Timestamp) -> str:
    return timestamp.internal + TOMBSTONE


def meta_filename(timestamp: Timestamp,
                  ctype_timestamp: Optional[Timestamp] = None) -> str:
    """``<ts>.meta``, or ``<ts>±<hex>.meta`` when the POST set Content-Type.
    """
    if ctype_timestamp is None:
        return timestamp.internal + META
    return encode_timestamps(timestamp, ctype_timestamp, explicit=True) + META


def parse_filename(filename: str) -> Optional[FileInfo]:
    """FileInfo for a Swift object file name; None for anything else."""
    stem, dot, ext = filename.rpartition('.')
    if not dot or '.' + ext not in (DATA, TOMBSTONE, META, DURABLE):
        return None
    ext = '.' + ext
    try:
        if ext == META:
            stamps = decode_timestamps(stem, explicit=True)
            return FileInfo(filename, ext, stamps[0],
                            ctype_timestamp=stamps[1])
        if ext == DATA and '#' in stem:
            return _parse_ec_data(filename, stem)
        return FileInfo(filename, ext, Timestamp(stem))
    except (InvalidTimestamp, ValueError):
        return None


def _parse_ec_data(filename: str, stem: str) -> FileInfo:
    parts = stem.split('#')
    if len(parts) not in (2, 3) or (len(parts) == 3 and parts[2] != 'd'):
        raise ValueError('bad EC file name %r' % filename)
    return FileInfo(filename, DATA, Timestamp(parts[0]),
                    frag_index=int(parts[1]), durable=len(parts) == 3)


@dataclass
class OnDiskState:
    """What a hash dir holds after applying the survival rules."""

    data: Optional[FileInfo] = None
    tombstone: Optional[FileInfo] = None
    meta: Optional[FileInfo] = None
    ctype_meta: Optional[FileInfo] = None
    obsolete: List[str] = field(default_factory=list)
    unexpected: List[str] = field(default_factory=list)
    #: surviving files (kept on disk), newest first
    kept: List[str] = field(default_factory=list)

    @property
    def content_type_timestamp(self) -> Optional[Timestamp]:
        """Newest content-type time from a .meta, if newer than the data."""
        if self.ctype_meta and self.data and \
                self.ctype_meta.ctype_timestamp > self.data.timestamp:
            return self.ctype_meta.ctype_timestamp
        return None


def _sort_key(info: FileInfo):
    # Newest first; at equal times a tombstone beats data, as in Swift.
    order = {TOMBSTONE: 3, DATA: 2, META: 1, DURABLE: 0}[info.ext]
    return info.timestamp, order


def gather_ondisk_files(filenames: Iterable[str], reclaim_age: float,
                        now: float) -> OnDiskState:
    """Apply Swift's survival rules (replicated policy) to a hash dir."""
    state = OnDiskState()
    infos = []
    for name in filenames:
        info = parse_filename(name)
        if info is None:
            state.unexpected.append(name)
        else:
            infos.append(info)
    metas: List[FileInfo] = []
    for info in sorted(infos, key=_sort_key, reverse=True):
        terminal = state.data or state.tombstone
        if info.ext in (DATA, TOMBSTONE) and terminal is None:
            if info.ext == DATA:
                state.data = info
            else:
                state.tombstone = info
        elif info.ext == META and terminal is None:
            metas.append(info)
        else:
            state.obsolete.append(info.filename)
    _choose_metas(state, metas, reclaim_age, now)
    if state.tombstone and now - float(state.tombstone.timestamp) > \
            reclaim_age:
        state.obsolete.append(state.tombstone.filename)
        state.tombstone = None
    state.kept = [i.filename for i in sorted(
        (i for i in infos if i.filename not in state.obsolete),
        key=_sort_key, reverse=True)]
    return state


def _choose_metas(state: OnDiskState, metas: List[FileInfo],
                  reclaim_age: float, now: float) -> None:
    """Keep the newest .meta, plus the one with the newest content-type."""
    if not metas:
        return
    newest = metas[0]
    with_ctype = [m for m in metas if m.ctype_timestamp is not None]
    ctype_meta = max(with_ctype, key=lambda m: (m.ctype_timestamp,
                                                m.timestamp),
                     default=None)
    keep = [newest]
    if ctype_meta is not None and ctype_meta is not newest:
        newest_ctype = newest.ctype_timestamp
        if newest_ctype is None or ctype_meta.ctype_timestamp > newest_ctype:
            if ctype_meta.timestamp == newest.timestamp:
                keep = [ctype_meta]
            else:
                keep.append(ctype_meta)
    for meta in metas:
        if meta not in keep:
            state.obsolete.append(meta.filename)
    if state.data is None:
        # A .meta without data describes nothing yet; keep it a while in
        # case its .data is still on its way, then let it go.
        for meta in keep:
            if now - float(meta.timestamp) > reclaim_age:
                state.obsolete.append(meta.filename)
        return
    state.meta = keep[0]
    state.ctype_meta = ctype_meta if ctype_meta in keep else None


def hash_pieces(state: OnDiskState) -> List[str]:
    """The strings a hash dir adds to its suffix's md5, in order."""
    pieces = []
    if state.meta is not None:
        pieces.append(state.meta.timestamp.internal + META)
    if state.tombstone is not None:
        pieces.append(state.tombstone.timestamp.internal + TOMBSTONE)
    if state.data is not None:
        pieces.append(state.data.timestamp.internal + DATA)
        ctype = state.content_type_timestamp
        if ctype is not None:
            pieces.append(ctype.internal + '_ctype')
    return pieces


def suffix_hash(pieces_by_hash_dir: Iterable[List[str]]) -> str:
    """md5 over every hash dir's pieces, hash dirs in sorted name order."""
    md5 = hashlib.md5(usedforsecurity=False)
    for pieces in pieces_by_hash_dir:
        for piece in pieces:
            md5.update(piece.encode('ascii'))
    return md5.hexdigest()

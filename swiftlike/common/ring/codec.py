"""ring.gz byte formats (v1, v2): pure bytes in, bytes out, no I/O.

v1 is what Swift writes by default and what every tool reads. It is written
so the same ring data always gives the same bytes (fixed gzip mtime, sorted
JSON), letting operators compare rings across nodes by md5.
"""
from __future__ import annotations

import hashlib
import json
import struct
import sys
import zlib
from array import array
from typing import Any, Dict, List, Optional, Sequence, Tuple

from swiftlike.common.exceptions import RingLoadError

MAGIC = b'R1NG'
#: gzip MTIME Swift writes into every ring, so identical rings are identical
#: files (recon compares ring md5s across nodes).
GZIP_MTIME = 1300507380
GZIP_FLAG_FNAME = 0x08
GZIP_XFL_MAX_COMPRESSION = 2
GZIP_OS_UNKNOWN = 0xff
V1, V2 = 1, 2
V2_METADATA = 'swift/ring/metadata'
V2_DEVICES = 'swift/ring/devices'
V2_ASSIGNMENTS = 'swift/ring/assignments'
V2_CHECKSUM = 'sha256'
#: v2 tail: compressed index offset (13) + flush (5) + final (5) + 8.
V2_TAIL_LENGTH = 31
TYPECODE_FOR_WIDTH = {2: 'H', 4: 'I'}
MAX_V1_DEV_ID = 0xfffe

Rows = List[array]


def _json(obj: Any) -> bytes:
    return json.dumps(obj, sort_keys=True).encode('ascii')


class _GzipWriter:
    """Builds a single-member gzip stream block by block.

    Each piece is deflated by its own compressor and ends with a full flush,
    so pieces are byte-aligned and independently inflatable; the byte count
    so far is the piece's compressed offset (v2's index needs it).
    """

    def __init__(self, fname: str) -> None:
        self.out = bytearray(b'\x1f\x8b\x08' + bytes([GZIP_FLAG_FNAME]))
        self.out += struct.pack('<I', GZIP_MTIME)
        self.out += bytes([GZIP_XFL_MAX_COMPRESSION, GZIP_OS_UNKNOWN])
        self.out += fname.encode('latin-1') + b'\0'
        self.crc = 0
        self.size = 0

    def _deflate(self, level: int, data: bytes, mode: int) -> None:
        comp = zlib.compressobj(level, zlib.DEFLATED, -zlib.MAX_WBITS)
        self.out += comp.compress(data) + comp.flush(mode)
        self.crc = zlib.crc32(data, self.crc)
        self.size += len(data)

    def stored(self, data: bytes) -> None:
        self._deflate(0, data, zlib.Z_FULL_FLUSH)

    def compressed(self, data: bytes, final: bool = False) -> None:
        self._deflate(9, data, zlib.Z_FINISH if final else zlib.Z_FULL_FLUSH)

    def trailer(self) -> bytes:
        """Close the member: CRC32 and size of everything written."""
        self.out += struct.pack('<II', self.crc, self.size & 0xffffffff)
        return bytes(self.out)

    def finish(self) -> bytes:
        self._deflate(0, b'', zlib.Z_FINISH)
        return self.trailer()


def gzip_fname(target_path: str) -> str:
    """FNAME recorded in the header: the target's base name minus .gz."""
    base = target_path.replace('\\', '/').rsplit('/', 1)[-1]
    return base[:-3] if base.endswith('.gz') else base


def _rows_bytes(rows: Rows, typecode: str, byteorder: str) -> bytes:
    chunks = []
    for row in rows:
        converted = row if row.typecode == typecode else array(typecode, row)
        if byteorder != sys.byteorder:
            converted = array(typecode, converted)
            converted.byteswap()
        chunks.append(converted.tobytes())
    return b''.join(chunks)


def encode_v1(rows: Rows, devs: Sequence[Optional[dict]], part_shift: int,
              version: Optional[int], next_part_power: Optional[int],
              fname: str) -> bytes:
    """A v1 ring.gz: magic stored block, then JSON header and rows at -9."""
    if any(dev is not None and dev['id'] > MAX_V1_DEV_ID for dev in devs):
        raise ValueError('device ids above %d need a v2 ring with 4-byte '
                         'ids' % MAX_V1_DEV_ID)
    meta: Dict[str, Any] = {
        'devs': list(devs), 'part_shift': part_shift,
        'replica_count': len(rows), 'byteorder': sys.byteorder}
    if version is not None:
        meta['version'] = version
    if next_part_power is not None:
        meta['next_part_power'] = next_part_power
    header = _json(meta)
    writer = _GzipWriter(fname)
    writer.stored(MAGIC + struct.pack('!H', V1))
    body = struct.pack('!I', len(header)) + header + \
        _rows_bytes(rows, 'H', sys.byteorder)
    writer.compressed(body, final=True)
    return writer.trailer()


def encode_v2(rows: Rows, devs: Sequence[Optional[dict]], part_shift: int,
              version: Optional[int], next_part_power: Optional[int],
              fname: str, dev_id_bytes: int = 2) -> bytes:
    """A v2 ring.gz: BLOB sections with an index, seekable by section."""
    typecode = TYPECODE_FOR_WIDTH[dev_id_bytes]
    replica_count = 0.0
    if rows:
        replica_count = len(rows) - 1 + len(rows[-1]) / float(len(rows[0]))
    meta: Dict[str, Any] = {
        'part_shift': part_shift, 'dev_id_bytes': dev_id_bytes,
        'replica_count': replica_count, 'version': version}
    if next_part_power is not None:
        meta['next_part_power'] = next_part_power
    sections = [
        (V2_METADATA, _json(meta)),
        (V2_DEVICES, _json(list(devs))),
        (V2_ASSIGNMENTS, _rows_bytes(rows, typecode, 'big')),
    ]
    writer = _GzipWriter(fname)
    writer.stored(MAGIC + struct.pack('!H', V2))
    index = {}
    for name, data in sections:
        blob = struct.pack('!Q', len(data)) + data
        start = (len(writer.out), writer.size)
        writer.compressed(blob)
        index[name] = [start[0], start[1], len(writer.out), writer.size,
                       V2_CHECKSUM, hashlib.sha256(blob).hexdigest()]
    index_start = (len(writer.out), writer.size)
    index_json = _json(index)
    writer.compressed(struct.pack('!Q', len(index_json)) + index_json)
    writer.stored(struct.pack('!Q', index_start[1]))
    writer.stored(struct.pack('!Q', index_start[0]))
    return writer.finish()


def _inflate(data: bytes) -> bytes:
    try:
        return zlib.decompress(data, zlib.MAX_WBITS | 16)
    except zlib.error as err:
        raise RingLoadError('not a gzip file: %s' % err) from None


def _read_rows(data: bytes, count: int, part_count: Optional[int],
               typecode: str, byteorder: str) -> Rows:
    """Rows of up to ``part_count`` ids; the last may be shorter."""
    width = array(typecode).itemsize
    rows: Rows = []
    offset = 0
    for _ in range(count):
        row_bytes = len(data) - offset if part_count is None \
            else min(part_count * width, len(data) - offset)
        row = array(typecode, data[offset:offset + row_bytes])
        if byteorder != sys.byteorder:
            row.byteswap()
        rows.append(row)
        offset += row_bytes
        if part_count is None:
            part_count = len(row)
    return rows


def _decode_v1(payload: bytes) -> Dict[str, Any]:
    (json_len,) = struct.unpack_from('!I', payload, 6)
    meta = json.loads(payload[10:10 + json_len])
    part_count = 2 ** (32 - meta['part_shift'])
    rows = _read_rows(payload[10 + json_len:], meta['replica_count'],
                      part_count, 'H', meta.get('byteorder', sys.byteorder))
    return {'devs': meta['devs'], 'part_shift': meta['part_shift'],
            'replica2part2dev_id': rows, 'version': meta.get('version'),
            'next_part_power': meta.get('next_part_power'),
            'format_version': V1, 'dev_id_bytes': 2}


def _v2_sections(payload: bytes) -> Dict[str, bytes]:
    (index_at,) = struct.unpack_from('!Q', payload, len(payload) - 16)
    (index_len,) = struct.unpack_from('!Q', payload, index_at)
    index = json.loads(payload[index_at + 8:index_at + 8 + index_len])
    sections = {}
    for name, (_cs, start, _ce, end, algo, digest) in index.items():
        blob = payload[start:end]
        if algo == V2_CHECKSUM and \
                hashlib.sha256(blob).hexdigest() != digest:
            raise RingLoadError('checksum mismatch in section %s' % name)
        sections[name] = blob[8:]
    return sections


def _decode_v2(payload: bytes) -> Dict[str, Any]:
    sections = _v2_sections(payload)
    try:
        meta = json.loads(sections[V2_METADATA])
        devs = json.loads(sections[V2_DEVICES])
        table = sections[V2_ASSIGNMENTS]
    except KeyError as err:
        raise RingLoadError('v2 ring lacks section %s' % err) from None
    width = meta['dev_id_bytes']
    part_count = 2 ** (32 - meta['part_shift'])
    row_count = -(-len(table) // (part_count * width))
    rows = _read_rows(table, row_count, part_count,
                      TYPECODE_FOR_WIDTH[width], 'big')
    return {'devs': devs, 'part_shift': meta['part_shift'],
            'replica2part2dev_id': rows, 'version': meta.get('version'),
            'next_part_power': meta.get('next_part_power'),
            'format_version': V2, 'dev_id_bytes': width}


def decode(data: bytes) -> Dict[str, Any]:
    """Parse a ring.gz (v1 or v2) into plain data."""
    payload = _inflate(data)
    if payload[:4] != MAGIC or len(payload) < 6:
        raise RingLoadError('bad magic: not a ring file')
    (format_version,) = struct.unpack_from('!H', payload, 4)
    try:
        if format_version == V1:
            return _decode_v1(payload)
        if format_version == V2:
            return _decode_v2(payload)
    except (struct.error, ValueError, KeyError, TypeError) as err:
        raise RingLoadError('corrupt v%d ring: %s'
                            % (format_version, err)) from None
    raise RingLoadError('unknown ring format version %d' % format_version)


def uncompressed_payload(data: bytes) -> Tuple[bytes, int]:
    """The inflated payload and its format version (for checks and tools)."""
    payload = _inflate(data)
    return payload, struct.unpack_from('!H', payload, 4)[0]

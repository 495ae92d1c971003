"""RingData: the partition table and device list, loaded from and saved to
ring.gz files (the byte formats live in :mod:`.codec`)."""
from __future__ import annotations

from array import array
from typing import Any, Dict, List, Optional

from swiftlike.common.exceptions import RingLoadError
from swiftlike.common.fs import read_file, write_file_atomically
from swiftlike.common.ring import codec

#: Keys every device dict of a ring carries, as Swift's builder writes them.
RING_DEV_KEYS = ('device', 'id', 'ip', 'meta', 'port', 'region',
                 'replication_ip', 'replication_port', 'weight', 'zone')


def normalize_dev(dev: Optional[dict]) -> Optional[dict]:
    """Fill the defaults readers apply to old rings; keep extra keys."""
    if dev is None:
        return None
    dev.setdefault('region', 1)
    dev.setdefault('replication_ip', dev.get('ip'))
    dev.setdefault('replication_port', dev.get('port'))
    return dev


class RingData:
    """The contents of one ring file.

    ``replica2part2dev_id`` holds one array of device ids per replica; with a
    fractional replica count the last array is shorter than the others.
    """

    def __init__(self, replica2part2dev_id: List[array],
                 devs: List[Optional[dict]], part_shift: int,
                 next_part_power: Optional[int] = None,
                 version: Optional[int] = None,
                 format_version: int = codec.V1,
                 dev_id_bytes: int = 2) -> None:
        self._replica2part2dev_id = replica2part2dev_id
        self.devs = [normalize_dev(dev) for dev in devs]
        self._part_shift = part_shift
        self.next_part_power = next_part_power
        self.version = version
        self.format_version = format_version
        self.dev_id_bytes = dev_id_bytes

    @property
    def replica_count(self) -> float:
        rows = self._replica2part2dev_id
        if not rows or not rows[0]:
            return 0.0
        return len(rows) - 1 + len(rows[-1]) / float(len(rows[0]))

    @property
    def replica2part2dev_id(self) -> List[array]:
        return self._replica2part2dev_id

    @property
    def part_shift(self) -> int:
        return self._part_shift

    @property
    def part_power(self) -> int:
        return 32 - self._part_shift

    @classmethod
    def deserialize(cls, data: bytes) -> RingData:
        fields = codec.decode(data)
        return cls(fields['replica2part2dev_id'], fields['devs'],
                   fields['part_shift'], fields['next_part_power'],
                   fields['version'], fields['format_version'],
                   fields['dev_id_bytes'])

    @classmethod
    def load(cls, filename: str) -> RingData:
        data = read_file(filename, RingLoadError, 'ring')
        try:
            return cls.deserialize(data)
        except RingLoadError as err:
            raise RingLoadError('%s: %s' % (filename, err)) from None

    def serialize(self, fname: str, format_version: Optional[int] = None,
                  dev_id_bytes: Optional[int] = None) -> bytes:
        """The ring.gz bytes; ``fname`` goes into the gzip header."""
        format_version = format_version or codec.V1
        args = (self._replica2part2dev_id, self.devs, self._part_shift,
                self.version, self.next_part_power, fname)
        if format_version == codec.V2:
            return codec.encode_v2(*args, dev_id_bytes=dev_id_bytes or
                                   self.dev_id_bytes)
        if format_version != codec.V1:
            raise ValueError('unknown ring format version %r'
                             % format_version)
        return codec.encode_v1(*args)

    def save(self, filename: str, format_version: Optional[int] = None,
             dev_id_bytes: Optional[int] = None) -> None:
        """Write atomically: temp file in the same dir, fsync, 0644, rename.

        The gzip header records the final name, never the temp name, so the
        file's md5 depends only on the ring and its name.
        """
        data = self.serialize(codec.gzip_fname(filename), format_version,
                              dev_id_bytes)
        write_file_atomically(filename, data, mode=0o644)

    def to_dict(self) -> Dict[str, Any]:
        return {'devs': self.devs,
                'replica2part2dev_id': self._replica2part2dev_id,
                'part_shift': self._part_shift,
                'next_part_power': self.next_part_power,
                'version': self.version}


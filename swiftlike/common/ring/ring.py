"""Ring: partition and node lookups over a ring.gz that may change on disk.

The interface mirrors Swift's so operators' tools keep working:
``Ring(swift_dir, ring_name='object')`` or ``Ring('/path/object.ring.gz')``.
"""
from __future__ import annotations

import os
import time
from typing import Callable, Iterator, List, Optional, Tuple

from swiftlike.common.exceptions import RingLoadError, RingValidationError
from swiftlike.common.hashing import (
    get_hash_affixes,
    hash_path,
    partition_for_digest,
)
from swiftlike.common.ring.handoffs import (
    TierCounts,
    iter_handoffs,
    primary_ids,
)
from swiftlike.common.ring.ringdata import RingData

#: Seconds between checks of the ring file's mtime.
DEFAULT_RELOAD_TIME = 15
RING_SUFFIX = '.ring.gz'

ValidationHook = Callable[[RingData], None]


def ring_path(swift_dir_or_file: str, ring_name: Optional[str]) -> str:
    if ring_name:
        return os.path.join(swift_dir_or_file, ring_name + RING_SUFFIX)
    return swift_dir_or_file


def validate_ring_data(ring_data: RingData) -> None:
    """Refuse rings whose table points at devices that do not exist."""
    devs = ring_data.devs
    for row in ring_data.replica2part2dev_id:
        for dev_id in set(row):
            if dev_id >= len(devs) or devs[dev_id] is None:
                raise RingValidationError(
                    'partition table refers to missing device id %d'
                    % dev_id)


class Ring:
    """Partition -> device lookups, reloading when the file changes.

    The file's mtime is checked at most every ``reload_time`` seconds; a
    ring that fails validation on reload is ignored and the old one kept,
    so a bad push never takes a running cluster down.
    """

    def __init__(self, serialized_path: str,
                 reload_time: Optional[float] = None,
                 ring_name: Optional[str] = None,
                 validation_hook: Optional[ValidationHook] = None) -> None:
        # Refuse to start without hash affixes, as Swift does.
        get_hash_affixes()
        self.serialized_path = ring_path(serialized_path, ring_name)
        self.reload_time = DEFAULT_RELOAD_TIME if reload_time is None \
            else reload_time
        self._validation_hook = validation_hook or validate_ring_data
        self._mtime = None
        self._reload(force=True)

    # -- loading ---------------------------------------------------------
    def _reload(self, force: bool = False) -> None:
        self._rtime = time.time() + self.reload_time
        try:
            self._load(self.serialized_path)
        except (RingLoadError, OSError, ValueError):
            if force:
                raise
            # Keep serving the ring we have; the next check tries again.

    def _load(self, path: str) -> None:
        try:
            mtime = os.path.getmtime(path)
        except OSError as err:
            raise RingLoadError('Unable to read ring %s: %s'
                                % (path, err)) from None
        ring_data = RingData.load(path)
        self._validation_hook(ring_data)
        self._mtime = mtime
        self._ring_data = ring_data
        self._rows = ring_data.replica2part2dev_id
        self._devs = ring_data.devs
        self._part_shift = ring_data.part_shift
        self._counts = TierCounts(self._rows, self._devs)

    def has_changed(self) -> bool:
        """Whether the file on disk differs (by mtime) from the loaded one."""
        try:
            return os.path.getmtime(self.serialized_path) != self._mtime
        except OSError:
            return False

    def _check_reload(self) -> None:
        if time.time() > self._rtime:
            if self.has_changed():
                self._reload()
            else:
                self._rtime = time.time() + self.reload_time

    # -- properties ------------------------------------------------------
    @property
    def devs(self) -> List[Optional[dict]]:
        self._check_reload()
        return self._devs

    @property
    def replica_count(self) -> float:
        self._check_reload()
        return self._ring_data.replica_count

    @property
    def partition_count(self) -> int:
        self._check_reload()
        return len(self._rows[0])

    @property
    def part_power(self) -> int:
        return 32 - self._part_shift

    @property
    def next_part_power(self) -> Optional[int]:
        return self._ring_data.next_part_power

    @property
    def version(self) -> Optional[int]:
        return self._ring_data.version

    # -- lookups ---------------------------------------------------------
    def get_part(self, account, container=None, obj=None) -> int:
        """The partition of an account, container or object."""
        self._check_reload()
        digest = hash_path(account, container, obj, raw_digest=True)
        return partition_for_digest(digest, self._part_shift)

    def get_part_nodes(self, part: int) -> List[dict]:
        """Copies of the primary devices of ``part``, each with ``index``."""
        self._check_reload()
        return [dict(self._devs[dev_id], index=index)
                for index, dev_id in enumerate(primary_ids(self._rows, part))]

    def get_nodes(self, account, container=None, obj=None
                  ) -> Tuple[int, List[dict]]:
        part = self.get_part(account, container, obj)
        return part, self.get_part_nodes(part)

    def get_more_nodes(self, part: int) -> Iterator[dict]:
        """Handoff devices of ``part``, lazily, in Swift's order."""
        self._check_reload()
        return iter_handoffs(self._rows, self._devs, part, self._part_shift,
                             self._counts)

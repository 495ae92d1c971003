"""RingBuilder: devices, weights and the partition assignment behind a ring.

The builder file keeps Swift's shape (a protocol-2 pickle of a dict with
Swift's keys), so operators can move builder files between Swift and
swiftlike in both directions.
"""
from __future__ import annotations

import math
import pickle
import random
import time
import uuid
from array import array
from typing import Any, Dict, Iterator, List, Optional, Tuple

from swiftlike.common.exceptions import (
    DuplicateDeviceError,
    EmptyRingError,
    RingBuilderError,
    RingValidationError,
    UnpicklingForbidden,
)
from swiftlike.common.fs import read_file, write_file_atomically
from swiftlike.common.ring.devspec import matches
from swiftlike.common.ring.rebalance import (
    Rebalance,
    desired_row_lengths,
    dispersion_stats,
)
from swiftlike.common.ring.replica_plan import ReplicaPlan, tiers_for_dev
from swiftlike.common.ring.ringdata import RING_DEV_KEYS, RingData
from swiftlike.common.safe_pickle import safe_loads

#: A device id meaning "unassigned" in the builder's table, per id width.
NONE_DEV = {2: 0xffff, 4: 0xffffffff}
TYPECODE = {2: 'H', 4: 'I'}
#: Partition move counters saturate here (hours).
MAX_PART_MOVE_HOURS = 0xff
SECONDS_PER_HOUR = 3600
#: Balance shown for a zero-weight device that still holds partitions.
MAX_BALANCE = 999.99
MAX_PART_POWER = 32
BUILDER_PICKLE_PROTOCOL = 2
REQUIRED_DEV_KEYS = ('ip', 'port', 'device', 'zone', 'weight')


class RingBuilder:
    """Device list, replica count and assignment table of one ring."""

    def __init__(self, part_power: int, replicas: float,
                 min_part_hours: int) -> None:
        if not 1 <= int(part_power) <= MAX_PART_POWER:
            raise ValueError('part_power must be between 1 and %d'
                             % MAX_PART_POWER)
        if float(replicas) < 1:
            raise ValueError('Replica count must be at least 1')
        if int(min_part_hours) < 0:
            raise ValueError('min_part_hours must be non-negative')
        self.part_power = int(part_power)
        self.next_part_power: Optional[int] = None
        self.replicas = float(replicas)
        self.min_part_hours = int(min_part_hours)
        self.parts = 2 ** self.part_power
        self.devs: List[Optional[dict]] = []
        self.devs_changed = False
        self.version = 0
        self.overload = 0.0
        self.dev_id_bytes = 2
        self._replica2part2dev: Optional[List[array]] = None
        self._last_part_moves: Optional[array] = None
        self._last_part_moves_epoch = 0
        self._last_part_gather_start = 0
        self._dispersion_graph: Dict[tuple, List[int]] = {}
        self.dispersion = 0.0
        self._remove_devs: List[dict] = []
        self._id: Optional[str] = None

    # -- persistence -----------------------------------------------------
    @property
    def id(self) -> Optional[str]:
        return self._id

    def to_dict(self) -> Dict[str, Any]:
        """Swift's builder dict (what the builder file pickles)."""
        return {
            'part_power': self.part_power,
            'next_part_power': self.next_part_power,
            'replicas': self.replicas,
            'min_part_hours': self.min_part_hours,
            'parts': self.parts,
            'devs': self.devs,
            'devs_changed': self.devs_changed,
            'version': self.version,
            'overload': self.overload,
            '_replica2part2dev': self._replica2part2dev,
            '_last_part_moves_epoch': self._last_part_moves_epoch,
            '_last_part_moves': self._last_part_moves,
            '_last_part_gather_start': self._last_part_gather_start,
            '_dispersion_graph': self._dispersion_graph,
            'dispersion': self.dispersion,
            '_remove_devs': self._remove_devs,
            'id': self._id,
            'dev_id_bytes': self.dev_id_bytes,
        }

    @classmethod
    def from_dict(cls, data: Dict[str, Any]) -> RingBuilder:
        builder = cls(data['part_power'], data['replicas'],
                      data['min_part_hours'])
        builder.next_part_power = data.get('next_part_power')
        builder.devs = list(data['devs'])
        builder.devs_changed = data.get('devs_changed', False)
        builder.version = data.get('version', 0)
        builder.overload = float(data.get('overload', 0.0))
        builder.dev_id_bytes = data.get('dev_id_bytes', 2)
        builder._replica2part2dev = data.get('_replica2part2dev')
        builder._last_part_moves = data.get('_last_part_moves')
        builder._last_part_moves_epoch = data.get('_last_part_moves_epoch',
                                                  0)
        builder._last_part_gather_start = data.get(
            '_last_part_gather_start', 0)
        builder._dispersion_graph = data.get('_dispersion_graph') or {}
        builder.dispersion = data.get('dispersion', 0.0)
        builder._remove_devs = list(data.get('_remove_devs', []))
        builder._id = data.get('id')
        for dev in builder._iter_devs():
            dev.setdefault('region', 1)
            dev.setdefault('replication_ip', dev['ip'])
            dev.setdefault('replication_port', dev['port'])
            dev.setdefault('meta', '')
            dev.setdefault('parts', 0)
            dev.setdefault('parts_wanted', 0)
        return builder

    @classmethod
    def load(cls, path: str) -> RingBuilder:
        """Load a builder file written by swiftlike or by Swift."""
        raw = read_file(path, RingBuilderError, 'builder')
        try:
            data = safe_loads(raw, allow_arrays=True, encoding='latin-1')
        except UnpicklingForbidden as err:
            raise RingBuilderError('%s is not a readable builder file: %s'
                                   % (path, err)) from None
        if not isinstance(data, dict) or 'part_power' not in data:
            raise RingBuilderError('%s is not a builder file' % path)
        return cls.from_dict(data)

    @classmethod
    def from_ring(cls, ring_data: RingData, min_part_hours: int
                  ) -> RingBuilder:
        """Rebuild a builder from a ring file's data (a lost builder's last
        resort). Move counters start now, so nothing moves for
        ``min_part_hours``."""
        builder = cls(ring_data.part_power, ring_data.replica_count,
                      min_part_hours)
        builder.dev_id_bytes = ring_data.dev_id_bytes
        for dev in ring_data.devs:
            if dev is not None:
                builder.add_dev(dict(dev))
        builder._replica2part2dev = [array(row.typecode, row)
                                     for row in ring_data.replica2part2dev_id]
        builder._last_part_moves = array('B', [0]) * builder.parts
        builder._last_part_moves_epoch = int(time.time())
        builder._recount_parts()
        builder.version = ring_data.version or 0
        builder.devs_changed = False
        builder._update_dispersion(builder.replica_plan())
        return builder

    def save(self, path: str) -> None:
        """Atomically replace the builder file; assigns the id on first save.
        """
        if self._id is None:
            self._id = uuid.uuid4().hex
        data = pickle.dumps(self.to_dict(), protocol=BUILDER_PICKLE_PROTOCOL)
        write_file_atomically(path, data, mode=0o644)

    # -- devices ---------------------------------------------------------
    def _iter_devs(self) -> Iterator[dict]:
        return (dev for dev in self.devs if dev is not None)

    def _none_dev(self) -> int:
        return NONE_DEV[self.dev_id_bytes]

    def add_dev(self, dev: Dict[str, Any]) -> int:
        """Add a device; without an id it takes the lowest free one."""
        missing = [k for k in REQUIRED_DEV_KEYS if k not in dev]
        if missing:
            raise ValueError('%r is missing required key(s) %s'
                             % (dev, ', '.join(missing)))
        dev = dict(dev)
        if dev.get('id') is None:
            dev['id'] = self.devs.index(None) if None in self.devs \
                else len(self.devs)
        dev_id = int(dev['id'])
        if dev_id < len(self.devs) and self.devs[dev_id] is not None:
            raise DuplicateDeviceError('Duplicate device id: %d' % dev_id)
        if dev_id >= NONE_DEV[self.dev_id_bytes]:
            raise ValueError('device id %d is too large' % dev_id)
        dev.update(id=dev_id, weight=float(dev['weight']),
                   region=int(dev.get('region', 1)), zone=int(dev['zone']),
                   port=int(dev['port']), parts=0, parts_wanted=0)
        dev.setdefault('replication_ip', dev['ip'])
        dev['replication_port'] = int(dev.get('replication_port',
                                              dev['port']))
        dev.setdefault('meta', '')
        while dev_id >= len(self.devs):
            self.devs.append(None)
        self.devs[dev_id] = dev
        self._changed()
        return dev_id

    def _changed(self) -> None:
        self.devs_changed = True
        self.version += 1

    def _dev(self, dev_id: int) -> dict:
        if 0 <= dev_id < len(self.devs) and self.devs[dev_id] is not None:
            return self.devs[dev_id]
        raise RingBuilderError('No device with id %d' % dev_id)

    def set_dev_weight(self, dev_id: int, weight: float) -> None:
        dev = self._dev(dev_id)
        if any(d['id'] == dev_id for d in self._remove_devs):
            raise RingBuilderError('Can not set weight of dev_id %d because '
                                   'it is marked for removal' % dev_id)
        dev['weight'] = float(weight)
        self._changed()

    def set_dev_region(self, dev_id: int, region: int) -> None:
        self._dev(dev_id)['region'] = int(region)
        self._changed()

    def set_dev_zone(self, dev_id: int, zone: int) -> None:
        self._dev(dev_id)['zone'] = int(zone)
        self._changed()

    def set_dev_info(self, dev_id: int, **changes: Any) -> None:
        """Change ip, port, replication ip/port, device name or meta."""
        dev = self._dev(dev_id)
        for key, value in changes.items():
            if key in ('port', 'replication_port'):
                value = int(value)
            dev[key] = value
        self._changed()

    def remove_dev(self, dev_id: int) -> None:
        """Mark for removal; its partitions move at the next rebalance."""
        dev = self._dev(dev_id)
        dev['weight'] = 0.0
        if dev not in self._remove_devs:
            self._remove_devs.append(dev)
        self._changed()

    def search_devs(self, criteria: Dict[str, Any]) -> List[dict]:
        """Devices matching every criterion (meta as a substring)."""
        return [dev for dev in self._iter_devs() if matches(dev, criteria)]

    def set_replicas(self, replicas: float) -> None:
        replicas = float(replicas)
        if replicas < 1:
            raise ValueError('Replica count must be at least 1')
        if replicas != self.replicas:
            self.replicas = replicas
            self._changed()

    def set_overload(self, overload: float) -> None:
        if overload < 0:
            raise ValueError('Overload must be non-negative')
        if overload != self.overload:
            self.overload = float(overload)
            self.version += 1

    def change_min_part_hours(self, hours: int) -> None:
        if int(hours) < 0:
            raise ValueError('min_part_hours must be non-negative')
        self.min_part_hours = int(hours)

    def pretend_min_part_hours_passed(self) -> None:
        """Let every partition move at the next rebalance (operator's
        override after, say, a failed drive was already replaced)."""
        self._last_part_moves = array(
            'B', [MAX_PART_MOVE_HOURS]) * self.parts
        self._last_part_moves_epoch = 0

    def min_part_seconds_left(self) -> int:
        elapsed = int(time.time()) - self._last_part_moves_epoch
        return max(self.min_part_hours * SECONDS_PER_HOUR - elapsed, 0)

    # -- stats -----------------------------------------------------------
    def weight_of_one_part(self) -> float:
        total = sum(dev['weight'] for dev in self._iter_devs())
        return self.parts * self.replicas / total if total else 0.0

    def replica_plan(self) -> ReplicaPlan:
        return ReplicaPlan(list(self._iter_devs()), self.replicas,
                           self.overload)

    def dev_balances(self, plan: Optional[ReplicaPlan] = None
                     ) -> Dict[int, float]:
        """Percent each device is over (+) or under (-) its weighted share.
        """
        plan = plan or self.replica_plan()
        balances = {}
        for dev in self._iter_devs():
            share = plan.weighted.get(tiers_for_dev(dev)[-1], 0.0) * \
                self.parts
            if share:
                balances[dev['id']] = 100.0 * dev['parts'] / share - 100.0
            else:
                balances[dev['id']] = MAX_BALANCE if dev['parts'] else 0.0
        return balances

    def get_balance(self) -> float:
        balances = self.dev_balances()
        return max((abs(b) for b in balances.values()), default=0.0)

    def get_required_overload(self) -> float:
        return self.replica_plan().required_overload

    def _recount_parts(self) -> None:
        counts: Dict[int, int] = {}
        for row in self._replica2part2dev or ():
            for dev_id in row:
                counts[dev_id] = counts.get(dev_id, 0) + 1
        for dev in self._iter_devs():
            dev['parts'] = counts.get(dev['id'], 0)

    def _update_dispersion(self, plan: ReplicaPlan) -> None:
        self._dispersion_graph, self.dispersion = dispersion_stats(
            self._replica2part2dev or [], self.devs, self.parts,
            self.replicas, plan, self._none_dev())

    def get_dispersion_graph(self) -> Tuple[Dict[tuple, List[int]], float]:
        """Recalculate and return the dispersion graph and dispersion."""
        plan = self.replica_plan()
        self._update_dispersion(plan)
        return self._dispersion_graph, self.dispersion

    # -- rebalance -------------------------------------------------------
    def _age_part_moves(self) -> None:
        """Add the whole hours since the last rebalance to every counter."""
        now = int(time.time())
        if self._last_part_moves is None:
            self._last_part_moves = array('B', [0]) * self.parts
            self._last_part_moves_epoch = now
            return
        hours = (now - self._last_part_moves_epoch) // SECONDS_PER_HOUR
        if hours <= 0:
            return
        self._last_part_moves = array('B', (
            min(hours + moved, MAX_PART_MOVE_HOURS)
            for moved in self._last_part_moves))
        self._last_part_moves_epoch = now

    def _check_enough_devices(self) -> None:
        weighted = [d for d in self._iter_devs()
                    if d['weight'] > 0 and d not in self._remove_devs]
        if len(weighted) < math.ceil(self.replicas):
            raise EmptyRingError(
                'Replica count of %s requires more than %d devices'
                % (self.replicas, len(weighted)))

    def rebalance(self, seed: Any = None) -> Tuple[int, float, int]:
        """Reassign partitions; returns (parts changed, balance, removed).
        """
        self._check_enough_devices()
        rng = random.Random(seed)
        old_rows = [array(row.typecode, row)
                    for row in self._replica2part2dev or []]
        if self._replica2part2dev is None:
            self._replica2part2dev = []
        self._age_part_moves()
        can_move = bytearray(
            1 if hours >= self.min_part_hours else 0
            for hours in self._last_part_moves)
        plan = self.replica_plan()
        removed_ids = [dev['id'] for dev in self._remove_devs]
        self._last_part_gather_start = rng.randrange(self.parts)
        engine = Rebalance(self._replica2part2dev, self.devs, self.parts,
                           self.replicas, plan, can_move, self._none_dev(),
                           rng, TYPECODE[self.dev_id_bytes])
        engine.run(removed_ids, self._last_part_gather_start)
        changed = self._note_moves(old_rows)
        for dev_id in removed_ids:
            self.devs[dev_id] = None
        self._remove_devs = []
        self._recount_parts()
        self._set_parts_wanted(plan)
        self._update_dispersion(plan)
        self.devs_changed = False
        self.version += 1
        self.validate()
        return changed, self.get_balance(), len(removed_ids)

    def _note_moves(self, old_rows: List[array]) -> int:
        """Reset the move counter of every partition that changed."""
        changed = 0
        rows = self._replica2part2dev
        for part in range(self.parts):
            before = [row[part] for row in old_rows if part < len(row)]
            after = [row[part] for row in rows if part < len(row)]
            if before != after:
                changed += 1
                self._last_part_moves[part] = 0
        return changed

    def _set_parts_wanted(self, plan: ReplicaPlan) -> None:
        for dev in self._iter_devs():
            target = plan.target.get(tiers_for_dev(dev)[-1], 0.0)
            dev['parts_wanted'] = int(math.ceil(target * self.parts)) - \
                dev['parts']

    # -- validation and output -------------------------------------------
    def validate(self, stats: bool = False) -> None:
        """Raise RingValidationError unless the table is complete and sane.
        """
        rows = self._replica2part2dev
        if not rows:
            raise RingValidationError('No partitions are assigned yet')
        lengths = desired_row_lengths(self.parts, self.replicas)
        if [len(row) for row in rows] != lengths:
            raise RingValidationError('Replica rows have lengths %s, '
                                      'expected %s'
                                      % ([len(r) for r in rows], lengths))
        for part in range(self.parts):
            ids = [row[part] for row in rows if part < len(row)]
            for dev_id in ids:
                if dev_id >= len(self.devs) or self.devs[dev_id] is None:
                    raise RingValidationError(
                        'Partition %d is assigned to unknown device %d'
                        % (part, dev_id))
            if len(set(ids)) != len(ids):
                raise RingValidationError(
                    'Partition %d has %d replicas on one device'
                    % (part, len(ids) - len(set(ids)) + 1))

    def get_ring(self) -> RingData:
        """The RingData a ring file holds: ring keys only, no builder state.
        """
        devs: List[Optional[dict]] = [None] * len(self.devs)
        for dev in self._iter_devs():
            devs[dev['id']] = {key: dev[key] for key in RING_DEV_KEYS}
        typecode = TYPECODE[self.dev_id_bytes]
        rows = [array(typecode, row) for row in self._replica2part2dev or []]
        return RingData(rows, devs, 32 - self.part_power,
                        self.next_part_power, self.version,
                        dev_id_bytes=self.dev_id_bytes)

"""Ring lookup math: primaries and the exact handoff order, no I/O.

The handoff order must equal Swift's node for node: proxies and replicators
of both implementations must pick the same handoff for the same partition.
"""
from __future__ import annotations

import hashlib
import itertools
import struct
from array import array
from typing import Iterator, List, Optional, Sequence, Set, Tuple

#: Handoff walk step = partitions // this (at least 1).
HANDOFF_WALK_DIVISOR = 65536

Devs = Sequence[Optional[dict]]
Rows = Sequence[array]


def primary_ids(rows: Rows, part: int) -> List[int]:
    """Device ids of ``part`` in replica order, duplicates dropped."""
    ids: List[int] = []
    for row in rows:
        if part < len(row):
            dev_id = row[part]
            if dev_id not in ids:
                ids.append(dev_id)
    return ids


def handoff_walk(part: int, part_shift: int, part_count: int
                 ) -> Tuple[range, range]:
    """Partitions visited when looking for handoffs, in Swift's order.

    Starts at a pseudo-random partition derived from md5(str(part)) and
    steps by ``part_count // 65536`` so the walk is cheap on huge rings;
    the quirks (partition 0 is only reached when it is the start) are
    Swift's and kept on purpose.
    """
    digest = hashlib.md5(str(part).encode('ascii'),
                         usedforsecurity=False).digest()
    start = struct.unpack_from('>I', digest)[0] >> part_shift
    inc = part_count // HANDOFF_WALK_DIVISOR or 1
    first = inc - ((part_count - start) % inc)
    # Two lazy ranges: callers usually stop after a handful of handoffs.
    return range(start, part_count, inc), range(first, start, inc)


class TierCounts:
    """How many distinct regions, zones, ips and devices hold assignments."""

    def __init__(self, rows: Rows, devs: Devs) -> None:
        assigned: Set[int] = set()
        for row in rows:
            assigned.update(row)
        live = [devs[i] for i in assigned
                if i < len(devs) and devs[i] is not None]
        self.regions = len({d['region'] for d in live})
        self.zones = len({(d['region'], d['zone']) for d in live})
        self.ips = len({(d['region'], d['zone'], d['ip']) for d in live})
        self.devices = len(live)


def iter_handoffs(rows: Rows, devs: Devs, part: int, part_shift: int,
                  counts: TierCounts) -> Iterator[dict]:
    """Yield handoff devices for ``part`` lazily, in Swift's exact order.

    Four passes over the walk prefer, in turn, an unused region, zone, ip,
    and finally any unused device, so handoffs spread across failure
    domains before doubling up within one.
    """
    primaries = [devs[i] for i in primary_ids(rows, part)]
    used_ids = {d['id'] for d in primaries}
    regions = {d['region'] for d in primaries}
    zones = {(d['region'], d['zone']) for d in primaries}
    ips = {(d['region'], d['zone'], d['ip']) for d in primaries}
    walk = handoff_walk(part, part_shift, len(rows[0]))
    handoff_index = 0

    def keys(dev: dict) -> Tuple[int, Tuple[int, int], Tuple]:
        zone = (dev['region'], dev['zone'])
        return dev['region'], zone, zone + (dev['ip'],)

    passes = (
        (lambda d: keys(d)[0] not in regions,
         lambda: len(regions) >= counts.regions),
        (lambda d: keys(d)[1] not in zones,
         lambda: len(zones) >= counts.zones),
        (lambda d: keys(d)[2] not in ips,
         lambda: len(ips) >= counts.ips),
        (lambda d: True,
         lambda: len(used_ids) >= counts.devices),
    )
    for wanted, done in passes:
        if done():
            continue
        for dev in _walk_devices(rows, devs, walk):
            if dev['id'] in used_ids or not wanted(dev):
                continue
            region, zone, ip = keys(dev)
            yield dict(dev, handoff_index=handoff_index)
            handoff_index += 1
            used_ids.add(dev['id'])
            regions.add(region)
            zones.add(zone)
            ips.add(ip)
            if done():
                break


def _walk_devices(rows: Rows, devs: Devs, walk: Tuple[range, range]
                  ) -> Iterator[dict]:
    """Every assignment along the walk: partition by partition, row order."""
    for walk_part in itertools.chain(*walk):
        for row in rows:
            if walk_part < len(row):
                yield devs[row[walk_part]]

"""The rebalance engine: decide which replicas move and where they go.

Works on a builder's table in place. Properties it keeps (and the tests
check): every partition gets ``replicas`` distinct devices; no failure
domain holds more replicas of a partition than the replica plan allows
when the weights permit; devices end near their weighted share; at most one
replica of a partition moves per ``min_part_hours`` window, except replicas
on removed devices, which always move.
"""
from __future__ import annotations

import random
from array import array
from collections import Counter, defaultdict
from typing import Dict, List, Optional, Sequence, Tuple

from swiftlike.common.ring.replica_plan import ReplicaPlan, Tier, tiers_for_dev

#: Rounds of "take from overweight devices, give to underweight ones".
MAX_BALANCE_ROUNDS = 3
Slot = Tuple[int, int]  # (partition, replica)


def desired_row_lengths(parts: int, replicas: float) -> List[int]:
    """Row lengths for a replica count: full rows, then a partial one."""
    whole, fraction = divmod(replicas, 1)
    lengths = [parts] * int(whole)
    if fraction:
        lengths.append(int(parts * fraction))
    return lengths


class Rebalance:
    """One rebalance pass over ``rows`` (replica -> partition -> dev id)."""

    def __init__(self, rows: List[array], devs: Sequence[Optional[dict]],
                 parts: int, replicas: float, plan: ReplicaPlan,
                 can_move: bytearray, none_dev: int,
                 rng: random.Random, typecode: str = 'H') -> None:
        self.rows = rows
        self.typecode = typecode
        self.devs = devs
        self.parts = parts
        self.replicas = replicas
        self.plan = plan
        self.none_dev = none_dev
        self.rng = rng
        # can_move[p]: min_part_hours allows it and it has not moved yet.
        self.can_move = can_move
        self.dev_tiers = {d['id']: tiers_for_dev(d)
                          for d in devs if d is not None}
        self.children = self._children()
        self.desired = {t: v * parts for t, v in plan.target.items()}
        self.assigned: Dict[Tier, int] = defaultdict(int)
        for row in rows:
            for dev_id in row:
                if dev_id != none_dev:
                    self._count(dev_id, 1)
        self.gathered: List[Slot] = []
        # Slots already moving in this rebalance: placing them again costs
        # no extra data movement, so balance rounds may take them too.
        self.in_flight: set = set()

    def _children(self) -> Dict[Tier, List[Tier]]:
        kids: Dict[Tier, set] = defaultdict(set)
        for tiers in self.dev_tiers.values():
            parent: Tier = ()
            for tier in tiers:
                kids[parent].add(tier)
                parent = tier
        return {p: sorted(k, key=repr) for p, k in kids.items()}

    def _count(self, dev_id: int, delta: int) -> None:
        self.assigned[()] += delta
        for tier in self.dev_tiers[dev_id]:
            self.assigned[tier] += delta

    def _wanting(self, tier: Tier) -> float:
        return self.desired.get(tier, 0.0) - self.assigned[tier]

    def _unassign(self, part: int, replica: int) -> None:
        self._count(self.rows[replica][part], -1)
        self.rows[replica][part] = self.none_dev
        self.gathered.append((part, replica))
        self.in_flight.add((part, replica))
        self.can_move[part] = 0

    # -- gathering -------------------------------------------------------
    def resize_rows(self) -> None:
        """Grow or shrink rows to the replica count; new slots are gathered.
        """
        lengths = desired_row_lengths(self.parts, self.replicas)
        while len(self.rows) > len(lengths):
            for dev_id in self.rows.pop():
                if dev_id != self.none_dev:
                    self._count(dev_id, -1)
        for replica, length in enumerate(lengths):
            if replica == len(self.rows):
                self.rows.append(array(self.typecode))
            row = self.rows[replica]
            while len(row) > length:
                dev_id = row.pop()
                if dev_id != self.none_dev:
                    self._count(dev_id, -1)
            if len(row) < length:
                row.extend([self.none_dev] * (length - len(row)))
        for replica, row in enumerate(self.rows):
            for part, dev_id in enumerate(row):
                if dev_id == self.none_dev:
                    self.gathered.append((part, replica))
                    self.in_flight.add((part, replica))
                    self.can_move[part] = 0

    def gather_removed(self, removed_ids: Sequence[int]) -> None:
        """Every replica on a removed device moves, min_part_hours or not."""
        removed = set(removed_ids)
        if not removed:
            return
        for replica, row in enumerate(self.rows):
            for part, dev_id in enumerate(row):
                if dev_id in removed:
                    self._unassign(part, replica)

    def _part_tier_counts(self, part: int, skip: Optional[int] = None
                          ) -> Counter:
        counts: Counter = Counter()
        for replica, row in enumerate(self.rows):
            if replica != skip and part < len(row) and \
                    row[part] != self.none_dev:
                counts.update(self.dev_tiers[row[part]])
        return counts

    def gather_undispersed(self) -> None:
        """Move one replica of each partition crowding a failure domain."""
        max_replicas = self.plan.max_replicas
        for part in range(self.parts):
            if not self.can_move[part]:
                continue
            counts = self._part_tier_counts(part)
            crowded = {t for t, n in counts.items()
                       if n > max_replicas.get(t, 0)}
            if not crowded:
                continue
            candidates = [
                (-self._wanting(self.dev_tiers[row[part]][-1]), replica)
                for replica, row in enumerate(self.rows)
                if part < len(row) and row[part] != self.none_dev and
                crowded.intersection(self.dev_tiers[row[part]])]
            if candidates:
                self._unassign(part, max(candidates)[1])

    def gather_overweight(self, start: int) -> int:
        """Take replicas from devices holding a whole part too many.

        A replica is only taken when some device still wanting parts could
        hold it without crowding a failure domain, so no move is wasted.
        """
        excess = {dev_id: int(-self._wanting(tiers[-1]))
                  for dev_id, tiers in self.dev_tiers.items()}
        takers = [tiers for tiers in self.dev_tiers.values()
                  if self._wanting(tiers[-1]) >= 1 and
                  self.plan.target.get(tiers[-1], 0) > 0]
        if not takers or not any(n >= 1 for n in excess.values()):
            return 0
        taken = 0
        for offset in range(self.parts):
            part = (start + offset) % self.parts
            for replica, row in enumerate(self.rows):
                if part >= len(row) or excess.get(row[part], 0) < 1:
                    continue
                if not self.can_move[part] and \
                        (part, replica) not in self.in_flight:
                    continue
                if self._someone_can_take(part, replica, takers):
                    excess[row[part]] -= 1
                    self._unassign(part, replica)
                    taken += 1
                    break
        return taken

    def _someone_can_take(self, part: int, replica: int,
                          takers: List[Tuple[Tier, ...]]) -> bool:
        counts = self._part_tier_counts(part, skip=replica)
        holders = {row[part] for row in self.rows if part < len(row)}
        max_replicas = self.plan.max_replicas
        return any(
            tiers[-1][3] not in holders and
            all(counts[t] < max_replicas.get(t, 0) for t in tiers)
            for tiers in takers)

    # -- placing ---------------------------------------------------------
    def place_gathered(self) -> None:
        slots, self.gathered = self.gathered, []
        self.rng.shuffle(slots)
        for part, replica in slots:
            self._place(part, replica)

    def _place(self, part: int, replica: int) -> None:
        """Put one replica on the most-wanting device the plan allows."""
        counts = self._part_tier_counts(part, skip=replica)
        holders = {row[part] for r, row in enumerate(self.rows)
                   if r != replica and part < len(row)}
        dev_tier = self._choose((), counts, holders)
        if dev_tier is None:
            return  # fewer usable devices than replicas: left unplaced
        self.rows[replica][part] = dev_tier[3]
        self._count(dev_tier[3], 1)

    def _choose(self, tier: Tier, counts: Counter, holders: set
                ) -> Optional[Tier]:
        """Depth first: children under their replica limit, most wanting
        first; children at their limit only if none of those has room."""
        if len(tier) == 4:
            usable = tier[3] not in holders and \
                self.plan.target.get(tier, 0) > 0
            return tier if usable else None
        kids = sorted(self.children.get(tier, ()), key=self._wanting,
                      reverse=True)
        max_replicas = self.plan.max_replicas
        under = [k for k in kids if counts[k] < max_replicas.get(k, 0)]
        at_limit = [k for k in kids if counts[k] >= max_replicas.get(k, 0)]
        for kid in under + at_limit:
            found = self._choose(kid, counts, holders)
            if found is not None:
                return found
        return None

    # -- driver ----------------------------------------------------------
    def run(self, removed_ids: Sequence[int], gather_start: int) -> None:
        self.resize_rows()
        self.gather_removed(removed_ids)
        self.gather_undispersed()
        self.place_gathered()
        for round_number in range(MAX_BALANCE_ROUNDS):
            start = (gather_start + round_number * self.parts //
                     MAX_BALANCE_ROUNDS) % self.parts
            if not self.gather_overweight(start):
                break
            self.place_gathered()


def dispersion_stats(rows: Sequence[array], devs: Sequence[Optional[dict]],
                     parts: int, replicas: float, plan: ReplicaPlan,
                     none_dev: int) -> Tuple[Dict[Tier, List[int]], float]:
    """Dispersion graph (tier -> parts per replica count) and dispersion %.

    Dispersion counts, per partition, the replicas beyond its worst tier's
    limit, as a percentage of all part-replicas.
    """
    dev_tiers = {d['id']: tiers_for_dev(d) for d in devs if d is not None}
    width = len(rows) + 1
    graph: Dict[Tier, List[int]] = {}
    over_total = 0
    for part in range(parts):
        counts: Counter = Counter()
        for row in rows:
            if part < len(row) and row[part] != none_dev:
                counts.update(dev_tiers[row[part]])
        worst = 0
        for tier, count in counts.items():
            graph.setdefault(tier, [0] * width)[count] += 1
            worst = max(worst, count - plan.max_replicas.get(tier, 0))
        over_total += worst
    for histogram in graph.values():
        histogram[0] = parts - sum(histogram[1:])
    total = parts * replicas
    return graph, (100.0 * over_total / total if total else 0.0)

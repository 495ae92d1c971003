"""How many replicas each failure domain should hold: pure math, no I/O.

Tiers are tuples: ``(region,)``, ``(region, zone)``, ``(region, zone, ip)``
and ``(region, zone, ip, dev_id)``; the root tier is ``()``. Quantities are
"replicanths": the number of replicas of an average partition a tier holds.

* *weighted*: proportional to device weight, no device above one replica;
* *wanted*: spread as evenly as possible over every level of the tree (the
  maximal dispersion), following weight only within that constraint;
* *target*: weighted moved toward wanted by at most ``overload``.
"""
from __future__ import annotations

import math
from collections import defaultdict
from typing import Dict, Iterable, List, Sequence, Tuple

Tier = Tuple
#: Float slack when turning replicanths into whole-replica limits.
EPSILON = 1e-9
_BISECT_ROUNDS = 100


def tiers_for_dev(dev: dict) -> Tuple[Tier, Tier, Tier, Tier]:
    region, zone, ip = dev['region'], dev['zone'], dev['ip']
    return ((region,), (region, zone), (region, zone, ip),
            (region, zone, ip, dev['id']))


def tier_tree(devs: Iterable[dict]) -> Dict[Tier, List[Tier]]:
    """Parent tier -> sorted child tiers, for the devices given."""
    children: Dict[Tier, set] = defaultdict(set)
    for dev in devs:
        parent: Tier = ()
        for tier in tiers_for_dev(dev):
            children[parent].add(tier)
            parent = tier
    return {parent: sorted(kids, key=repr) for parent, kids in
            children.items()}


def _sum_up(per_dev: Dict[Tier, float]) -> Dict[Tier, float]:
    """Add device values into every ancestor tier."""
    totals: Dict[Tier, float] = defaultdict(float)
    for dev_tier, value in per_dev.items():
        for depth in range(len(dev_tier) + 1):
            totals[dev_tier[:depth]] += value
    return dict(totals)


def weighted_replicanths(devs: Sequence[dict], replicas: float
                         ) -> Dict[Tier, float]:
    """Replicanths by weight, each device capped at one whole replica.

    A device heavier than one replica's worth is capped and the excess
    shared among the rest by weight, until nothing is left over.
    """
    weights = {tiers_for_dev(d)[-1]: float(d['weight'])
               for d in devs if d['weight'] > 0}
    share: Dict[Tier, float] = dict.fromkeys(weights, 0.0)
    remaining = float(replicas)
    open_tiers = set(weights)
    while remaining > EPSILON and open_tiers:
        total = sum(weights[t] for t in open_tiers)
        capped = set()
        for tier in open_tiers:
            share[tier] += remaining * weights[tier] / total
            if share[tier] >= 1 - EPSILON:
                capped.add(tier)
        remaining = replicas - sum(min(v, 1.0) for v in share.values())
        for tier in capped:
            share[tier] = 1.0
        open_tiers -= capped
        if not capped:
            break
    return _sum_up(share)


def _capacity(tree: Dict[Tier, List[Tier]], tier: Tier,
              weighted: Dict[Tier, float]) -> int:
    """How many whole replicas a tier can hold: its weighted devices."""
    kids = tree.get(tier)
    if not kids:
        return 1 if weighted.get(tier, 0) > 0 else 0
    return sum(_capacity(tree, kid, weighted) for kid in kids)


def _water_level(caps: Sequence[int], total: float) -> float:
    """Level L with sum(min(cap, L)) == total: the most even split."""
    low, high = 0.0, float(max(caps, default=0))
    for _ in range(_BISECT_ROUNDS):
        mid = (low + high) / 2
        if sum(min(c, mid) for c in caps) < total:
            low = mid
        else:
            high = mid
    return high


def _split_evenly(total: float, caps: Sequence[int],
                  prefs: Sequence[float]) -> List[float]:
    """Split ``total`` so each share lies within the even band, by prefs.

    The band is [floor(L), ceil(L)] of the water level (clipped to each
    capacity); inside it shares follow ``prefs`` (weighted replicanths).
    """
    level = _water_level(caps, total)
    lows = [min(c, math.floor(level + EPSILON)) for c in caps]
    highs = [min(c, math.ceil(level - EPSILON)) for c in caps]
    prefs = [p if p > 0 else EPSILON for p in prefs]

    def split(scale: float) -> List[float]:
        return [min(max(p * scale, lo), hi)
                for p, lo, hi in zip(prefs, lows, highs)]

    low, high = 0.0, 1.0
    while sum(split(high)) < total - EPSILON and high < 1e18:
        high *= 2
    for _ in range(_BISECT_ROUNDS):
        mid = (low + high) / 2
        if sum(split(mid)) < total:
            low = mid
        else:
            high = mid
    return split(high)


def wanted_replicanths(devs: Sequence[dict], replicas: float,
                       weighted: Dict[Tier, float]) -> Dict[Tier, float]:
    """Replicanths for maximal dispersion, top down through the tree."""
    live = [d for d in devs if d['weight'] > 0]
    tree = tier_tree(live)
    wanted: Dict[Tier, float] = {(): float(replicas)}
    pending = [()]
    while pending:
        parent = pending.pop()
        kids = tree.get(parent, [])
        if not kids:
            continue
        caps = [_capacity(tree, kid, weighted) for kid in kids]
        shares = _split_evenly(min(wanted[parent], sum(caps)), caps,
                               [weighted.get(kid, 0.0) for kid in kids])
        for kid, share in zip(kids, shares):
            wanted[kid] = share
            pending.append(kid)
    return wanted


def required_overload(weighted: Dict[Tier, float],
                      wanted: Dict[Tier, float]) -> float:
    """Smallest overload that lets every device reach its wanted share."""
    needed = 0.0
    for tier, want in wanted.items():
        if len(tier) != 4:
            continue
        have = weighted.get(tier, 0.0)
        if have > 0 and want > have:
            needed = max(needed, want / have - 1)
    return needed


class ReplicaPlan:
    """Per-tier targets and whole-replica limits for one rebalance."""

    def __init__(self, devs: Sequence[dict], replicas: float,
                 overload: float) -> None:
        live = [d for d in devs if d is not None]
        self.weighted = weighted_replicanths(live, replicas)
        self.wanted = wanted_replicanths(live, replicas, self.weighted)
        self.required_overload = required_overload(self.weighted,
                                                   self.wanted)
        if self.required_overload > 0:
            factor = min(overload, self.required_overload) / \
                self.required_overload
        else:
            factor = 0.0
        tiers = set(self.weighted) | set(self.wanted)
        self.target = {
            t: self.weighted.get(t, 0.0) + factor *
            (self.wanted.get(t, 0.0) - self.weighted.get(t, 0.0))
            for t in tiers}
        self.max_replicas = {t: int(math.ceil(v - EPSILON)) if v > EPSILON
                             else 0 for t, v in self.target.items()}

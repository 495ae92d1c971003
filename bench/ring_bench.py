#!/usr/bin/env python3
"""Ring benchmarks: rebalance time and get_nodes lookups per second.

    python bench/ring_bench.py [--part-power 16] [--devices 60] [--zones 5]

Prints one line per figure. Numbers are for comparison between versions on
the same machine, never asserted by tests.
"""
import argparse
import os
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(
    __file__))))

from swiftlike.common import hashing  # noqa: E402
from swiftlike.common.ring import Ring, RingBuilder  # noqa: E402


def build(part_power: int, replicas: float, devices: int, zones: int,
          seed: int) -> RingBuilder:
    builder = RingBuilder(part_power, replicas, 1)
    for dev_id in range(devices):
        zone = dev_id % zones + 1
        builder.add_dev({
            'region': 1, 'zone': zone,
            'ip': '10.0.%d.%d' % (zone, dev_id // zones + 1),
            'port': 6200, 'device': 'sdb%d' % dev_id,
            'weight': 100.0 + 50 * (dev_id % 3)})
    return builder


def bench_rebalance(args) -> RingBuilder:
    builder = build(args.part_power, args.replicas, args.devices, args.zones,
                    args.seed)
    start = time.perf_counter()
    builder.rebalance(seed=args.seed)
    elapsed = time.perf_counter() - start
    print('rebalance: part power %d, %g replicas, %d devices in %d zones: '
          '%.2f s (balance %.2f, dispersion %.2f)' % (
              args.part_power, args.replicas, args.devices, args.zones,
              elapsed, builder.get_balance(), builder.dispersion))
    builder.pretend_min_part_hours_passed()
    builder.set_dev_weight(0, 400.0)
    start = time.perf_counter()
    changed, balance, _ = builder.rebalance(seed=args.seed + 1)
    print('rebalance after one weight change: %.2f s, %d partitions moved '
          '(balance %.2f)' % (time.perf_counter() - start, changed, balance))
    return builder


def bench_lookups(builder: RingBuilder, lookups: int) -> None:
    hashing.set_hash_affixes('', 'benchsuffix')
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, 'object.ring.gz')
        builder.get_ring().save(path)
        ring = Ring(path)
        names = ['obj-%d' % n for n in range(lookups)]
        start = time.perf_counter()
        for name in names:
            ring.get_nodes('AUTH_bench', 'container', name)
        elapsed = time.perf_counter() - start
        print('get_nodes: %d lookups in %.2f s: %.0f lookups/s' % (
            lookups, elapsed, lookups / elapsed))
        start = time.perf_counter()
        for part in range(lookups // 10):
            for _ in zip(range(3), ring.get_more_nodes(part)):
                pass
        elapsed = time.perf_counter() - start
        print('get_more_nodes (first 3 handoffs): %.0f partitions/s' % (
            lookups // 10 / elapsed))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--part-power', type=int, default=16)
    parser.add_argument('--replicas', type=float, default=3)
    parser.add_argument('--devices', type=int, default=60)
    parser.add_argument('--zones', type=int, default=5)
    parser.add_argument('--lookups', type=int, default=200000)
    parser.add_argument('--seed', type=int, default=1)
    args = parser.parse_args()
    builder = bench_rebalance(args)
    bench_lookups(builder, args.lookups)


if __name__ == '__main__':
    main()

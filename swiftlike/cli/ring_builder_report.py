"""Text the ring builder CLI prints: summary, device table, dispersion.

Pure formatting of builder state, kept apart from the command logic so the
layout (Swift's, column for column) is tested on its own.
"""
from __future__ import annotations

import datetime
from typing import Dict, Iterable, List, Optional

from swiftlike.common.ring.builder import RingBuilder
from swiftlike.common.ring.devspec import format_ip

DEVICE_HEADER = ('id', 'region', 'zone', 'ip address:port',
                 'replication ip:port', 'name', 'weight', 'partitions',
                 'balance', 'flags', 'meta')
DISPERSION_RULE = '-' * 74


def _sort_key(dev: dict) -> tuple:
    return dev['region'], dev['zone'], dev['ip'], dev['device']


def device_table(builder: RingBuilder, devs: Iterable[dict]) -> List[str]:
    """``Devices:`` header and one right-aligned row per device."""
    devs = sorted(devs, key=_sort_key)
    balances = builder.dev_balances()
    removing = {dev['id'] for dev in builder._remove_devs}
    addrs = ['%s:%s' % (format_ip(d['ip']), d['port']) for d in devs]
    raddrs = ['%s:%s' % (format_ip(d['replication_ip']),
                         d['replication_port']) for d in devs]
    ip_width = max([len(DEVICE_HEADER[3])] + [len(a) for a in addrs])
    rip_width = max([len(DEVICE_HEADER[4])] + [len(a) for a in raddrs])
    lines = ['Devices:%5s %6s %4s %*s %*s %5s %6s %10s %7s %5s %s' % (
        DEVICE_HEADER[0], DEVICE_HEADER[1], DEVICE_HEADER[2], ip_width,
        DEVICE_HEADER[3], rip_width, DEVICE_HEADER[4], *DEVICE_HEADER[5:])]
    for dev, addr, raddr in zip(devs, addrs, raddrs):
        lines.append('%13d %6d %4d %*s %*s %5s %6.02f %10s %7.02f %5s %s' % (
            dev['id'], dev['region'], dev['zone'], ip_width, addr,
            rip_width, raddr, dev['device'], dev['weight'], dev['parts'],
            balances.get(dev['id'], 0.0),
            'DEL' if dev['id'] in removing else '', dev.get('meta', '')))
    return lines


def ring_file_status(status: str, ring_name: str) -> str:
    return 'Ring file %s %s' % (ring_name, status)


def summary(builder: RingBuilder, builder_name: str,
            ring_status: str) -> List[str]:
    """The default output of ``swiftlike-ring-builder <builder>``."""
    devs = [d for d in builder.devs if d is not None]
    regions = len({d['region'] for d in devs})
    zones = len({(d['region'], d['zone']) for d in devs})
    lines = [
        '%s, build version %d, id %s' % (
            builder_name, builder.version, builder.id or '(not assigned)'),
        '%d partitions, %.6f replicas, %d regions, %d zones, %d devices, '
        '%d-byte IDs, %.02f balance, %.02f dispersion' % (
            builder.parts, builder.replicas, regions, zones, len(devs),
            builder.dev_id_bytes, builder.get_balance(),
            builder.dispersion),
        'The minimum number of hours before a partition can be reassigned '
        'is %s (%s remaining)' % (
            builder.min_part_hours,
            datetime.timedelta(seconds=builder.min_part_seconds_left())),
        'The overload factor is %0.2f%% (%.6f)' % (
            builder.overload * 100, builder.overload),
        ring_status,
    ]
    if devs:
        lines.extend(device_table(builder, devs))
    return lines


def _tier_name(tier: tuple, devs: Dict[int, dict]) -> str:
    names = ['r%s' % tier[0]]
    if len(tier) > 1:
        names.append('z%s' % tier[1])
    if len(tier) > 2:
        names.append('-%s' % format_ip(tier[2]))
    if len(tier) > 3:
        names.append('/%s' % devs[tier[3]]['device'])
    return ''.join(names)


def dispersion_report(builder: RingBuilder, tier_filter: Optional[str],
                      verbose: bool) -> List[str]:
    """Swift-style dispersion report: per tier, parts by replica count."""
    graph, dispersion = builder._dispersion_graph, builder.dispersion
    plan = builder.replica_plan()
    devs = {d['id']: d for d in builder.devs if d is not None}
    replicas = int(-(-builder.replicas // 1))
    lines = [
        'Dispersion is %.06f, Balance is %.06f, Overload is %0.2f%%' % (
            dispersion, builder.get_balance(), builder.overload * 100),
        'Required overload is %.6f%%' % (
            plan.required_overload * 100),
    ]
    if plan.required_overload > builder.overload:
        lines.append('Worst tier is %s' % _worst_tier(graph, plan, devs))
    header = '%-28s %6s %6s %6s' % ('Tier', 'Parts', '%', 'Max') + \
        ''.join(' %5d' % n for n in range(replicas + 1))
    lines += [DISPERSION_RULE, header, DISPERSION_RULE]
    for tier in sorted(graph, key=repr):
        name = _tier_name(tier, devs)
        if tier_filter and tier_filter not in name:
            continue
        histogram = graph[tier]
        limit = plan.max_replicas.get(tier, 0)
        placed = sum(n * count for n, count in enumerate(histogram))
        at_risk = sum(histogram[limit + 1:])
        if not verbose and len(tier) > 3 and not at_risk:
            continue
        lines.append('%-28s %6d %6.02f %6d' % (
            name, placed, 100.0 * at_risk / builder.parts, limit) +
            ''.join(' %5d' % c for c in histogram))
    return lines


def _worst_tier(graph, plan, devs) -> str:
    worst, worst_tier = -1, None
    for tier, histogram in graph.items():
        at_risk = sum(histogram[plan.max_replicas.get(tier, 0) + 1:])
        if at_risk > worst:
            worst, worst_tier = at_risk, tier
    return _tier_name(worst_tier, devs) if worst_tier else '(none)'

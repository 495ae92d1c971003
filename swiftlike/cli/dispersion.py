"""swiftlike-dispersion-populate / swiftlike-dispersion-report: how many
replicas are where they should be (Swift's swift-dispersion-* tools).

``populate`` creates containers ``dispersion_<n>`` and objects in
``dispersion_objects`` through the API, one per partition, until
``dispersion_coverage`` percent of each ring's partitions hold one;
``report`` then asks every primary node directly whether it has its copy.
Settings come from ``/etc/swift/dispersion.conf`` (see
``etc/dispersion.conf-sample``); ``--policy-name`` picks the storage
policy whose object ring is measured.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections import Counter
from typing import Dict, List, Optional, Tuple

from swiftlike.cli.client_http import ClientError, Connection, in_threads
from swiftlike.common.backend_http import BackendError
from swiftlike.common.config import config_true_value, readconf
from swiftlike.common.direct_client import direct_request
from swiftlike.common.exceptions import ConfigError, SwiftlikeError
from swiftlike.common.ring import Ring
from swiftlike.common.storage_policy import (
    StoragePolicy,
    load_storage_policies,
)

CONTAINER_PREFIX = 'dispersion_'
OBJECT_CONTAINER = 'dispersion_objects'
#: HEADs (report) or PUTs (populate) in flight at once
DEFAULT_CONCURRENCY = 25


def load_conf(path: str) -> Dict[str, str]:
    conf = readconf(path, 'dispersion')
    for key in ('auth_url', 'auth_user', 'auth_key'):
        if not conf.get(key):
            raise ConfigError('%s: [dispersion] needs %s' % (path, key))
    return conf


def names_covering(ring: Ring, account: str, wanted: int,
                   container: Optional[str] = None) -> List[str]:
    """Names landing in ``wanted`` different partitions (pure)."""
    names, seen, i = [], set(), 0
    while len(seen) < wanted and i < wanted * 1000:
        name = '%s%d' % (CONTAINER_PREFIX, i) if container is None \
            else str(i)
        part = ring.get_part(account, *(
            (name,) if container is None else (container, name)))
        if part not in seen:
            seen.add(part)
            names.append(name)
        i += 1
    return names


def wanted_count(ring: Ring, coverage: float) -> int:
    return max(1, int(ring.partition_count * coverage / 100.0))


def _each(conf: Dict[str, str], work, items) -> list:
    """``work(item)`` for every item, ``concurrency`` at a time."""
    return in_threads(work, items, int(conf.get('concurrency',
                                                DEFAULT_CONCURRENCY)))


def _connect(conf: Dict[str, str]) -> Tuple[Connection, str]:
    if conf.get('auth_version', '1.0') not in ('1', '1.0'):
        raise ConfigError('only auth_version 1.0 is spoken')
    conn = Connection(conf['auth_url'], conf['auth_user'], conf['auth_key'])
    url, _ = conn.authenticate()
    return conn, url.rstrip('/').rsplit('/', 1)[1]


def _policy(swift_dir: str, name: Optional[str]) -> StoragePolicy:
    policies = load_storage_policies(os.path.join(swift_dir, 'swift.conf'))
    policy = policies.get_by_name(name) if name else policies.default
    if policy is None:
        raise ConfigError('No policy named %r' % name)
    return policy


def object_container(policy: StoragePolicy) -> str:
    """Each policy's objects in their own container."""
    return OBJECT_CONTAINER if policy.idx == 0 else \
        '%s_%d' % (OBJECT_CONTAINER, policy.idx)


def populate(conf: Dict[str, str], policy_name: Optional[str]) -> int:
    conn, account = _connect(conf)
    swift_dir = conf.get('swift_dir', '/etc/swift')
    policy = _policy(swift_dir, policy_name)
    coverage = float(conf.get('dispersion_coverage', 1.0))
    print('Using storage policy: %s' % policy.name)
    began = time.time()
    if config_true_value(conf.get('container_populate', 'yes')):
        ring = Ring(swift_dir, ring_name='container')
        names = names_covering(ring, account, wanted_count(ring, coverage))
        _each(conf, lambda name: conn.request('PUT', name), names)
        print('Created %d containers for dispersion reporting, %ds' % (
            len(names), time.time() - began))
    if config_true_value(conf.get('object_populate', 'yes')):
        container = object_container(policy)
        conn.request('PUT', container,
                     headers={'X-Storage-Policy': policy.name})
        ring = Ring(swift_dir, ring_name=policy.ring_name)
        names = names_covering(ring, account, wanted_count(ring, coverage),
                               container)
        _each(conf, lambda name: conn.request(
            'PUT', container, name, data=name.encode()), names)
        print('Created %d objects for dispersion reporting, %ds' % (
            len(names), time.time() - began))
    return 0


def copies_found(ring: Ring, path_parts: Tuple[str, ...],
                 policy_index: int = 0) -> Tuple[int, int]:
    """(copies found, copies expected) by HEADs to every primary."""
    part, nodes = ring.get_nodes(*path_parts)
    found = 0
    for node in nodes:
        try:
            status, _, _ = direct_request(node, part, 'HEAD', '/' + '/'.join(
                path_parts), {'X-Backend-Storage-Policy-Index':
                              str(policy_index)})
        except BackendError:
            continue
        found += 200 <= status < 300
    return found, len(nodes)


def summary(kind: str, counts: List[Tuple[int, int]], seconds: float,
            partitions: int) -> Tuple[Dict, List[str]]:
    """What ``report`` says of one kind: ``counts`` are (found, expected)
    per container or object queried (pure)."""
    found = sum(f for f, _ in counts)
    expected = sum(e for _, e in counts)
    missing = Counter(e - f for f, e in counts)
    pct = 100.0 * found / expected if expected else 0.0
    lines = ['Queried %d %ss for dispersion reporting, %ds, 0 retries'
             % (len(counts), kind, seconds)]
    lines += ['There were %d partition%s missing %d cop%s.' % (
        n, '' if n == 1 else 's', copies, 'y' if copies == 1 else 'ies')
        for copies, n in sorted(missing.items())]
    lines += ['%.2f%% of %s copies found (%d of %d)' % (pct, kind, found,
                                                       expected),
              'Sample represents %.2f%% of the %s partition space' % (
                  100.0 * len(counts) / partitions, kind)]
    result = {'retries': 0, 'copies_found': found,
              'copies_expected': expected, 'pct_found': pct,
              'missing_partitions': sum(n for c, n in missing.items() if c),
              'missing_copies': {str(c): n for c, n in missing.items() if c}}
    return result, lines


def _report_kind(conf: Dict[str, str], conn: Connection, account: str,
                 swift_dir: str, policy: StoragePolicy, kind: str
                 ) -> Tuple[Dict, List[str]]:
    began = time.time()
    if kind == 'container':
        ring = Ring(swift_dir, ring_name='container')
        targets = [(account, r['name']) for r in conn.listing(
            prefix=CONTAINER_PREFIX) if 'name' in r and
            not r['name'].startswith(OBJECT_CONTAINER)]
        index = 0
    else:
        ring = Ring(swift_dir, ring_name=policy.ring_name)
        container = object_container(policy)
        targets = [(account, container, r['name'])
                   for r in conn.listing(container) if 'name' in r]
        index = policy.idx
    counts = _each(conf, lambda target: copies_found(ring, target, index),
                   targets)
    return summary(kind, counts, time.time() - began, ring.partition_count)


def report(conf: Dict[str, str], as_json: bool,
           policy_name: Optional[str]) -> int:
    conn, account = _connect(conf)
    swift_dir = conf.get('swift_dir', '/etc/swift')
    policy = _policy(swift_dir, policy_name)
    results: Dict[str, Dict] = {}
    lines = ['Using storage policy: %s' % policy.name]
    for kind in ('container', 'object'):
        if config_true_value(conf.get('%s_report' % kind, 'yes')):
            results[kind], kind_lines = _report_kind(
                conf, conn, account, swift_dir, policy, kind)
            lines += kind_lines
    as_json = as_json or config_true_value(conf.get('dump_json', 'no'))
    print(json.dumps(results) if as_json else '\n'.join(lines))
    return 0 if all(r['copies_found'] == r['copies_expected']
                    for r in results.values()) else 1


def main(action: str, argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(
        prog='swiftlike-dispersion-%s' % action,
        description=__doc__.splitlines()[0])
    parser.add_argument('conf', nargs='?',
                        default='/etc/swift/dispersion.conf')
    parser.add_argument('--policy-name', '-P',
                        help='the storage policy to populate or report '
                             '(default: the default policy)')
    if action == 'report':
        parser.add_argument('--json', '-j', action='store_true',
                            help='one JSON document (or dump_json = yes)')
    args = parser.parse_args(argv)
    try:
        conf = load_conf(args.conf)
        if action == 'populate':
            return populate(conf, args.policy_name)
        return report(conf, args.json, args.policy_name)
    except (ClientError, SwiftlikeError, OSError) as err:
        print('Error: %s' % err, file=sys.stderr)
        return 1


def populate_main(argv: Optional[List[str]] = None) -> int:
    return main('populate', argv)


def report_main(argv: Optional[List[str]] = None) -> int:
    return main('report', argv)

"""swiftlike-dispersion-populate / swiftlike-dispersion-report: how many
replicas are where they should be (Swift's swift-dispersion-* tools).

``populate`` creates containers ``dispersion_<n>`` and objects in
``dispersion_objects`` through the API, one per partition, until
``dispersion_coverage`` percent of each ring's partitions hold one;
``report`` then asks every primary node directly whether it has its copy.
Settings come from ``/etc/swift/dispersion.conf`` (``[dispersion]``:
``auth_url``, ``auth_user``, ``auth_key``, ``swift_dir``,
``dispersion_coverage``).
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from typing import Dict, List, Optional, Tuple

from swiftlike.cli.client_http import ClientError, Connection
from swiftlike.common.backend_http import BackendError
from swiftlike.common.config import readconf
from swiftlike.common.direct_client import direct_request
from swiftlike.common.exceptions import ConfigError, SwiftlikeError
from swiftlike.common.ring import Ring

CONTAINER_PREFIX = 'dispersion_'
OBJECT_CONTAINER = 'dispersion_objects'


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


def populate(conf: Dict[str, str]) -> int:
    conn = Connection(conf['auth_url'], conf['auth_user'], conf['auth_key'])
    url, _ = conn.authenticate()
    account = url.rstrip('/').rsplit('/', 1)[1]
    swift_dir = conf.get('swift_dir', '/etc/swift')
    coverage = float(conf.get('dispersion_coverage', 1.0))
    began = time.time()
    container_ring = Ring(swift_dir, ring_name='container')
    names = names_covering(container_ring, account,
                           wanted_count(container_ring, coverage))
    for name in names:
        conn.request('PUT', name)
    print('Created %d containers for dispersion reporting, %ds' % (
        len(names), time.time() - began))
    object_ring = Ring(swift_dir, ring_name='object')
    conn.request('PUT', OBJECT_CONTAINER)
    objects = names_covering(object_ring, account,
                             wanted_count(object_ring, coverage),
                             OBJECT_CONTAINER)
    for name in objects:
        conn.request('PUT', OBJECT_CONTAINER, name, data=name.encode())
    print('Created %d objects for dispersion reporting, %ds' % (
        len(objects), time.time() - began))
    return 0


def copies_found(ring: Ring, path_parts: Tuple[str, ...]
                 ) -> Tuple[int, int]:
    """(copies found, copies expected) by HEADs to every primary."""
    part, nodes = ring.get_nodes(*path_parts)
    found = 0
    for node in nodes:
        try:
            status, _, _ = direct_request(node, part, 'HEAD', '/' + '/'.join(
                path_parts), {'X-Backend-Storage-Policy-Index': '0'})
        except BackendError:
            continue
        found += 200 <= status < 300
    return found, len(nodes)


def report(conf: Dict[str, str], as_json: bool) -> int:
    conn = Connection(conf['auth_url'], conf['auth_user'], conf['auth_key'])
    url, _ = conn.authenticate()
    account = url.rstrip('/').rsplit('/', 1)[1]
    swift_dir = conf.get('swift_dir', '/etc/swift')
    results: Dict[str, Dict] = {}
    lines = []
    for kind, ring_name in (('container', 'container'),
                            ('object', 'object')):
        ring = Ring(swift_dir, ring_name=ring_name)
        began = time.time()
        if kind == 'container':
            targets = [(account, r['name']) for r in conn.listing(
                prefix=CONTAINER_PREFIX) if r['name'] != OBJECT_CONTAINER]
        else:
            targets = [(account, OBJECT_CONTAINER, r['name'])
                       for r in conn.listing(OBJECT_CONTAINER)]
        found = expected = missing_parts = 0
        for target in targets:
            got, want = copies_found(ring, target)
            found += got
            expected += want
            missing_parts += got < want
        pct = 100.0 * found / expected if expected else 0.0
        results[kind] = {'retries': 0, 'copies_found': found,
                         'copies_expected': expected, 'pct_found': pct,
                         'missing_partitions': missing_parts}
        lines += ['Queried %d %ss for dispersion reporting, %ds, 0 retries'
                  % (len(targets), kind, time.time() - began),
                  'There were %d partitions missing copies.'
                  % missing_parts,
                  '%.2f%% of %s copies found (%d of %d)' % (
                      pct, kind, found, expected),
                  'Sample represents %.2f%% of the %s partition space' % (
                      100.0 * len(targets) / ring.partition_count, kind)]
    print(json.dumps(results) if as_json else '\n'.join(lines))
    return 0 if all(r['copies_found'] == r['copies_expected']
                    for r in results.values()) else 1


def main(action: str, argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(
        prog='swiftlike-dispersion-%s' % action,
        description=__doc__.splitlines()[0])
    parser.add_argument('conf', nargs='?',
                        default='/etc/swift/dispersion.conf')
    if action == 'report':
        parser.add_argument('--json', '-j', action='store_true')
    args = parser.parse_args(argv)
    try:
        conf = load_conf(args.conf)
        if action == 'populate':
            return populate(conf)
        return report(conf, args.json)
    except (ClientError, SwiftlikeError, OSError) as err:
        print('Error: %s' % err, file=sys.stderr)
        return 1


def populate_main(argv: Optional[List[str]] = None) -> int:
    return main('populate', argv)


def report_main(argv: Optional[List[str]] = None) -> int:
    return main('report', argv)

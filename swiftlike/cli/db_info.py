"""swiftlike-account-info / swiftlike-container-info DB_FILE: what an
account or container database holds, and where it lives in the ring
(Swift's swift-account-info / swift-container-info)."""
from __future__ import annotations

import argparse
import os
import sys
from typing import List, Optional

from swiftlike.account.backend import AccountBroker
from swiftlike.cli.locations import location_lines
from swiftlike.common.config import prefer_swift_conf_in
from swiftlike.common.exceptions import (
    ConfigError,
    DatabaseError,
    RingLoadError,
)
from swiftlike.common.hashing import hash_path
from swiftlike.common.ring import Ring
from swiftlike.common.storage_policy import load_storage_policies
from swiftlike.common.timestamps import Timestamp
from swiftlike.container.backend import ContainerBroker

TIMESTAMPS = (('Created at', 'created_at'), ('Put Timestamp', 'put_timestamp'),
              ('Delete Timestamp', 'delete_timestamp'),
              ('Status Timestamp', 'status_changed_at'))


def _stamp(value) -> str:
    stamp = Timestamp(value or 0)
    return '%s (%s)' % (stamp.isoformat, stamp.internal)


def describe(kind: str, db_file: str, swift_dir: str) -> List[str]:
    broker = (AccountBroker if kind == 'account' else
              ContainerBroker)(db_file, stale_reads_ok=True)
    info = broker.get_info()
    metadata = broker.metadata
    account = info['account']
    container = info.get('container')
    path = '/%s' % account + ('/%s' % container if container else '')
    lines = ['Path: %s' % path, '  Account: %s' % account]
    if container:
        lines += ['  Container: %s' % container,
                  '  Container Hash: %s' % hash_path(account, container)]
    else:
        lines.append('  Account Hash: %s' % hash_path(account))
    lines.append('Metadata:')
    for label, key in TIMESTAMPS:
        if key in info:
            lines.append('  %s: %s' % (label, _stamp(info[key])))
    if kind == 'container':
        lines += ['  Object Count: %s' % info['object_count'],
                  '  Bytes Used: %s' % info['bytes_used']]
        try:
            policy = load_storage_policies().get_by_index(
                info['storage_policy_index'])
            name = policy.name if policy else '?'
        except ConfigError:
            name = '?'
        lines.append('  Storage Policy: %s (%s)' % (
            name, info['storage_policy_index']))
        for key in ('reported_put_timestamp', 'reported_delete_timestamp'):
            lines.append('  %s: %s' % (key.replace('_', ' ').title(),
                                       _stamp(info[key])))
        lines += ['  Reported Object Count: %s'
                  % info['reported_object_count'],
                  '  Reported Bytes Used: %s' % info['reported_bytes_used']]
    else:
        lines += ['  Container Count: %s' % info['container_count'],
                  '  Object Count: %s' % info['object_count'],
                  '  Bytes Used: %s' % info['bytes_used']]
    lines += ['  Chexor: %s' % info.get('hash'), '  UUID: %s' % info['id']]
    prefix = 'X-%s-' % kind.title()
    user = {k: v for k, v in metadata.items()
            if k.lower().startswith(prefix.lower() + 'meta-')}
    system = {k: v for k, v in metadata.items()
              if k.lower().startswith(prefix.lower() + 'sysmeta-')}
    for title, group in (('System Metadata', system),
                         ('User Metadata', user)):
        lines.append('%s:' % title)
        lines += ['  %s: %s' % (k, v[0]) for k, v in sorted(group.items())
                  if v[0] != ''] or ['  No metadata found']
    try:
        ring = Ring(swift_dir, ring_name=kind)
    except (RingLoadError, ConfigError) as err:
        return lines + ['', 'No %s ring: %s' % (kind, err)]
    return lines + [''] + location_lines(ring, account, container)


def run(kind: str, argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(
        prog='swiftlike-%s-info' % kind,
        description='Show what a %s database holds and where it lives.'
                    % kind)
    parser.add_argument('db_file', help='a %s .db file' % kind)
    parser.add_argument('--swift-dir', default='/etc/swift',
                        help='where the rings are (default /etc/swift)')
    args = parser.parse_args(argv)
    if not os.path.isfile(args.db_file):
        print('Error: %s is not a file' % args.db_file, file=sys.stderr)
        return 1
    prefer_swift_conf_in(args.swift_dir)
    try:
        lines = describe(kind, args.db_file, args.swift_dir)
    except (DatabaseError, OSError, KeyError) as err:
        print('Error: %s is not a readable %s database: %s'
              % (args.db_file, kind, err), file=sys.stderr)
        return 1
    print('\n'.join(lines))
    return 0


def account_info(argv: Optional[List[str]] = None) -> int:
    return run('account', argv)


def container_info(argv: Optional[List[str]] = None) -> int:
    return run('container', argv)

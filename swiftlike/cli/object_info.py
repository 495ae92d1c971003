"""swiftlike-object-info FILE: what a .data/.ts/.meta file holds, and where
its object lives in the ring (Swift's swift-object-info)."""
from __future__ import annotations

import argparse
import os
import re
import sys
from typing import Dict, List, Optional

from swiftlike.cli.locations import location_lines
from swiftlike.common.config import prefer_swift_conf_in
from swiftlike.common.exceptions import (
    ConfigError,
    RingLoadError,
)
from swiftlike.common.fs import file_md5
from swiftlike.common.hashing import hash_path
from swiftlike.common.headers import (
    is_object_transient_sysmeta,
    is_sys_meta,
    is_user_meta,
)
from swiftlike.common.ring import Ring
from swiftlike.common.storage_policy import get_policy_string
from swiftlike.obj.diskfile import read_metadata
from swiftlike.obj.metadata import MetadataError
from swiftlike.obj.ondisk import parse_filename

_POLICY_DIR_RE = re.compile(r'/objects(?:-(\d+))?/\d+/[0-9a-f]{3}/')


def policy_from_path(path: str) -> int:
    match = _POLICY_DIR_RE.search(os.path.abspath(path))
    return int(match.group(1)) if match and match.group(1) else 0


def metadata_sections(metadata: Dict[str, str]) -> List[str]:
    """Metadata grouped as Swift prints it."""
    groups = {'System Metadata': [], 'Transient System Metadata': [],
              'User Metadata': [], 'Other Metadata': []}
    skip = {'name', 'Content-Type', 'X-Timestamp', 'ETag',
            'Content-Length'}
    for key in sorted(metadata):
        if key in skip:
            continue
        if is_sys_meta('object', key):
            group = 'System Metadata'
        elif is_object_transient_sysmeta(key):
            group = 'Transient System Metadata'
        elif is_user_meta('object', key):
            group = 'User Metadata'
        else:
            group = 'Other Metadata'
        groups[group].append('  %s: %s' % (key, metadata[key]))
    lines = []
    for title, entries in groups.items():
        lines.append('%s:' % title)
        lines.extend(entries or ['  No metadata found'])
    return lines


def _etag_line(path: str, metadata: Dict[str, str], check: bool) -> str:
    etag = metadata.get('ETag')
    if etag is None:
        return 'ETag: Not found in metadata'
    if not check or not path.endswith('.data'):
        return 'ETag: %s (not checked)' % etag
    actual = file_md5(path)
    state = 'valid' if actual == etag else 'invalid: file holds %s' % actual
    return 'ETag: %s (%s)' % (etag, state)


def _length_line(path: str, metadata: Dict[str, str]) -> str:
    length = metadata.get('Content-Length')
    if length is None:
        return 'Content-Length: Not found in metadata'
    size = os.path.getsize(path)
    state = 'valid' if str(size) == str(length) else \
        'invalid: file is %d bytes' % size
    return 'Content-Length: %s (%s)' % (length, state)


def describe(path: str, swift_dir: str, check_etag: bool = True
             ) -> List[str]:
    info = parse_filename(os.path.basename(path))
    fd = os.open(path, os.O_RDONLY)
    try:
        metadata = read_metadata(fd)
    finally:
        os.close(fd)
    name = metadata.get('name', '')
    _, account, container, obj = (name.split('/', 3) + ['', '', ''])[:4]
    lines = ['Path: %s' % name, '  Account: %s' % account,
             '  Container: %s' % container, '  Object: %s' % obj]
    if account and container and obj:
        lines.append('  Object hash: %s' % hash_path(account, container, obj))
    lines.append('Content-Type: %s' % metadata.get('Content-Type',
                                                    'Not found in metadata'))
    if info is not None:
        lines.append('Timestamp: %s (%s)' % (info.timestamp.isoformat,
                                             info.timestamp.internal))
    lines.extend(metadata_sections(metadata))
    if path.endswith('.data'):
        lines.append(_etag_line(path, metadata, check_etag))
        lines.append(_length_line(path, metadata))
    policy = policy_from_path(path)
    try:
        ring = Ring(swift_dir, ring_name=get_policy_string('object', policy))
    except (RingLoadError, ConfigError) as err:
        lines.append('')
        lines.append('No ring for policy %d: %s' % (policy, err))
        return lines
    if account and container and obj:
        lines.append('')
        lines.extend(location_lines(ring, account, container, obj, policy))
    return lines


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(
        prog='swiftlike-object-info',
        description='Show the metadata of an object file and where its '
                    'object lives in the ring.')
    parser.add_argument('file', help='a .data, .ts or .meta file')
    parser.add_argument('--swift-dir', default='/etc/swift',
                        help='where the rings are (default /etc/swift)')
    parser.add_argument('-n', '--no-check-etag', action='store_true',
                        help="don't read the file to verify its ETag")
    args = parser.parse_args(argv)
    if not os.path.isfile(args.file):
        print('Error: %s is not a file' % args.file, file=sys.stderr)
        return 1
    prefer_swift_conf_in(args.swift_dir)
    try:
        lines = describe(args.file, args.swift_dir, not args.no_check_etag)
    except (OSError, MetadataError) as err:
        print('Error: %s has no readable object metadata: %s'
              % (args.file, err), file=sys.stderr)
        return 1
    print('\n'.join(lines))
    return 0

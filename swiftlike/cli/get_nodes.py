"""swiftlike-get-nodes RING ACCOUNT [CONTAINER [OBJECT]]: where a name
lives (Swift's swift-get-nodes)."""
from __future__ import annotations

import argparse
import os
import sys
from typing import List, Optional

from swiftlike.cli.locations import location_lines
from swiftlike.common.config import prefer_swift_conf_in
from swiftlike.common.exceptions import ConfigError, RingLoadError
from swiftlike.common.ring import Ring


def policy_of_ring(path: str) -> int:
    """``object-2.ring.gz`` -> 2."""
    name = os.path.basename(path).split('.')[0]
    suffix = name.partition('-')[2]
    return int(suffix) if suffix.isdigit() else 0


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(
        prog='swiftlike-get-nodes',
        description='Show the partition, nodes and handoffs of an account, '
                    'container or object.')
    parser.add_argument('ring', help='a ring file, e.g. '
                        '/etc/swift/object.ring.gz')
    parser.add_argument('account')
    parser.add_argument('container', nargs='?')
    parser.add_argument('object', nargs='?')
    parser.add_argument('-a', '--all', action='store_true',
                        help='show every handoff, not just two')
    args = parser.parse_args(argv)
    kind = os.path.basename(args.ring).split('.')[0].split('-')[0]
    wanted = {'account': 1, 'container': 2, 'object': 3}.get(kind)
    given = 1 + bool(args.container) + bool(args.object)
    if wanted is not None and given != wanted:
        print('Error: a %s ring needs %d name%s (account%s)' % (
            kind, wanted, 's' if wanted > 1 else '',
            {1: '', 2: ', container', 3: ', container, object'}[wanted]),
            file=sys.stderr)
        return 1
    prefer_swift_conf_in(os.path.dirname(os.path.abspath(args.ring)))
    try:
        ring = Ring(os.path.dirname(os.path.abspath(args.ring)),
                    ring_name=os.path.basename(args.ring).split('.')[0])
    except (RingLoadError, ConfigError, OSError) as err:
        print('Error: %s' % err, file=sys.stderr)
        return 1
    print('\nAccount  \t%s' % args.account)
    print('Container\t%s' % (args.container or 'None'))
    print('Object   \t%s\n\n' % (args.object or 'None'))
    print('\n'.join(location_lines(ring, args.account, args.container,
                                   args.object, policy_of_ring(args.ring),
                                   None if args.all else 2)))
    return 0


if __name__ == '__main__':
    sys.exit(main())

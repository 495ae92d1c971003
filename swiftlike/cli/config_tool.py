"""swiftlike-config CONF [--section NAME]: the options a server or daemon
really runs with (``[DEFAULT]`` merged in, ``conf.d`` files combined, ``set``
overrides applied), as ``key = value`` lines per section."""
from __future__ import annotations

import argparse
import sys
from typing import List, Optional

from swiftlike.common.config import FILE_KEY, readconf
from swiftlike.common.exceptions import ConfigError

HIDDEN = (FILE_KEY, 'here')


def render(conf: dict) -> str:
    lines = []
    for section, values in conf.items():
        lines.append('[%s]' % section)
        lines += ['%s = %s' % (key, value)
                  for key, value in sorted(values.items())
                  if key not in HIDDEN]
        lines.append('')
    return '\n'.join(lines)


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(
        prog='swiftlike-config',
        description='Show the effective configuration of a server.')
    parser.add_argument('conf', help='config file or conf.d directory')
    parser.add_argument('--section', '-s',
                        help='only this section, e.g. object-replicator')
    args = parser.parse_args(argv)
    try:
        conf = readconf(args.conf, args.section)
    except ConfigError as err:
        print('Error: %s' % err, file=sys.stderr)
        return 1
    if args.section:
        conf = {args.section: conf}
    print(render(conf), end='')
    return 0

"""Entry points of the server executables: ``swiftlike-<server> CONF``."""
from __future__ import annotations

import argparse
import sys
from typing import List, Optional


def run_server(app_name: str, argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(
        prog='swiftlike-%s' % app_name,
        description='Run the swiftlike %s.' % app_name.replace('-', ' '))
    parser.add_argument('conf', help='config file (or conf.d directory)')
    parser.add_argument('--verbose', '-v', action='store_true',
                        help='also log to the console')
    args = parser.parse_args(argv)
    # Green sockets everywhere, before anything else imports them.
    from swiftlike.common.concurrency import monkey_patch
    monkey_patch()
    from swiftlike.common.wsgi import run_wsgi
    return run_wsgi(args.conf, app_name, verbose=args.verbose)


def object_server(argv: Optional[List[str]] = None) -> int:
    return run_server('object-server', argv)


def container_server(argv: Optional[List[str]] = None) -> int:
    return run_server('container-server', argv)


def account_server(argv: Optional[List[str]] = None) -> int:
    return run_server('account-server', argv)


def proxy_server(argv: Optional[List[str]] = None) -> int:
    return run_server('proxy-server', argv)


if __name__ == '__main__':
    sys.exit(object_server())

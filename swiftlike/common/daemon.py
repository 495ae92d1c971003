"""The consistency daemons' runner: a pass over the local devices
(``run_once``), repeated every ``interval`` seconds (``run_forever``).

SIGTERM sets ``stopping``; daemons check it between units of work (a
partition, a database, an async pending), so a stop never leaves half a
unit done. Each pass logs what it did and writes its figures to the recon
cache (``<recon_cache_path>/<server>.recon``), which the recon middleware
serves to ``swiftlike-recon``.
"""
from __future__ import annotations

import json
import logging
import os
import signal
import time
from typing import Any, Dict, Iterator, List, Optional, Tuple

from swiftlike.common.config import ConfSection, readconf
from swiftlike.common.fs import lock_path, write_file_atomically
from swiftlike.common.logs import get_logger

DEFAULT_INTERVAL = 30.0
DEFAULT_RECON_CACHE = '/var/cache/swift'
DEFAULT_DEVICES = '/srv/node'
#: how often a sleeping daemon looks at ``stopping``
STOP_POLL = 0.2


def dump_recon_cache(entries: Dict[str, Any], cache_file: str,
                     logger: Optional[logging.Logger] = None) -> None:
    """Merge ``entries`` into a recon cache file (JSON), atomically and
    under a lock: several daemons share one file per server type. A value
    of ``{}`` removes the key."""
    directory = os.path.dirname(cache_file)
    try:
        os.makedirs(directory, exist_ok=True)
        with lock_path(directory, name=os.path.basename(cache_file)):
            try:
                with open(cache_file, encoding='utf-8') as f:
                    data = json.load(f)
            except (OSError, ValueError):
                data = {}
            for key, value in entries.items():
                if value == {}:
                    data.pop(key, None)
                else:
                    data[key] = value
            write_file_atomically(cache_file, json.dumps(
                data, sort_keys=True).encode())
    except OSError as err:
        if logger:
            logger.warning('Unable to write recon cache %s: %s',
                           cache_file, err)


class Daemon:
    """Base of every consistency daemon."""

    #: the config section it reads, e.g. ``object-updater``
    section = ''
    #: which recon cache file it writes: object, container or account
    server_type = 'object'
    #: seconds between passes unless ``interval`` says otherwise
    default_interval = DEFAULT_INTERVAL

    def __init__(self, conf: ConfSection,
                 logger: Optional[logging.Logger] = None) -> None:
        if not isinstance(conf, ConfSection):
            conf = ConfSection(conf, path=conf.get('__file__', '<config>'),
                               section=self.section)
        self.conf = conf
        self.logger = logger or get_logger(conf, self.section)
        self.interval = conf.get_float('interval', self.default_interval,
                                       minimum=0)
        self.devices = conf.get('devices', DEFAULT_DEVICES)
        self.mount_check = conf.get_bool('mount_check', True)
        self.swift_dir = conf.get('swift_dir', '/etc/swift')
        self.recon_cache = os.path.join(
            conf.get('recon_cache_path', DEFAULT_RECON_CACHE),
            '%s.recon' % self.server_type)
        self.stopping = False

    # -- to implement ----------------------------------------------------
    def run_once(self) -> None:
        """One full pass."""
        raise NotImplementedError

    # -- shared ----------------------------------------------------------
    def stop(self, *_args) -> None:
        self.stopping = True

    def run_forever(self) -> None:
        self.logger.info('Starting %s (interval %ss)', self.section,
                         self.interval)
        while not self.stopping:
            began = time.monotonic()
            try:
                self.run_once()
            except Exception:
                self.logger.exception('Unhandled exception in a %s pass',
                                      self.section)
            self.sleep(self.interval - (time.monotonic() - began))
        self.logger.info('%s stopped', self.section)

    def sleep(self, seconds: float) -> None:
        """Sleep, but wake up for a SIGTERM."""
        end = time.monotonic() + max(0.0, seconds)
        while not self.stopping and time.monotonic() < end:
            time.sleep(min(STOP_POLL, end - time.monotonic()))

    def dump_recon(self, entries: Dict[str, Any]) -> None:
        dump_recon_cache(entries, self.recon_cache, self.logger)

    def local_devices(self) -> Iterator[Tuple[str, str]]:
        """(device name, path) of each usable device under ``devices``;
        an unmounted one (with mount_check) is logged and skipped."""
        try:
            names = sorted(os.listdir(self.devices))
        except OSError as err:
            self.logger.error('Cannot list devices in %s: %s', self.devices,
                              err)
            return
        for name in names:
            path = os.path.join(self.devices, name)
            if self.mount_check and not os.path.ismount(path):
                self.logger.warning('Skipping %s as it is not mounted', name)
                continue
            if os.path.isdir(path):
                yield name, path


def run_daemon(cls, argv: Optional[List[str]] = None) -> int:
    """``swiftlike-<daemon> CONF [--once] [--verbose]``."""
    import argparse
    parser = argparse.ArgumentParser(
        prog='swiftlike-%s' % cls.section,
        description='Run the swiftlike %s.' % cls.section.replace('-', ' '))
    parser.add_argument('conf', help='config file (or conf.d directory) '
                        'with a [%s] section' % cls.section)
    parser.add_argument('--once', action='store_true',
                        help='one pass, then exit')
    parser.add_argument('--verbose', '-v', action='store_true',
                        help='also log to the console')
    args = parser.parse_args(argv)
    from swiftlike.common.concurrency import monkey_patch
    monkey_patch()
    from swiftlike.common.exceptions import ConfigError
    try:
        conf = readconf(args.conf, cls.section)
        daemon = cls(conf, logger=get_logger(conf, cls.section,
                                             console=args.verbose))
    except (ConfigError, ValueError, OSError) as err:
        print('Error: %s' % err, flush=True)
        return 1
    signal.signal(signal.SIGTERM, daemon.stop)
    signal.signal(signal.SIGINT, daemon.stop)
    if args.once:
        daemon.run_once()
    else:
        daemon.run_forever()
    return 0

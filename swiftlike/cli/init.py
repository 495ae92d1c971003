"""swiftlike-init: start, stop, restart, reload and check servers.

``swiftlike-init [options] <server>... <command>`` where a server is
``proxy``, ``account``, ``container``, ``object`` (or ``*-server``),
``main`` (the four) or ``all``. Each server runs once per config found in
the swift dir: ``<server>.conf``, ``<server>-<n>.conf`` or
``<server>/*.conf``; its PID goes to ``<run dir>/<config name>.pid``.
"""
from __future__ import annotations

import argparse
import glob
import os
import shutil
import signal
import subprocess
import sys
import time
from typing import List, Optional, Tuple

from swiftlike.cli.daemons import DAEMONS

MAIN_SERVERS = ('proxy-server', 'account-server', 'container-server',
                'object-server')
COMMANDS = ('start', 'stop', 'restart', 'reload', 'status')
DEFAULT_SWIFT_DIR = '/etc/swift'
DEFAULT_RUN_DIR = '/var/run/swift'
KILL_WAIT = 15.0


class InitError(Exception):
    pass


def server_names(names: List[str]) -> List[str]:
    """Servers and daemons named; ``main`` = the four servers, ``all`` =
    those and every consistency daemon (as swift-init)."""
    servers = []
    for name in names:
        if name in ('all', 'main'):
            servers.extend(MAIN_SERVERS)
            if name == 'all':
                servers.extend(DAEMONS)
            continue
        if name in DAEMONS:
            servers.append(name)
            continue
        full = name if name.endswith('-server') else name + '-server'
        if full not in MAIN_SERVERS:
            raise InitError('Unknown server %r (one of: %s, %s, main, all)'
                            % (name, ', '.join(s[:-len('-server')]
                                               for s in MAIN_SERVERS),
                               ', '.join(DAEMONS)))
        servers.append(full)
    return list(dict.fromkeys(servers))


def config_stem(server: str) -> str:
    """A daemon reads its server's config: object-replicator ->
    object-server."""
    return server if server.endswith('-server') else \
        server.split('-')[0] + '-server'


def configs(swift_dir: str, server: str) -> List[str]:
    stem = config_stem(server)
    found = [os.path.join(swift_dir, stem + '.conf')]
    found += sorted(glob.glob(os.path.join(swift_dir, stem + '-*.conf')))
    found += sorted(glob.glob(os.path.join(swift_dir, stem, '*.conf')))
    return [path for path in found if os.path.isfile(path)]


def pid_file(run_dir: str, swift_dir: str, conf: str,
             server: str = '') -> str:
    name = os.path.relpath(conf, swift_dir)[:-len('.conf')]
    if server and not server.endswith('-server'):
        name = name.replace(config_stem(server), server, 1)
    return os.path.join(run_dir, name.replace(os.sep, '-') + '.pid')


def read_pid(path: str) -> Optional[int]:
    try:
        with open(path) as f:
            pid = int(f.read().strip())
    except (OSError, ValueError):
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    except PermissionError:
        pass
    return pid


class Manager:
    def __init__(self, swift_dir: str, run_dir: str,
                 kill_wait: float = KILL_WAIT) -> None:
        self.swift_dir = swift_dir
        self.run_dir = run_dir
        self.kill_wait = kill_wait

    def instances(self, server: str) -> List[Tuple[str, str]]:
        return [(conf, pid_file(self.run_dir, self.swift_dir, conf, server))
                for conf in configs(self.swift_dir, server)]

    def start(self, server: str) -> int:
        instances = self.instances(server)
        if not instances:
            print('Unable to locate config for %s in %s'
                  % (server, self.swift_dir))
            return 1
        executable = self._executable(server)
        os.makedirs(self.run_dir, exist_ok=True)
        env = dict(os.environ)
        swift_conf = os.path.join(self.swift_dir, 'swift.conf')
        if 'SWIFT_CONF_FILE' not in env and os.path.exists(swift_conf):
            env['SWIFT_CONF_FILE'] = swift_conf
        status = 0
        for conf, pid_path in instances:
            pid = read_pid(pid_path)
            if pid is not None:
                print('%s running (%d - %s)' % (server, pid, conf))
                continue
            proc = subprocess.Popen(
                [executable, conf], stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env,
                start_new_session=True)
            time.sleep(0.5)
            if proc.poll() is not None:
                error = proc.stderr.read().decode(errors='replace').strip()
                print('%s did not start (%s): %s' % (server, conf, error))
                status = 1
                continue
            proc.stderr.close()
            with open(pid_path, 'w') as f:
                f.write('%d\n' % proc.pid)
            print('Starting %s...(%s)' % (server, conf))
        return status

    def _executable(self, server: str) -> str:
        name = 'swiftlike-' + server
        installed = os.path.join(os.path.dirname(sys.executable), name)
        if os.path.exists(installed):
            return installed
        found = shutil.which(name)
        if not found:
            raise InitError('%s is not installed' % name)
        return found

    def _signal(self, server: str, sig: int, verb: str) -> List[int]:
        pids = []
        for _, pid_path in self.instances(server):
            pid = read_pid(pid_path)
            if pid is None:
                continue
            os.kill(pid, sig)
            print('Signal %s  pid: %d  signal: %d' % (verb, pid, sig))
            pids.append(pid)
        return pids

    def stop(self, server: str) -> int:
        pids = self._signal(server, signal.SIGTERM, server)
        if not pids:
            print('No %s running' % server)
            return 1
        deadline = time.monotonic() + self.kill_wait
        while time.monotonic() < deadline and any(_alive(p) for p in pids):
            time.sleep(0.1)
        still = [p for p in pids if _alive(p)]
        for _, pid_path in self.instances(server):
            if read_pid(pid_path) is None and os.path.exists(pid_path):
                os.unlink(pid_path)
        if still:
            print('Waited %ds for %s to die; giving up' % (self.kill_wait,
                                                           server))
            return 1
        print('%s (%s) appears to have stopped' % (
            server, ', '.join(str(p) for p in pids)))
        return 0

    def reload(self, server: str) -> int:
        return 0 if self._signal(server, signal.SIGHUP, server) else 1

    def restart(self, server: str) -> int:
        self.stop(server)
        return self.start(server)

    def status(self, server: str) -> int:
        running = 0
        for conf, pid_path in self.instances(server):
            pid = read_pid(pid_path)
            if pid is not None:
                print('%s running (%d - %s)' % (server, pid, conf))
                running += 1
        if not running:
            print('No %s running' % server)
            return 1
        return 0


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # reap it if it is our child (started by this command)
        done, _ = os.waitpid(pid, os.WNOHANG)
        return done == 0
    except ChildProcessError:
        return True


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(
        prog='swiftlike-init',
        description='Start, stop, restart, reload or check servers.')
    parser.add_argument('args', nargs='+', metavar='SERVER... COMMAND')
    parser.add_argument('--swift-dir', default=DEFAULT_SWIFT_DIR)
    parser.add_argument('--run-dir', default=DEFAULT_RUN_DIR,
                        help='where PID files go')
    parser.add_argument('--kill-wait', type=float, default=KILL_WAIT)
    args = parser.parse_args(argv)
    *names, command = args.args
    if command not in COMMANDS or not names:
        print('Usage: swiftlike-init <server>... <%s>' % '|'.join(COMMANDS),
              file=sys.stderr)
        return 2
    try:
        manager = Manager(args.swift_dir, args.run_dir, args.kill_wait)
        status = 0
        for server in server_names(names):
            status |= getattr(manager, command)(server)
    except InitError as err:
        print('Error: %s' % err, file=sys.stderr)
        return 2
    return status

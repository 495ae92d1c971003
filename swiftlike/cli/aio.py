"""swiftlike-aio: a whole cluster on this machine, in one command.

Rings (part power 10, 3 replicas, 4 zones with one device each), four
storage nodes each running account, container and object servers, and a
proxy with tempauth and Swift's all-in-one users. A second run on the same
``--data-dir`` serves the same data. Ctrl-C or SIGTERM stops everything.
"""
from __future__ import annotations

import argparse
import http.client
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from typing import List, Optional, Tuple

from swiftlike.cli.daemons import DAEMONS
from swiftlike.common.ring import RingBuilder

PART_POWER = 10
REPLICAS = 3
NODES = 4
STARTUP_DEADLINE = 60.0
#: (account:user, key, groups) — Swift's all-in-one users.
USERS = [('test', 'tester', 'testing', '.admin'),
         ('test2', 'tester2', 'testing2', '.admin'),
         ('test', 'tester3', 'testing3', ''),
         ('test5', 'tester5', 'testing5', 'service'),
         ('admin', 'admin', 'admin', '.admin .reseller_admin')]
SERVER_OFFSETS = {'object': 0, 'container': 1, 'account': 2}
#: memcached listens on base port + this (storage ports: base+10..base+42)
MEMCACHE_OFFSET = 90
#: the rsync daemon the replicators push to listens on base port + this
RSYNC_OFFSET = 91
#: config sections written for each server's daemons (Swift's names)
DAEMON_SECTIONS = {
    'object': ('object-replicator', 'object-updater', 'object-auditor',
               'object-expirer'),
    'container': ('container-replicator', 'container-updater',
                  'container-auditor'),
    'account': ('account-replicator', 'account-auditor', 'account-reaper')}


class AioError(Exception):
    """The all-in-one cannot start; the message says why."""


def check_xattrs(directory: str) -> Optional[str]:
    """None if large user xattrs work here; a warning if only small ones
    do; AioError if none do."""
    probe = os.path.join(directory, '.xattr-probe-%s' % uuid.uuid4().hex)
    open(probe, 'w').close()
    try:
        try:
            os.setxattr(probe, 'user.swift.probe', b'x')
        except OSError as err:
            raise AioError('%s does not support user extended attributes '
                           '(%s): objects keep their metadata there. Use '
                           'a directory on XFS or tmpfs (--data-dir).'
                           % (directory, err)) from None
        try:
            os.setxattr(probe, 'user.swift.probe', b'x' * 65536)
        except OSError:
            return ('%s keeps only small extended attributes: objects with '
                    'more than about 4 KiB of metadata will be refused. XFS '
                    'or tmpfs have no such limit.' % directory)
        return None
    finally:
        os.unlink(probe)


def default_data_dir() -> str:
    for base in ('/dev/shm', tempfile.gettempdir()):
        if os.path.isdir(base) and os.access(base, os.W_OK):
            return tempfile.mkdtemp(prefix='swiftlike-aio-', dir=base)
    return tempfile.mkdtemp(prefix='swiftlike-aio-')


class AllInOne:
    """Lays out configs and rings under ``data_dir`` and runs the servers.
    """

    def __init__(self, data_dir: str, proxy_port: int, base_port: int,
                 workers: int, bind_ip: str = '127.0.0.1',
                 proxy_workers: Optional[int] = None,
                 memcache_port: Optional[int] = None,
                 daemons: bool = True) -> None:
        self.data_dir = os.path.abspath(data_dir)
        self.etc = os.path.join(self.data_dir, 'etc')
        self.logs = os.path.join(self.data_dir, 'log')
        self.proxy_port = proxy_port
        self.base_port = base_port
        self.workers = workers
        self.bind_ip = bind_ip
        self.memcached = shutil.which('memcached')
        self.rsync = shutil.which('rsync')
        self.rsync_port = base_port + RSYNC_OFFSET
        self.daemons = daemons
        self.memcache_port = memcache_port or base_port + MEMCACHE_OFFSET
        # tokens and info are shared between proxy workers through
        # memcached; without it, one proxy process keeps them consistent
        if not self.memcached:
            self.proxy_workers = 0
        elif proxy_workers is None:
            self.proxy_workers = os.cpu_count() or 1
        else:
            self.proxy_workers = proxy_workers
        self.procs: List[Tuple[str, subprocess.Popen]] = []

    def port(self, kind: str, node: int) -> int:
        return self.base_port + 10 * node + SERVER_OFFSETS[kind]

    # -- layout -----------------------------------------------------------
    def prepare(self) -> Optional[str]:
        for directory in (self.etc, self.logs):
            os.makedirs(directory, exist_ok=True)
        for node in range(1, NODES + 1):
            os.makedirs(self._device_path(node), exist_ok=True)
        warning = check_xattrs(self._device_path(1))
        swift_conf = os.path.join(self.etc, 'swift.conf')
        if not os.path.exists(swift_conf):
            with open(swift_conf, 'w') as f:
                f.write('[swift-hash]\nswift_hash_path_prefix = %s\n'
                        'swift_hash_path_suffix = %s\n\n'
                        '[storage-policy:0]\nname = gold\ndefault = yes\n\n'
                        '[storage-policy:1]\nname = silver\n'
                        % (secrets.token_hex(8), secrets.token_hex(8)))
        for kind in ('account', 'container', 'object'):
            self._ring(kind)
            for node in range(1, NODES + 1):
                self._storage_conf(kind, node)
        self._proxy_conf()
        return warning

    def _device_path(self, node: int) -> str:
        return os.path.join(self.data_dir, 'srv', 'node%d' % node,
                            'sdb%d' % node)

    def _ring(self, kind: str) -> None:
        names = ['object', 'object-1'] if kind == 'object' else [kind]
        if all(os.path.exists(os.path.join(self.etc, n + '.ring.gz'))
               for n in names):
            return
        builder = RingBuilder(PART_POWER, REPLICAS, 1)
        for node in range(1, NODES + 1):
            builder.add_dev({'region': 1, 'zone': node, 'ip': self.bind_ip,
                             'port': self.port(kind, node),
                             'device': 'sdb%d' % node, 'weight': 1})
        builder.rebalance()
        for name in names:
            builder.save(os.path.join(self.etc, name + '.builder'))
            builder.get_ring().save(os.path.join(self.etc,
                                                 name + '.ring.gz'))

    def _storage_conf(self, kind: str, node: int) -> None:
        path = os.path.join(self.etc, '%s-server-%d.conf' % (kind, node))
        with open(path, 'w') as f:
            f.write('[DEFAULT]\nbind_ip = %s\nbind_port = %d\nworkers = %d\n'
                    'devices = %s\nmount_check = false\nuser =\n'
                    'swift_dir = %s\nlog_name = %s-server-%d\n'
                    'log_address = /nonexistent\n'
                    'recon_cache_path = %s\n\n'
                    '[pipeline:main]\npipeline = healthcheck recon '
                    '%s-server\n\n[app:%s-server]\nuse = egg:swiftlike#%s\n\n'
                    '[filter:healthcheck]\nuse = egg:swiftlike#healthcheck\n'
                    '\n[filter:recon]\nuse = egg:swiftlike#recon\n' % (
                        self.bind_ip, self.port(kind, node), self.workers,
                        os.path.dirname(self._device_path(node)), self.etc,
                        kind, node, os.path.join(self.data_dir, 'cache',
                                                 'node%d' % node),
                        kind, kind, kind))
            f.write(self._daemon_sections(kind, node))

    def _daemon_sections(self, kind: str, node: int) -> str:
        """The node's consistency daemons: each logs under its own name;
        replicators push to this all-in-one's rsync daemon."""
        text = ''
        for name in DAEMON_SECTIONS[kind]:
            text += '\n[%s]\nlog_name = %s-%d\n' % (name, name, node)
            if name == 'object-expirer':  # the nodes share the queue
                text += 'processes = %d\nprocess = %d\n' % (NODES,
                                                            node - 1)
            if name.endswith('-replicator'):
                text += ('rsync_module = rsync://{replication_ip}:%d/'
                         '%s{replication_port}\n' % (self.rsync_port, kind))
        return text

    def _proxy_conf(self) -> None:
        users = ''.join('user_%s_%s = %s %s\n' % (account, user, key, groups)
                        for account, user, key, groups in USERS)
        cache = 'cache ' if self.memcached else ''
        with open(os.path.join(self.etc, 'proxy-server.conf'), 'w') as f:
            f.write('[DEFAULT]\nbind_ip = %s\nbind_port = %d\nworkers = %d\n'
                    'user =\nswift_dir = %s\nlog_address = /nonexistent\n\n'
                    '[pipeline:main]\npipeline = catch_errors gatekeeper '
                    'healthcheck proxy_logging %slisting_formats bulk '
                    'tempurl formpost ratelimit crossdomain cors tempauth '
                    'staticweb '
                    'read_only copy '
                    'container_quotas account_quotas slo dlo '
                    'versioned_writes symlink proxy-server\n\n'
                    '[app:proxy-server]\nuse = egg:swiftlike#proxy\n'
                    'account_autocreate = true\n\n'
                    '[filter:cache]\nuse = egg:swiftlike#memcache\n'
                    'memcache_servers = %s:%d\n\n'
                    '[filter:tempurl]\nuse = egg:swiftlike#tempurl\n\n'
                    '[filter:bulk]\nuse = egg:swiftlike#bulk\n\n'
                    '[filter:cors]\nuse = egg:swiftlike#cors\n\n'
                    '[filter:formpost]\nuse = egg:swiftlike#formpost\n\n'
                    '[filter:staticweb]\nuse = egg:swiftlike#staticweb\n\n'
                    '[filter:symlink]\nuse = egg:swiftlike#symlink\n\n'
                    '[filter:ratelimit]\nuse = egg:swiftlike#ratelimit\n\n'
                    '[filter:crossdomain]\n'
                    'use = egg:swiftlike#crossdomain\n\n'
                    '[filter:read_only]\nuse = egg:swiftlike#read_only\n\n'
                    '[filter:container_quotas]\n'
                    'use = egg:swiftlike#container_quotas\n\n'
                    '[filter:account_quotas]\n'
                    'use = egg:swiftlike#account_quotas\n\n'
                    '[filter:slo]\nuse = egg:swiftlike#slo\n\n'
                    '[filter:dlo]\nuse = egg:swiftlike#dlo\n\n'
                    '[filter:versioned_writes]\n'
                    'use = egg:swiftlike#versioned_writes\n\n'
                    '[filter:listing_formats]\n'
                    'use = egg:swiftlike#listing_formats\n\n'
                    '[filter:catch_errors]\nuse = egg:swiftlike#catch_errors\n'
                    '\n[filter:gatekeeper]\nuse = egg:swiftlike#gatekeeper\n\n'
                    '[filter:copy]\nuse = egg:swiftlike#copy\n\n'
                    '[filter:proxy_logging]\n'
                    'use = egg:swiftlike#proxy_logging\n\n'
                    '[filter:healthcheck]\nuse = egg:swiftlike#healthcheck\n\n'
                    '[filter:tempauth]\nuse = egg:swiftlike#tempauth\n'
                    'reseller_prefix = AUTH, SERVICE\n'
                    'SERVICE_require_group = service\n%s' % (
                        self.bind_ip, self.proxy_port, self.proxy_workers,
                        self.etc, cache, self.bind_ip, self.memcache_port,
                        users))

    # -- processes --------------------------------------------------------
    def _executable(self, name: str) -> List[str]:
        installed = os.path.join(os.path.dirname(sys.executable), name)
        if os.path.exists(installed):
            return [installed]
        found = shutil.which(name)
        if found:
            return [found]
        raise AioError('%s is not installed (pip install swiftlike)' % name)

    def start(self) -> None:
        env = dict(os.environ, SWIFT_CONF_FILE=os.path.join(self.etc,
                                                            'swift.conf'))
        if self.memcached:
            self._start_memcached()
        if self.rsync:
            self._start_rsyncd()
        confs = [('%s-server' % kind, os.path.join(
            self.etc, '%s-server-%d.conf' % (kind, node)))
            for node in range(1, NODES + 1)
            for kind in ('account', 'container', 'object')]
        confs.append(('proxy-server', os.path.join(self.etc,
                                                   'proxy-server.conf')))
        for server, conf in confs:
            log_name = os.path.basename(conf).replace('.conf', '.log')
            with open(os.path.join(self.logs, log_name), 'ab') as log:
                proc = subprocess.Popen(
                    self._executable('swiftlike-' + server) + [conf,
                                                               '--verbose'],
                    stdout=log, stderr=subprocess.STDOUT, env=env)
            self.procs.append((os.path.basename(conf), proc))
        if self.daemons:
            self._start_daemons(env)

    def _start_daemons(self, env) -> None:
        """Every consistency daemon that exists, once per node, reading
        its section of that node's server config."""
        for node in range(1, NODES + 1):
            for name in DAEMONS:
                kind = name.split('-')[0]
                conf = os.path.join(self.etc, '%s-server-%d.conf'
                                    % (kind, node))
                with open(os.path.join(self.logs, '%s-%d.log'
                                       % (name, node)), 'ab') as log:
                    proc = subprocess.Popen(
                        self._executable('swiftlike-' + name) +
                        [conf, '--verbose'], stdout=log,
                        stderr=subprocess.STDOUT, env=env)
                self.procs.append(('%s-%d' % (name, node), proc))

    def _rsyncd_conf(self) -> str:
        """One module per storage server (object6210, container6211...),
        each the root of that node's devices, as Swift's all-in-one."""
        run = os.path.join(self.data_dir, 'run')
        os.makedirs(run, exist_ok=True)
        lines = ['uid = %d' % os.getuid(), 'gid = %d' % os.getgid(),
                 'use chroot = no', 'max connections = 16',
                 'pid file = %s' % os.path.join(run, 'rsyncd.pid'),
                 'log file = %s' % os.path.join(self.logs, 'rsyncd.log'),
                 '']
        for node in range(1, NODES + 1):
            for kind in SERVER_OFFSETS:
                lines += ['[%s%d]' % (kind, self.port(kind, node)),
                          'path = %s' % os.path.dirname(
                              self._device_path(node)),
                          'read only = false',
                          'lock file = %s' % os.path.join(
                              run, '%s%d.lock' % (kind, node)), '']
        path = os.path.join(self.etc, 'rsyncd.conf')
        with open(path, 'w') as f:
            f.write('\n'.join(lines))
        return path

    def _start_rsyncd(self) -> None:
        conf = self._rsyncd_conf()
        with open(os.path.join(self.logs, 'rsyncd.out'), 'ab') as log:
            proc = subprocess.Popen(
                [self.rsync, '--daemon', '--no-detach', '--config=' + conf,
                 '--port=%d' % self.rsync_port, '--address=' + self.bind_ip],
                stdout=log, stderr=subprocess.STDOUT)
        self.procs.append(('rsyncd', proc))

    def _start_memcached(self) -> None:
        command = [self.memcached, '-l', self.bind_ip,
                   '-p', str(self.memcache_port), '-U', '0', '-m', '64']
        if os.geteuid() == 0:
            command += ['-u', 'root']  # memcached refuses root otherwise
        with open(os.path.join(self.logs, 'memcached.log'), 'ab') as log:
            proc = subprocess.Popen(command, stdout=log,
                                    stderr=subprocess.STDOUT)
        self.procs.append(('memcached', proc))

    def _healthy(self, port: int) -> bool:
        try:
            conn = http.client.HTTPConnection(self.bind_ip, port, timeout=2)
            conn.request('GET', '/healthcheck')
            return conn.getresponse().status == 200
        except OSError:
            return False

    def wait_healthy(self, deadline: float = STARTUP_DEADLINE) -> None:
        ports = [self.port(kind, node) for node in range(1, NODES + 1)
                 for kind in SERVER_OFFSETS] + [self.proxy_port]
        end = time.monotonic() + deadline
        if self.memcached:
            self._wait_listening(self.memcache_port, 'memcached', end)
        if self.rsync:
            self._wait_listening(self.rsync_port, 'rsyncd', end)
        while ports:
            for name, proc in self.procs:
                if proc.poll() is not None:
                    raise AioError('%s exited (status %s); see %s' % (
                        name, proc.returncode, self.logs))
            ports = [p for p in ports if not self._healthy(p)]
            if ports and time.monotonic() > end:
                raise AioError('servers on ports %s did not answer their '
                               'healthcheck in %ds; see %s' % (
                                   ports, deadline, self.logs))
            time.sleep(0.2)

    def _wait_listening(self, port: int, name: str, end: float) -> None:
        while True:
            try:
                socket.create_connection((self.bind_ip, port), 1).close()
                return
            except OSError:
                if time.monotonic() > end:
                    raise AioError('%s did not listen on port %d; see %s'
                                   % (name, port, self.logs)) from None
            time.sleep(0.1)

    def stop(self) -> None:
        for _, proc in self.procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for _, proc in self.procs:
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()
        self.procs = []

    def banner(self) -> str:
        auth_url = 'http://%s:%d/auth/v1.0' % (self.bind_ip,
                                               self.proxy_port)
        lines = ['swiftlike all-in-one is up; data and logs in %s'
                 % self.data_dir, '', 'Auth URL:  %s' % auth_url,
                 'Users (account:user / key, groups):']
        for account, user, key, groups in USERS:
            lines.append('  %s:%s / %s%s' % (account, user, key,
                                             '  (%s)' % groups if groups
                                             else ''))
        lines += ['', 'Try:  swiftlike -A %s -U test:tester -K testing stat'
                  % auth_url,
                  '      (or python-swiftclient\'s swift, with the same '
                  'options)', '', 'Press Ctrl-C to stop.']
        return '\n'.join(lines)


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(
        prog='swiftlike-aio',
        description='Run a whole swiftlike cluster on this machine.')
    parser.add_argument('--data-dir', help='where data, configs and logs '
                        'live (default: a fresh directory)')
    parser.add_argument('--proxy-port', type=int, default=8080)
    parser.add_argument('--base-port', type=int, default=6200,
                        help='storage servers listen on base+10n+{0,1,2}')
    parser.add_argument('--workers', type=int, default=0,
                        help='worker processes per storage server '
                        '(0: serve in the main process)')
    parser.add_argument('--proxy-workers', type=int, default=None,
                        help='proxy worker processes (default: one per '
                        'CPU with memcached, else 0: the main process)')
    parser.add_argument('--no-daemons', action='store_true',
                        help='start no consistency daemons (run them by '
                        'hand with --once)')
    parser.add_argument('--memcache-port', type=int, default=None,
                        help='port of the memcached it starts (default: '
                        'base port + %d)' % MEMCACHE_OFFSET)
    args = parser.parse_args(argv)
    aio = AllInOne(args.data_dir or default_data_dir(), args.proxy_port,
                   args.base_port, args.workers,
                   proxy_workers=args.proxy_workers,
                   memcache_port=args.memcache_port,
                   daemons=not args.no_daemons)
    stopping = {'signal': None}

    def on_signal(signum, frame):
        stopping['signal'] = signum

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    try:
        warning = aio.prepare()
        if warning:
            print('Warning: %s' % warning, file=sys.stderr)
        if not aio.rsync:
            print('Warning: rsync is not installed (apt install rsync): '
                  'objects and databases will not be replicated',
                  file=sys.stderr)
        if not aio.memcached:
            print('Warning: memcached is not installed (apt install '
                  'memcached): the proxy runs as one process and keeps '
                  'tokens and cached info in it', file=sys.stderr)
        aio.start()
        aio.wait_healthy()
    except AioError as err:
        aio.stop()
        print('Error: %s' % err, file=sys.stderr)
        return 1
    print(aio.banner(), flush=True)
    while stopping['signal'] is None:
        for name, proc in aio.procs:
            if proc.poll() is not None:
                print('Warning: %s exited (status %s)' % (
                    name, proc.returncode), file=sys.stderr)
                aio.procs.remove((name, proc))
                break
        time.sleep(0.5)
    print('Stopping...', flush=True)
    aio.stop()
    return 0

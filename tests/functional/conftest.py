"""One all-in-one cluster (real processes) for the functional tests."""
import os
import signal
import subprocess
import sys

import pytest

from swiftlike.cli.aio import MEMCACHE_OFFSET
from tests.conftest import cli_command
from tests.servers import (
    free_port,
    make_root,
    remove_root,
    wait_for,
    xattr_base,
)


def _free_base_port() -> int:
    """A base port whose 4 x 3 storage ports (base+10n+k) and memcached
    port are free."""
    import socket
    for base in range(20000 + (os.getpid() % 97) * 100, 60000, 100):
        ports = [base + 10 * n + k for n in range(1, 5)
                 for k in range(3)] + [base + MEMCACHE_OFFSET]
        try:
            socks = []
            for port in ports:
                sock = socket.socket()
                socks.append(sock)
                sock.bind(('127.0.0.1', port))
            return base
        except OSError:
            continue
        finally:
            for sock in socks:
                sock.close()
    raise RuntimeError('no free port range')


class Aio:
    def __init__(self, root: str, base_port: int = 0,
                 daemons: bool = True) -> None:
        """A new all-in-one in ``root``; on an existing one, give its
        ``base_port`` (the rings name its storage ports)."""
        self.root = root
        self.proxy_port = free_port()
        self.base_port = base_port or _free_base_port()
        self.memcache_port = self.base_port + MEMCACHE_OFFSET
        self.auth_url = 'http://127.0.0.1:%d/auth/v1.0' % self.proxy_port
        self.log_path = os.path.join(root, 'aio.out')
        prefix, env = cli_command('swiftlike-aio')
        with open(self.log_path, 'w') as log:
            self.proc = subprocess.Popen(
                prefix + ['--data-dir', os.path.join(root, 'data'),
                          '--proxy-port', str(self.proxy_port),
                          '--base-port', str(self.base_port)] +
                ([] if daemons else ['--no-daemons']),
                stdout=log, stderr=subprocess.STDOUT, env=env)
        wait_for(self.ready, deadline=90, message='the all-in-one')

    def output(self) -> str:
        with open(self.log_path) as f:
            return f.read()

    def ready(self) -> bool:
        if self.proc.poll() is not None:
            raise AssertionError('swiftlike-aio exited: %s' % self.output())
        return 'Press Ctrl-C to stop.' in self.output()

    def swift(self, *args, user='test:tester', key='testing'):
        """Run python-swiftclient's ``swift`` command."""
        swift = os.path.join(os.path.dirname(sys.executable), 'swift')
        return subprocess.run(
            [swift, '-A', self.auth_url, '-U', user, '-K', key] +
            [str(a) for a in args], capture_output=True, text=True,
            timeout=120, cwd=self.root)

    def server_pids(self, conf_name: str):
        """PIDs of the server run with ``etc/<conf_name>``."""
        conf = os.path.join(self.root, 'data', 'etc', conf_name)
        found = subprocess.run(['pgrep', '-f', conf], capture_output=True,
                               text=True)
        return [int(pid) for pid in found.stdout.split()]

    def stop_server(self, conf_name: str) -> None:
        for pid in self.server_pids(conf_name):
            os.kill(pid, signal.SIGTERM)
        wait_for(lambda: not self.server_pids(conf_name),
                 message='%s to stop' % conf_name)

    def start_server(self, conf_name: str) -> subprocess.Popen:
        """Start a server the all-in-one runs (after stop_server)."""
        kind = conf_name.rsplit('-', 1)[0]
        prefix, env = cli_command('swiftlike-%s' % kind)
        env = dict(env or os.environ, SWIFT_CONF_FILE=os.path.join(
            self.root, 'data', 'etc', 'swift.conf'))
        log = os.path.join(self.root, 'data', 'log',
                           conf_name.replace('.conf', '.log'))
        with open(log, 'ab') as out:
            proc = subprocess.Popen(
                prefix + [os.path.join(self.root, 'data', 'etc', conf_name),
                          '--verbose'],
                stdout=out, stderr=subprocess.STDOUT, env=env)
        port = self.base_port + 10 * int(conf_name.rsplit('-', 1)[1][0]) + \
            {'object-server': 0, 'container-server': 1,
             'account-server': 2}[kind]
        wait_for(lambda: _healthy(port), message='%s to start' % conf_name)
        return proc

    def stop(self) -> int:
        self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(60)


def _healthy(port: int) -> bool:
    import http.client
    try:
        conn = http.client.HTTPConnection('127.0.0.1', port, timeout=2)
        conn.request('GET', '/healthcheck')
        return conn.getresponse().status == 200
    except OSError:
        return False


def _aio_fixture(daemons: bool = True):
    base = xattr_base()
    if base is None:
        pytest.skip('no filesystem with large user xattrs')
    root = make_root(base)
    cluster = Aio(root, daemons=daemons)
    yield cluster
    assert cluster.stop() == 0
    remove_root(root)


#: the all-in-one as a user starts it, daemons included
aio = pytest.fixture(scope='session')(_aio_fixture)


@pytest.fixture(scope='module')
def fault_aio():
    """A cluster of its own for tests that stop servers; no background
    daemons, so what the tests find on disk is what the proxy did."""
    yield from _aio_fixture(daemons=False)

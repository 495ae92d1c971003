"""One all-in-one cluster (real processes) for the functional tests."""
import os
import signal
import subprocess
import sys

import pytest

from tests.conftest import cli_command
from tests.servers import (
    free_port,
    make_root,
    remove_root,
    wait_for,
    xattr_base,
)


class Aio:
    def __init__(self, root: str) -> None:
        self.root = root
        self.proxy_port = free_port()
        self.base_port = 20000 + (os.getpid() % 200) * 50
        self.auth_url = 'http://127.0.0.1:%d/auth/v1.0' % self.proxy_port
        self.log_path = os.path.join(root, 'aio.out')
        prefix, env = cli_command('swiftlike-aio')
        with open(self.log_path, 'w') as log:
            self.proc = subprocess.Popen(
                prefix + ['--data-dir', os.path.join(root, 'data'),
                          '--proxy-port', str(self.proxy_port),
                          '--base-port', str(self.base_port)],
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

    def stop(self) -> int:
        self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(60)


@pytest.fixture(scope='session')
def aio():
    base = xattr_base()
    if base is None:
        pytest.skip('no filesystem with large user xattrs')
    root = make_root(base)
    cluster = Aio(root)
    yield cluster
    assert cluster.stop() == 0
    remove_root(root)

"""Probe tests: a real all-in-one (no background daemons), broken on
purpose, then repaired by running the consistency daemons once on every
node — the cluster must converge, as seen on disk and through the API."""
import os
import subprocess

import pytest
from swiftclient import client as swiftclient

from swiftlike.common import hashing
from swiftlike.common.config import read_swift_conf
from swiftlike.common.ring import Ring
from tests.conftest import cli_command
from tests.functional.conftest import Aio
from tests.servers import make_root, remove_root, xattr_base

NODES = (1, 2, 3, 4)


class Probe:
    def __init__(self, aio: Aio) -> None:
        self.aio = aio
        self.etc = os.path.join(aio.root, 'data', 'etc')
        self.srv = os.path.join(aio.root, 'data', 'srv')
        conf = read_swift_conf(os.path.join(self.etc, 'swift.conf'))
        self.affixes = (conf.get('swift-hash', 'swift_hash_path_prefix'),
                        conf.get('swift-hash', 'swift_hash_path_suffix'))
        self.url, self.token = swiftclient.get_auth(
            aio.auth_url, 'test:tester', 'testing')

    def ring(self, kind: str) -> Ring:
        return Ring(self.etc, ring_name=kind)

    def device_path(self, device: dict) -> str:
        node = int(device['device'][len('sdb'):])
        return os.path.join(self.srv, 'node%d' % node, device['device'])

    def run(self, daemon: str, nodes=NODES, **options: str) -> None:
        """``swiftlike-<daemon> <conf> --once`` on each node, in turn;
        ``options`` are added to the daemon's section of a copy of the
        node's config."""
        kind = daemon.split('-')[0]
        prefix, env = cli_command('swiftlike-' + daemon)
        env = dict(env or os.environ,
                   SWIFT_CONF_FILE=os.path.join(self.etc, 'swift.conf'))
        for node in nodes:
            conf = os.path.join(self.etc, '%s-server-%d.conf' % (kind, node))
            if options:
                conf = self._with_options(conf, daemon, options)
            done = subprocess.run(prefix + [conf, '--once'],
                                  capture_output=True, text=True, env=env,
                                  timeout=300)
            assert done.returncode == 0, done.stdout + done.stderr

    @staticmethod
    def _with_options(conf: str, section: str, options) -> str:
        with open(conf) as f:
            text = f.read()
        extra = ''.join('%s = %s\n' % item for item in options.items())
        header = '[%s]\n' % section
        text = text.replace(header, header + extra) if header in text \
            else text + '\n' + header + extra
        copy = conf + '.probe'
        with open(copy, 'w') as f:
            f.write(text)
        return copy

    def stop(self, kind: str, node: int) -> None:
        self.aio.stop_server('%s-server-%d.conf' % (kind, node))

    def start(self, kind: str, node: int) -> None:
        self.aio.extra = getattr(self.aio, 'extra', []) + [
            self.aio.start_server('%s-server-%d.conf' % (kind, node))]


@pytest.fixture(scope='module')
def probe():
    base = xattr_base()
    if base is None:
        pytest.skip('no filesystem with large user xattrs')
    if subprocess.run(['which', 'rsync'], capture_output=True).returncode:
        pytest.skip('rsync is not installed')
    root = make_root(base)
    aio = Aio(root, daemons=False)
    yield Probe(aio)
    for proc in getattr(aio, 'extra', []):
        proc.terminate()
        proc.wait(30)
    assert aio.stop() == 0
    remove_root(root)


@pytest.fixture(autouse=True)
def _cluster_affixes(probe):
    """hash_path in the tests as the cluster computes it."""
    hashing.set_hash_affixes(*probe.affixes)

"""Every systemd unit in etc/systemd/ passes ``systemd-analyze verify``
(with ExecStart pointed at this installation's executables), and every
server and daemon has one."""
import glob
import os
import shutil
import subprocess
import sys

import pytest

from swiftlike.cli.daemons import DAEMONS
from tests.conftest import REPO_ROOT

UNITS = sorted(glob.glob(os.path.join(REPO_ROOT, 'etc', 'systemd', '*')))


def test_every_server_and_daemon_has_a_unit():
    names = {os.path.basename(u) for u in UNITS}
    for server in ('proxy', 'account', 'container', 'object'):
        assert 'swiftlike-%s-server.service' % server in names
    for daemon in DAEMONS:
        assert 'swiftlike-%s.service' % daemon in names
    assert 'swiftlike.target' in names


@pytest.mark.skipif(shutil.which('systemd-analyze') is None,
                    reason='systemd-analyze is not installed')
def test_units_verify(tmp_path):
    bindir = os.path.dirname(sys.executable)
    for unit in UNITS:
        with open(unit) as f:
            text = f.read().replace('/usr/local/bin/', bindir + '/')
        (tmp_path / os.path.basename(unit)).write_text(text)
    done = subprocess.run(['systemd-analyze', 'verify'] + sorted(
        str(p) for p in tmp_path.iterdir()), capture_output=True, text=True,
        timeout=120)
    problems = [line for line in (done.stdout + done.stderr).splitlines()
                if line.strip() and 'swiftlike' in line]
    assert done.returncode == 0 and not problems, done.stdout + done.stderr

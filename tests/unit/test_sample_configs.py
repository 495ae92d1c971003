"""The sample configs in etc/: every pipeline entry exists, every filter is
one this package installs, every option is explained by a comment."""
import configparser
import getpass
import glob
import os
import re
import shutil
import subprocess
from importlib.metadata import entry_points

import pytest

from tests.conftest import REPO_ROOT
from tests.servers import free_port, wait_for

SAMPLES = sorted(glob.glob(os.path.join(REPO_ROOT, 'etc',
                                        '*-server.conf-sample')))


def _installed(group):
    return {ep.name for ep in entry_points(group=group)}


@pytest.mark.parametrize('path', SAMPLES, ids=os.path.basename)
def test_pipeline_names_installed_entry_points(path):
    parser = configparser.ConfigParser(interpolation=None)
    parser.read(path)
    filters = _installed('paste.filter_factory')
    apps = _installed('paste.app_factory')
    pipeline = parser.get('pipeline:main', 'pipeline').split()
    for name in pipeline[:-1]:
        use = parser.get('filter:%s' % name, 'use')
        assert use.startswith('egg:swiftlike#')
        assert use.split('#')[1] in filters, use
    use = parser.get('app:%s' % pipeline[-1], 'use')
    assert use.split('#')[1] in apps


OPTION = re.compile(r'^#? ?[A-Za-z0-9_][A-Za-z0-9_ ]* = ')
#: every sample: the servers', and swift.conf, memcache.conf, rsyncd.conf,
#: dispersion.conf
ALL_SAMPLES = sorted(glob.glob(os.path.join(REPO_ROOT, 'etc',
                                            '*.conf-sample')))


def test_the_samples_operators_need_are_there():
    names = {os.path.basename(p) for p in ALL_SAMPLES}
    assert names >= {'swift.conf-sample', 'memcache.conf-sample',
                     'rsyncd.conf-sample', 'dispersion.conf-sample',
                     'proxy-server.conf-sample', 'object-server.conf-sample',
                     'container-server.conf-sample',
                     'account-server.conf-sample'}


@pytest.mark.parametrize('path', ALL_SAMPLES, ids=os.path.basename)
def test_every_option_is_explained(path):
    """Each option, commented out or set, sits under an explanation: walking
    up over other options, a prose comment comes before a blank line."""
    with open(path) as f:
        lines = [line.rstrip('\n') for line in f]
    for number, line in enumerate(lines):
        if not OPTION.match(line) or line.startswith(('use =',
                                                      'pipeline =')):
            continue
        above = number - 1
        while above >= 0 and OPTION.match(lines[above]):
            above -= 1
        assert above >= 0 and lines[above].startswith('#'), \
            '%s:%d %r is not explained' % (os.path.basename(path),
                                          number + 1, line)


def test_rsyncd_sample_serves_the_three_modules(tmp_path):
    """rsync itself reads the sample (paths and user made local) and offers
    the modules the replicators push to."""
    if shutil.which('rsync') is None:
        pytest.skip('rsync is not installed')
    with open(os.path.join(REPO_ROOT, 'etc', 'rsyncd.conf-sample')) as f:
        text = f.read()
    user = getpass.getuser()
    for old, new in (('uid = swift', 'uid = ' + user),
                     ('gid = swift', 'gid = %d' % os.getgid()),
                     ('/var/run/rsyncd.pid', str(tmp_path / 'rsyncd.pid')),
                     ('/var/lock/', str(tmp_path) + '/'),
                     ('path = /srv/node', 'path = ' + str(tmp_path))):
        assert old in text
        text = text.replace(old, new)
    conf = tmp_path / 'rsyncd.conf'
    conf.write_text(text)
    port = free_port()
    daemon = subprocess.Popen(['rsync', '--daemon', '--no-detach',
                               '--config', str(conf), '--port', str(port)],
                              stderr=subprocess.PIPE)
    try:
        def listed():
            done = subprocess.run(['rsync', 'rsync://127.0.0.1:%d/' % port],
                                  capture_output=True, text=True)
            return done.stdout.split() if done.returncode == 0 else None
        wait_for(listed, message='rsync to answer')
        assert listed() == ['object', 'container', 'account']
    finally:
        daemon.terminate()
        daemon.wait(10)

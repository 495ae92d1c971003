"""The sample configs in etc/: every pipeline entry exists, every filter is
one this package installs, every option is explained by a comment."""
import configparser
import glob
import os
import re
from importlib.metadata import entry_points

import pytest

from tests.conftest import REPO_ROOT

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


OPTION = re.compile(r'^#? ?[A-Za-z0-9_]+ = ')


@pytest.mark.parametrize('path', SAMPLES, ids=os.path.basename)
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

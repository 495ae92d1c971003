"""Shared fixtures: golden vectors and hash affixes for the whole suite."""
import json
import os

import pytest

from swiftlike.common import hashing

VECTOR_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                          'vectors')


def vector_path(name: str) -> str:
    return os.path.join(VECTOR_DIR, name)


def load_vector(name: str):
    with open(vector_path(name), encoding='utf-8') as f:
        return json.load(f)


@pytest.fixture(autouse=True)
def _fresh_hash_affixes():
    """Each test starts with no cached affixes and leaves none behind."""
    hashing.reset_hash_affixes()
    yield
    hashing.reset_hash_affixes()


@pytest.fixture
def swift_conf(tmp_path, monkeypatch):
    """A swift.conf with the vectors' affixes, named by SWIFT_CONF_FILE."""
    path = tmp_path / 'swift.conf'
    path.write_text('[swift-hash]\nswift_hash_path_prefix = vectorprefix\n'
                    'swift_hash_path_suffix = vectorsuffix\n')
    monkeypatch.setenv('SWIFT_CONF_FILE', str(path))
    return path


REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def cli_command(name: str):
    """argv prefix running an executable of bin/ as users run it.

    The installed script (next to this interpreter) when there is one, so
    the packaging is tested too; otherwise bin/ with the checkout on the
    path.
    """
    import sys
    installed = os.path.join(os.path.dirname(sys.executable), name)
    if os.path.exists(installed):
        return [installed], None
    env = dict(os.environ, PYTHONPATH=REPO_ROOT)
    return [sys.executable, os.path.join(REPO_ROOT, 'bin', name)], env


def run_cli(name: str, *args, cwd=None, input_text=None):
    """Run an executable; returns the CompletedProcess (text mode)."""
    import subprocess
    prefix, env = cli_command(name)
    return subprocess.run(prefix + [str(a) for a in args], cwd=cwd, env=env,
                          input=input_text or '', capture_output=True,
                          text=True, timeout=120)


@pytest.fixture
def xattr_root():
    """A fresh directory on a filesystem with large user xattrs."""
    from tests.servers import make_root, remove_root, xattr_base
    base = xattr_base()
    if base is None:
        pytest.skip('no filesystem with large user xattrs (set '
                    'SWIFTLIKE_TEST_DEVICES to an XFS or tmpfs directory)')
    root = make_root(base)
    yield root
    remove_root(root)

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

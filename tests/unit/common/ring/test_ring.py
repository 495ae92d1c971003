"""Ring lookups against Swift's golden vectors; reload behaviour."""
import os
import shutil
import time

import pytest

from swiftlike.common import hashing
from swiftlike.common.exceptions import (
    ConfigError,
    RingLoadError,
    RingValidationError,
)
from swiftlike.common.ring import Ring, RingData
from tests.conftest import load_vector, vector_path

RINGS = ['sample', 'frac', 'pp17']


def _ring_for(name, path=None, reload_time=None):
    vectors = load_vector('%s-ring-lookups.json' % name)
    hashing.set_hash_affixes(vectors['hash_path_prefix'],
                             vectors['hash_path_suffix'])
    ring = Ring(path or vector_path(vectors['ring_file']),
                reload_time=reload_time)
    return ring, vectors


@pytest.mark.parametrize('name', RINGS)
def test_ring_shape(name):
    ring, vectors = _ring_for(name)
    expected = vectors['ring']
    assert ring.part_power == expected['part_power']
    assert ring.replica_count == expected['replica_count']
    assert ring.partition_count == expected['partition_count']
    assert ring.devs == expected['devs']
    if 'replica2part2dev_id' in expected:
        table = RingData.load(ring.serialized_path).replica2part2dev_id
        assert [list(row) for row in table] == \
            expected['replica2part2dev_id']


@pytest.mark.parametrize('name', RINGS)
def test_lookups(name):
    ring, vectors = _ring_for(name)
    for case in vectors['lookups']:
        part, nodes = ring.get_nodes(case['account'], case['container'],
                                     case['object'])
        assert part == case['partition'] == ring.get_part(
            case['account'], case['container'], case['object'])
        assert [n['id'] for n in nodes] == case['primary_dev_ids']
        assert [n['index'] for n in nodes] == case['primary_index']
        handoffs = [d['id'] for d in ring.get_more_nodes(part)]
        assert handoffs[:len(case['handoff_dev_ids'])] == \
            case['handoff_dev_ids']


@pytest.mark.parametrize('name', RINGS)
def test_handoffs_by_partition(name):
    ring, vectors = _ring_for(name)
    for case in vectors['handoffs_by_partition']:
        part = case['partition']
        assert [n['id'] for n in ring.get_part_nodes(part)] == \
            case['primary_dev_ids']
        handoffs = list(ring.get_more_nodes(part))
        assert [d['id'] for d in handoffs] == case['handoff_dev_ids']
        assert [d['handoff_index'] for d in handoffs] == \
            list(range(len(handoffs)))
        assert all('index' not in d for d in handoffs)


def test_v2_file_loads_like_v1():
    v1, _ = _ring_for('sample')
    v2, vectors = _ring_for('sample', vector_path('sample.v2.ring.gz'))
    assert v2.devs == v1.devs
    for case in vectors['handoffs_by_partition']:
        part = case['partition']
        assert v2.get_part_nodes(part) == v1.get_part_nodes(part)
        assert list(v2.get_more_nodes(part)) == list(v1.get_more_nodes(part))


def test_lookups_return_copies():
    ring, _ = _ring_for('sample')
    nodes = ring.get_part_nodes(0)
    nodes[0]['ip'] = 'changed'
    assert ring.get_part_nodes(0)[0]['ip'] != 'changed'
    assert ring.devs[nodes[0]['id']]['ip'] != 'changed'


def test_swift_dir_and_ring_name(tmp_path):
    shutil.copy(vector_path('sample.ring.gz'), tmp_path / 'object.ring.gz')
    ring, vectors = _ring_for('sample')
    by_name = Ring(str(tmp_path), ring_name='object')
    assert by_name.serialized_path == str(tmp_path / 'object.ring.gz')
    assert by_name.get_part_nodes(5) == ring.get_part_nodes(5)


def test_reload_when_file_changes(tmp_path):
    target = tmp_path / 'object.ring.gz'
    shutil.copy(vector_path('sample.ring.gz'), target)
    ring, _ = _ring_for('sample', str(target), reload_time=0)
    assert ring.partition_count == 256
    shutil.copy(vector_path('frac.ring.gz'), target)
    os.utime(target, (time.time() + 5, time.time() + 5))
    assert ring.partition_count == 64
    assert ring.replica_count == 2.5


def test_reload_waits_for_reload_time(tmp_path):
    target = tmp_path / 'object.ring.gz'
    shutil.copy(vector_path('sample.ring.gz'), target)
    ring, _ = _ring_for('sample', str(target), reload_time=3600)
    shutil.copy(vector_path('frac.ring.gz'), target)
    os.utime(target, (time.time() + 5, time.time() + 5))
    assert ring.has_changed()
    assert ring.partition_count == 256  # not checked again yet


def test_bad_ring_on_reload_is_ignored(tmp_path):
    target = tmp_path / 'object.ring.gz'
    shutil.copy(vector_path('sample.ring.gz'), target)
    ring, _ = _ring_for('sample', str(target), reload_time=0)
    target.write_bytes(b'garbage')
    os.utime(target, (time.time() + 5, time.time() + 5))
    assert ring.partition_count == 256
    assert len(ring.get_part_nodes(3)) == 3


def test_validation_hook_on_first_load_is_fatal():
    hashing.set_hash_affixes('p', 's')

    def refuse(ring_data):
        raise RingValidationError('no thanks')

    with pytest.raises(RingValidationError):
        Ring(vector_path('sample.ring.gz'), validation_hook=refuse)


def test_missing_and_corrupt_rings(tmp_path):
    hashing.set_hash_affixes('p', 's')
    with pytest.raises(RingLoadError, match='missing.ring.gz'):
        Ring(str(tmp_path / 'missing.ring.gz'))
    bad = tmp_path / 'bad.ring.gz'
    bad.write_bytes(b'\x1f\x8b garbage')
    with pytest.raises(RingLoadError, match='bad.ring.gz'):
        Ring(str(bad))


def test_ring_refuses_without_hash_affixes(tmp_path, monkeypatch):
    conf = tmp_path / 'swift.conf'
    conf.write_text('[swift-hash]\n')
    monkeypatch.setenv('SWIFT_CONF_FILE', str(conf))
    with pytest.raises(ConfigError):
        Ring(vector_path('sample.ring.gz'))


def test_ring_reads_swift_conf_from_env(swift_conf):
    ring = Ring(vector_path('sample.ring.gz'))
    case = load_vector('sample-ring-lookups.json')['lookups'][0]
    assert ring.get_part(case['account'], case['container'],
                         case['object']) == case['partition']

"""hashes.pkl and hashes.invalid against Swift's partition example."""
import base64
import os
import pickle

from swiftlike.common.safe_pickle import safe_loads
from swiftlike.obj import hashes
from tests.conftest import load_vector

VECTORS = load_vector('hashes.json')
EXAMPLE = VECTORS['partition_example']
NOW = EXAMPLE['frozen_time']


def _build(root):
    part_dir = os.path.join(root, 'objects', '7')
    for suffix, dirs in EXAMPLE['layout'].items():
        for hash_dir, files in dirs.items():
            os.makedirs(os.path.join(part_dir, suffix, hash_dir))
            for name in files:
                open(os.path.join(part_dir, suffix, hash_dir, name),
                     'w').close()
    os.makedirs(os.path.join(part_dir, EXAMPLE['empty_suffix_dir_created']))
    return part_dir


def test_get_hashes_matches_swift(tmp_path):
    part_dir = _build(str(tmp_path))
    result = hashes.get_hashes(part_dir, reclaim_age=VECTORS['reclaim_age'],
                               now=NOW)
    assert result == EXAMPLE['get_hashes_result']
    assert not os.path.exists(os.path.join(part_dir, 'eee'))
    with open(os.path.join(part_dir, hashes.HASH_FILE), 'rb') as f:
        stored = safe_loads(f.read(), encoding='utf8')
    assert stored == EXAMPLE['hashes_pkl_decoded']
    swift = safe_loads(base64.b64decode(EXAMPLE['hashes_pkl_b64']),
                       encoding='utf8')
    assert stored == swift
    keys = list(stored)
    assert keys[0] == 'valid' and keys[-1] == 'updated'  # Swift's order


def test_invalidation_and_consolidation(tmp_path):
    part_dir = _build(str(tmp_path))
    hashes.get_hashes(part_dir, reclaim_age=VECTORS['reclaim_age'], now=NOW)
    for suffix in ('abc', 'fff'):
        hashes.invalidate_hash(os.path.join(part_dir, suffix))
    with open(os.path.join(part_dir, hashes.INVALID_FILE)) as f:
        assert f.read() == EXAMPLE['hashes_invalid_after_two_invalidations']
    consolidated = hashes.consolidate_hashes(part_dir)
    assert consolidated['abc'] is None and consolidated['fff'] is None
    assert os.path.getsize(os.path.join(part_dir, hashes.INVALID_FILE)) == 0
    # change a suffix: the recompute notices
    fff = os.path.join(part_dir, 'fff', 'f' * 32)
    open(os.path.join(fff, '1700000900.00000.ts'), 'w').close()
    result = hashes.get_hashes(part_dir,
                               reclaim_age=VECTORS['reclaim_age'], now=NOW)
    assert result['fff'] != EXAMPLE['get_hashes_result']['fff']
    assert os.listdir(fff) == ['1700000900.00000.ts']
    assert result['abc'] == EXAMPLE['get_hashes_result']['abc']


def test_cached_hashes_are_not_recomputed(tmp_path):
    part_dir = _build(str(tmp_path))
    hashes.get_hashes(part_dir, reclaim_age=VECTORS['reclaim_age'], now=NOW)
    # a change without invalidation is not seen (the cache is trusted)...
    open(os.path.join(part_dir, 'abc', '0123456789abcdef0123456789abcabc',
                      '1700000950.00000.ts'), 'w').close()
    cached = hashes.get_hashes(part_dir, reclaim_age=VECTORS['reclaim_age'],
                               now=NOW)
    assert cached['abc'] == EXAMPLE['get_hashes_result']['abc']
    # ...until it is recalculated
    fresh = hashes.get_hashes(part_dir, ['abc'],
                              reclaim_age=VECTORS['reclaim_age'], now=NOW)
    assert fresh['abc'] != cached['abc']


def test_bad_hashes_pkl_means_full_rehash(tmp_path):
    part_dir = _build(str(tmp_path))
    with open(os.path.join(part_dir, hashes.HASH_FILE), 'wb') as f:
        f.write(pickle.dumps({'valid': True, 'nonsense': 1}))
    result = hashes.get_hashes(part_dir, reclaim_age=VECTORS['reclaim_age'],
                               now=NOW)
    assert result == EXAMPLE['get_hashes_result']
    with open(os.path.join(part_dir, hashes.HASH_FILE), 'wb') as f:
        f.write(b"cos\nsystem\n(S'echo pwned'\ntR.")
    assert hashes.read_hashes(part_dir) == {'valid': False}


def test_missing_partition():
    assert hashes.get_hashes('/nonexistent/objects/7') == {}

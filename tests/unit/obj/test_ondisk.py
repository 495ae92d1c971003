"""File-name rules, survival rules and suffix hashes against Swift's vectors.
"""
import pytest

from swiftlike.common.timestamps import Timestamp
from swiftlike.obj.ondisk import (
    EMPTY_MD5,
    gather_ondisk_files,
    hash_pieces,
    meta_filename,
    parse_filename,
    suffix_hash,
)
from tests.conftest import load_vector

VECTORS = load_vector('hashes.json')
NOW = VECTORS['frozen_time']
RECLAIM = VECTORS['reclaim_age']


@pytest.mark.parametrize('case', VECTORS['suffix_cases'],
                         ids=lambda c: c['title'])
def test_suffix_cases(case):
    pieces, survivors = [], {}
    for hash_dir in sorted(case['files_before']):
        state = gather_ondisk_files(case['files_before'][hash_dir], RECLAIM,
                                    NOW)
        left = sorted(set(case['files_before'][hash_dir]) -
                      set(state.obsolete))
        if left:
            survivors[hash_dir] = left
        pieces.append(hash_pieces(state))
    flat = [p for ps in pieces for p in ps]
    assert flat == case['md5_input_pieces']
    if case['files_after'] is None:
        assert survivors == {} and case['suffix_hash'] is None
    else:
        assert survivors == {h: sorted(f)
                             for h, f in case['files_after'].items()}
        assert suffix_hash(pieces) == case['suffix_hash']


def test_meta_file_names():
    ts = Timestamp('1700000100.00000')
    assert meta_filename(ts) == '1700000100.00000.meta'
    assert meta_filename(ts, ts) == '1700000100.00000+0.meta'
    assert meta_filename(Timestamp('1700000200'),
                         Timestamp('1700000199')) == \
        '1700000200.00000-186a0.meta'


@pytest.mark.parametrize('name, ext, ts, extra', [
    ('1700000000.00000.data', '.data', '1700000000.00000', {}),
    ('1700000000.00000_0000000000000002.ts', '.ts',
     '1700000000.00000_0000000000000002', {}),
    ('1700000200.00000-186a0.meta', '.meta', '1700000200.00000',
     {'ctype_timestamp': Timestamp('1700000199')}),
    ('1700000000.00000#2#d.data', '.data', '1700000000.00000',
     {'frag_index': 2, 'durable': True}),
    ('1700000000.00000#1.data', '.data', '1700000000.00000',
     {'frag_index': 1, 'durable': False}),
    ('1700000000.00000.durable', '.durable', '1700000000.00000', {}),
])
def test_parse_filename(name, ext, ts, extra):
    info = parse_filename(name)
    assert info.ext == ext and info.timestamp == Timestamp(ts)
    for key, value in extra.items():
        assert getattr(info, key) == value


@pytest.mark.parametrize('name', ['junk.txt', '.1700000000.00000.data.Xy12ab',
                                  'abc.data', '1700000000.00000.data.tmp',
                                  '1700000000.00000#x.data', '.data'])
def test_unparsable_names_are_left_alone(name):
    assert parse_filename(name) is None
    state = gather_ondisk_files([name, '1700000000.00000.data'], RECLAIM,
                                NOW)
    assert name in state.unexpected and name not in state.obsolete


def test_tombstone_wins_a_tie_with_data():
    state = gather_ondisk_files(['1700000000.00000.data',
                                 '1700000000.00000.ts'], RECLAIM, NOW)
    assert state.tombstone.filename == '1700000000.00000.ts'
    assert state.obsolete == ['1700000000.00000.data']


def test_meta_older_than_data_is_obsolete():
    state = gather_ondisk_files(['1700000100.00000.data',
                                 '1700000000.00000.meta'], RECLAIM, NOW)
    assert state.meta is None
    assert state.obsolete == ['1700000000.00000.meta']


def test_two_metas_keep_the_newer_content_type():
    names = ['1700000000.00000.data', '1700000100.00000+0.meta',
             '1700000200.00000.meta']
    state = gather_ondisk_files(names, RECLAIM, NOW)
    assert state.meta.filename == '1700000200.00000.meta'
    assert state.ctype_meta.filename == '1700000100.00000+0.meta'
    assert state.obsolete == []
    assert hash_pieces(state) == ['1700000200.00000.meta',
                                  '1700000000.00000.data',
                                  '1700000100.00000_ctype']


def test_lone_meta_reclaimed_when_old():
    state = gather_ondisk_files(['1600000000.00000.meta'], RECLAIM, NOW)
    assert state.obsolete == ['1600000000.00000.meta']
    assert suffix_hash([hash_pieces(state)]) == EMPTY_MD5

"""Broker base: chexor, .pending, metadata rules, sync tables, reclaim,
corruption and lock timeouts, on real SQLite files."""
import base64
import os
import sqlite3

import pytest

from swiftlike.common.db import (
    PENDING_CAP,
    chexor,
    decode_pending,
    encode_pending,
    merge_metadata,
)
from swiftlike.common.exceptions import (
    DatabaseAlreadyExists,
    DatabaseConnectionError,
    LockTimeout,
)
from swiftlike.common.fs import lock_path
from swiftlike.common.timestamps import Timestamp
from swiftlike.container.backend import ContainerBroker
from tests.conftest import load_vector

VECTORS = load_vector('chexor.json')


@pytest.mark.parametrize('case', VECTORS['direct_cases'],
                         ids=lambda c: c['name'])
def test_chexor_vectors(case):
    assert chexor(case['old'], case['name'], case['timestamp']) == \
        case['new']


def test_chexor_twice_cancels():
    once = chexor('0' * 32, 'o', '1700000000.00000')
    assert chexor(once, 'o', '1700000000.00000') == \
        VECTORS['xor_twice_returns_to']


def test_pending_record_format():
    example = VECTORS['container_pending_file_example']
    record = tuple(example['entries_decoded'][0])
    assert encode_pending(record) == example['file_bytes'].encode()
    assert list(decode_pending(b'::' + encode_pending(record) + b':junk')) \
        == [record]


def _broker(tmp_path, name='c'):
    path = tmp_path / 'sda1' / 'containers' / '7' / 'abc' / ('h' + name) / \
        ('h%s.db' % name)
    broker = ContainerBroker(str(path), account='a', container=name)
    broker.initialize(Timestamp(1).internal, storage_policy_index=0)
    return broker


def test_initialize_twice_refused(tmp_path):
    broker = _broker(tmp_path)
    with pytest.raises(DatabaseAlreadyExists):
        broker.initialize(Timestamp(2).internal)
    assert [n for n in os.listdir(broker.db_dir) if n.endswith('.tmp')] == []


def test_pending_file_flush_and_cap(tmp_path):
    broker = _broker(tmp_path)
    broker.put_object('o1', Timestamp(5).internal, 1, 't', 'e')
    assert os.path.getsize(broker.pending_file) > 0
    with sqlite3.connect(broker.db_file) as raw:
        assert raw.execute('SELECT count(*) FROM object').fetchone()[0] == 0
    assert broker.get_info()['object_count'] == 1
    assert os.path.getsize(broker.pending_file) == 0
    # past the cap the records go straight to SQLite
    count = 0
    while os.path.getsize(broker.pending_file) <= PENDING_CAP:
        broker.put_object('x%05d' % count, Timestamp(6).internal, 1, 't',
                          'e')
        count += 1
    broker.put_object('last', Timestamp(6).internal, 1, 't', 'e')
    assert os.path.getsize(broker.pending_file) == 0
    with sqlite3.connect(broker.db_file) as raw:
        assert raw.execute('SELECT count(*) FROM object').fetchone()[0] == \
            count + 2


def test_metadata_newest_wins_and_deletion(tmp_path):
    broker = _broker(tmp_path)
    t1, t2, t3 = (Timestamp(n).internal for n in (10, 20, 30))
    broker.update_metadata({'X-Container-Meta-A': ('one', t2)})
    broker.update_metadata({'X-Container-Meta-A': ('older', t1)})
    assert broker.metadata == {'X-Container-Meta-A': ['one', t2]}
    broker.update_metadata({'X-Container-Meta-A': ('', t3)})
    assert broker.metadata == {'X-Container-Meta-A': ['', t3]}
    assert merge_metadata({'k': ['v', t2]}, {'k': ('w', t2)}) == \
        {'k': ['v', t2]}


def test_sync_tables_and_items_since(tmp_path):
    broker = _broker(tmp_path)
    for n in range(5):
        broker.put_object('o%d' % n, Timestamp(10 + n).internal, n, 't', 'e')
    rows = broker.get_items_since(-1, 3)
    assert [r['name'] for r in rows] == ['o0', 'o1', 'o2']
    assert broker.get_max_row() == 5
    broker.merge_syncs([{'remote_id': 'peer', 'sync_point': 3}])
    broker.merge_syncs([{'remote_id': 'peer', 'sync_point': 2}])
    assert broker.get_sync('peer') == 3
    broker.merge_syncs([{'remote_id': 'out', 'sync_point': 9}],
                       incoming=False)
    assert broker.get_syncs(incoming=False) == [{'remote_id': 'out',
                                                  'sync_point': 9}]
    other = _broker(tmp_path, 'd')
    other.merge_items(rows, source='src-id')
    assert other.get_sync('src-id') == rows[-1]['ROWID']
    old_id = other.get_info()['id']
    other.newid('src-id')
    assert other.get_info()['id'] != old_id


def test_reclaim(tmp_path):
    broker = _broker(tmp_path)
    broker.put_object('gone', Timestamp(10).internal, 1, 't', 'e')
    broker.delete_object('gone', Timestamp(20).internal)
    broker.put_object('kept', Timestamp(30).internal, 1, 't', 'e')
    broker.update_metadata({'X-Container-Meta-Old': ('', Timestamp(20)
                                                     .internal)})
    broker.reclaim(Timestamp(25).internal, Timestamp(25).internal)
    with sqlite3.connect(broker.db_file) as raw:
        names = [r[0] for r in raw.execute('SELECT name FROM object')]
    assert names == ['kept']
    assert broker.metadata == {}


def test_corrupt_db_is_quarantined(tmp_path):
    broker = _broker(tmp_path)
    broker.close()
    with open(broker.db_file, 'r+b') as f:
        f.write(b'this is not a database' * 10)
    fresh = ContainerBroker(broker.db_file, account='a', container='c')
    with pytest.raises(DatabaseConnectionError):
        fresh.get_info()
    quarantine = tmp_path / 'sda1' / 'quarantined' / 'containers'
    assert os.listdir(quarantine) == ['hc']
    assert not os.path.exists(broker.db_file)


def test_lock_timeout_is_clear(tmp_path):
    broker = _broker(tmp_path)
    broker.pending_timeout = 0.2
    with lock_path(broker.db_dir):
        with pytest.raises(LockTimeout, match='not locked within'):
            broker.put_object('o', Timestamp(5).internal, 1, 't', 'e')
        # the lock is held elsewhere: a read still answers, maybe stale
        stale = ContainerBroker(broker.db_file, stale_reads_ok=True)
        assert stale.get_info()['object_count'] == 0


def test_delete_db_blanks_metadata(tmp_path):
    broker = _broker(tmp_path)
    broker.update_metadata({'X-Container-Meta-A': ('1', Timestamp(2)
                                                   .internal),
                            'X-Container-Sysmeta-Shard-Epoch': (
                                'e', Timestamp(2).internal)})
    broker.delete_db(Timestamp(50).internal)
    info = broker.get_info()
    assert info['status'] == 'DELETED'
    assert info['delete_timestamp'] == Timestamp(50).internal
    assert broker.metadata['X-Container-Meta-A'] == \
        ['', Timestamp(50).internal]
    assert broker.metadata['X-Container-Sysmeta-Shard-Epoch'][0] == 'e'
    assert broker.is_deleted()


def test_pending_file_bytes_readable(tmp_path):
    broker = _broker(tmp_path)
    broker.put_object('o1', '1700000001.00000', 3, 'text/plain', 'etag1')
    with open(broker.pending_file, 'rb') as f:
        data = f.read()
    assert data == VECTORS['container_pending_file_example'][
        'file_bytes'].encode()
    assert base64.b64decode(data[1:])

"""AccountBroker against Swift's vectors, merge rules and listings."""
from swiftlike.account.backend import AccountBroker
from swiftlike.common.timestamps import Timestamp
from tests.conftest import load_vector

VECTORS = load_vector('chexor.json')


def _broker(tmp_path):
    path = tmp_path / 'accounts' / '1' / 'abc' / 'h' / 'h.db'
    broker = AccountBroker(str(path), account='AUTH_test')
    broker.initialize(Timestamp(1).internal)
    return broker


def test_account_db_sequence_vector(tmp_path):
    broker = _broker(tmp_path)
    for step in VECTORS['account_db_sequence']['steps']:
        broker.put_container(*step['put_container'])
        info = broker.get_info()
        assert info['hash'] == step['hash_after']
        assert (info['container_count'], info['object_count'],
                info['bytes_used']) == (step['container_count'],
                                        step['object_count'],
                                        step['bytes_used'])


def test_newer_timestamps_win_counts_are_latest(tmp_path):
    broker = _broker(tmp_path)
    t = [Timestamp(100 + n).internal for n in range(4)]
    broker.put_container('c', t[2], '0', 5, 50)
    broker.put_container('c', t[1], '0', 7, 70)  # older put, newer report
    broker.commit_pending()
    with broker.get() as conn:
        row = dict(conn.execute('SELECT * FROM container').fetchone())
    assert (row['put_timestamp'], row['object_count']) == (t[2], 7)
    broker.put_container('c', t[2], t[3], 0, 0)
    info = broker.get_info()
    assert info['container_count'] == 0
    assert broker.list_containers_iter(10) == []
    broker.put_container('d', t[2], '0', 1, 2, storage_policy_index=1)
    assert broker.get_policy_stats()[1] == {'container_count': 1,
                                            'object_count': 1,
                                            'bytes_used': 2}


def test_listing(tmp_path):
    broker = _broker(tmp_path)
    for name in ('a', 'b-1', 'b-2', 'c'):
        broker.put_container(name, Timestamp(5).internal, '0', 1, 10)
    assert broker.list_containers_iter(10, delimiter='-') == [
        ('a', 1, 10, Timestamp(5).internal, 0, 0),
        ('b-', 0, 0, '0', 1, None),
        ('c', 1, 10, Timestamp(5).internal, 0, 0)]
    assert [r[0] for r in broker.list_containers_iter(
        2, reverse=True)] == ['c', 'b-2']


def test_deleted_status(tmp_path):
    broker = _broker(tmp_path)
    assert not broker.is_deleted()
    broker.delete_db(Timestamp(50).internal)
    assert broker.is_status_deleted() and broker.is_deleted()

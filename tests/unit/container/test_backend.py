"""ContainerBroker: Swift's vectors, row merge rules, and listings checked
against a brute-force reference over random names and parameters."""
import threading

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from swiftlike.common.timestamps import Timestamp, encode_timestamps
from swiftlike.container.backend import ContainerBroker
from tests.conftest import load_vector

VECTORS = load_vector('chexor.json')


def _broker(tmp_path, name='c'):
    path = tmp_path / 'containers' / '1' / 'abc' / name / (name + '.db')
    broker = ContainerBroker(str(path), account='AUTH_test', container=name)
    broker.initialize(Timestamp(1).internal, storage_policy_index=0)
    return broker


def test_container_db_sequence_vector(tmp_path):
    broker = _broker(tmp_path)
    for step in VECTORS['container_db_sequence']['steps']:
        op = step['op']
        if op[0] == 'put':
            broker.put_object(*op[1:])
        else:
            broker.delete_object(*op[1:])
        info = broker.get_info()
        assert info['hash'] == step['hash_after']
        assert (info['object_count'], info['bytes_used']) == \
            (step['object_count'], step['bytes_used'])
        with broker.get() as conn:
            rows = [{k: r[k] for k in ('name', 'created_at', 'size',
                                       'deleted')}
                    for r in conn.execute('SELECT * FROM object ORDER BY '
                                          'name')]
        assert rows == step['rows_after']


def _row(broker, name):
    broker.commit_pending()
    with broker.get() as conn:
        return dict(conn.execute('SELECT * FROM object WHERE name = ?',
                                 (name,)).fetchone())


def test_field_by_field_merge(tmp_path):
    broker = _broker(tmp_path)
    t = [Timestamp(100 + n) for n in range(5)]
    broker.put_object('o', t[1].internal, 10, 'text/plain;swift_bytes=99',
                      'etag1')
    # a POST (newer content type and meta time) after the data
    broker.put_object('o', t[1].internal, 10, 'image/png', 'etag1',
                      ctype_timestamp=t[3].internal,
                      meta_timestamp=t[3].internal)
    row = _row(broker, 'o')
    assert row['content_type'] == 'image/png;swift_bytes=99'
    assert row['created_at'] == encode_timestamps(t[1], t[3], t[3])
    # an older PUT arriving late changes nothing
    before = broker.get_info()['hash']
    broker.put_object('o', t[0].internal, 1, 'x/y', 'old')
    assert _row(broker, 'o') == row and broker.get_info()['hash'] == before
    # a newer PUT keeps the newer content type of the POST
    broker.put_object('o', t[2].internal, 20, 'text/html', 'etag2')
    row = _row(broker, 'o')
    assert (row['size'], row['etag'], row['content_type']) == \
        (20, 'etag2', 'image/png')
    assert row['created_at'] == encode_timestamps(t[2], t[3], t[3])
    broker.delete_object('o', t[4].internal)
    row = _row(broker, 'o')
    assert (row['deleted'], row['size'], row['etag']) == (1, 0, 'noetag')
    assert broker.get_info()['object_count'] == 0


def test_policy_stats_and_reported(tmp_path):
    broker = _broker(tmp_path)
    broker.put_object('a', Timestamp(5).internal, 3, 't', 'e',
                      storage_policy_index=0)
    broker.put_object('b', Timestamp(5).internal, 4, 't', 'e',
                      storage_policy_index=1)
    assert broker.get_policy_stats() == {
        0: {'object_count': 1, 'bytes_used': 3},
        1: {'object_count': 1, 'bytes_used': 4}}
    assert broker.get_info()['object_count'] == 1  # the container's policy
    broker.reported(Timestamp(6).internal, '0', 1, 3)
    info = broker.get_info()
    assert (info['reported_object_count'], info['reported_bytes_used']) == \
        (1, 3)


def test_concurrent_writers_lose_nothing(tmp_path):
    broker = _broker(tmp_path)
    errors = []

    def writer(worker):
        mine = ContainerBroker(broker.db_file)
        try:
            for n in range(200):
                mine.put_object('w%d-%03d' % (worker, n),
                                Timestamp(10 + n).internal, 1, 't', 'e')
        except Exception as err:  # pragma: no cover - reported below
            errors.append(err)

    threads = [threading.Thread(target=writer, args=(w,)) for w in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert broker.get_info()['object_count'] == 1200
    assert len(broker.list_objects_iter(10000)) == 1200


# -- listings against a reference --------------------------------------------

def reference(names, limit, marker='', end_marker='', prefix='',
              delimiter='', path=None, reverse=False):
    """Swift's listing rules, the slow obvious way."""
    if path is not None:
        prefix = path.rstrip('/') + '/' if path else ''
        delimiter = '/'
    ordered = sorted(set(names), key=lambda n: n.encode('utf-8'),
                     reverse=reverse)
    lower, upper = (end_marker, marker) if reverse else (marker, end_marker)
    results = []
    for name in ordered:
        if (lower and name <= lower) or (upper and name >= upper) or \
                not name.startswith(prefix):
            continue
        if path is not None and name == prefix:
            continue
        if delimiter:
            end = name.find(delimiter, len(prefix))
            if end >= 0:
                subdir = name[:end + 1]
                if path is None and subdir != marker and \
                        (not results or results[-1] != subdir):
                    results.append(subdir)
                continue
        results.append(name)
    return results[:limit]


ALPHABET = ['a', 'b', '/', '0', 'é', '中', '-']
names_strategy = st.lists(
    st.text(alphabet=ALPHABET, min_size=1, max_size=5), max_size=30)


@pytest.fixture(scope='module')
def listing_dir(tmp_path_factory):
    return tmp_path_factory.mktemp('listing')


_counter = [0]


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(names_strategy, st.data())
def test_listing_matches_reference(listing_dir, names, data):
    _counter[0] += 1
    broker = _broker(listing_dir, 'c%d' % _counter[0])
    for name in names:
        broker.put_object(name, Timestamp(10).internal, 1, 't', 'e')
    deleted = data.draw(st.lists(st.sampled_from(names), max_size=3)) \
        if names else []
    for name in deleted:
        broker.delete_object(name, Timestamp(20).internal)
    live = [n for n in names if n not in deleted]
    pieces = [n[:i] for n in names for i in range(len(n) + 1)] + ['']
    kwargs = {
        'limit': data.draw(st.integers(0, 12)),
        'marker': data.draw(st.sampled_from(pieces + ['z'])),
        'end_marker': data.draw(st.sampled_from(pieces + [''])),
        'prefix': data.draw(st.sampled_from(pieces)),
        'delimiter': data.draw(st.sampled_from(['', '/', '-', 'é'])),
        'reverse': data.draw(st.booleans()),
    }
    if data.draw(st.booleans()):
        kwargs['path'] = data.draw(st.sampled_from(pieces))
    got = [row[0] for row in broker.list_objects_iter(**kwargs)]
    assert got == reference(live, **kwargs)
    broker.close()


def test_listing_rows_and_subdirs(tmp_path):
    broker = _broker(tmp_path)
    ts = Timestamp('1700000000.12345')
    for name in ('photos/a.jpg', 'photos/b.jpg', 'readme', 'photos0'):
        broker.put_object(name, ts.internal, 12, 'text/plain', 'etag')
    assert broker.list_objects_iter(10, delimiter='/') == [
        ('photos/', '0', 0, None, ''),
        ('photos0', ts.internal, 12, 'text/plain', 'etag'),
        ('readme', ts.internal, 12, 'text/plain', 'etag')]
    assert [r[0] for r in broker.list_objects_iter(10, path='photos')] == \
        ['photos/a.jpg', 'photos/b.jpg']
    assert [r[0] for r in broker.list_objects_iter(
        10, marker='photos/', delimiter='/')] == ['photos0', 'readme']

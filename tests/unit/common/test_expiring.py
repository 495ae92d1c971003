import pytest

from swiftlike.common import hashing
from swiftlike.common.expiring import (
    expirer_container,
    expirer_object_name,
    parse_expirer_object_name,
)
from swiftlike.obj.expirer import is_my_task


@pytest.fixture(autouse=True)
def _affixes():
    hashing.set_hash_affixes('vectorprefix', 'vectorsuffix')


def test_queue_container_is_the_period_minus_a_shard():
    name = expirer_container('1700086399', 'AUTH_a', 'c', 'o')
    shard = int(hashing.hash_path('AUTH_a', 'c', 'o'), 16) % 100
    assert name == '%010d' % (1700006400 - shard)
    assert len(name) == 10


def test_row_names_round_trip():
    row = expirer_object_name('1700000000', 'AUTH_a', 'c', 'o/with/slash')
    assert row == '1700000000-AUTH_a/c/o/with/slash'
    assert parse_expirer_object_name(row) == (1700000000, 'AUTH_a', 'c',
                                              'o/with/slash')
    for bad in ('nonsense', '12-a/c', 'x-a/c/o'):
        with pytest.raises(ValueError):
            parse_expirer_object_name(bad)


def test_tasks_split_between_processes():
    names = ['%d-a/c/o%d' % (i, i) for i in range(400)]
    shares = [sum(is_my_task(n, 4, p) for n in names) for p in range(4)]
    assert sum(shares) == 400 and min(shares) > 60
    assert all(is_my_task(n, 0, 0) for n in names)

"""Path splitting, device validation and quorum math."""
import pytest

from swiftlike.common.exceptions import PathError
from swiftlike.common.utils import (
    quorum_size,
    split_path,
    validate_device_partition,
)


@pytest.mark.parametrize('args, expected', [
    (('/a',), ['a']),
    (('/a/',), ['a']),
    (('/a/c', 1, 2), ['a', 'c']),
    (('/a', 1, 2), ['a', None]),
    (('/a/', 1, 2), ['a', '']),
    (('/a/c/', 2), ['a', 'c']),
    (('/a/c/o', 3), ['a', 'c', 'o']),
    (('/a/c/o/r', 3, 3, True), ['a', 'c', 'o/r']),
    (('/a/c', 2, 3, True), ['a', 'c', None]),
    (('/a/c/', 2, 3, True), ['a', 'c', '']),
    (('/d/p/a/c/o//x', 5, 5, True), ['d', 'p', 'a', 'c', 'o//x']),
])
def test_split_path(args, expected):
    assert split_path(*args) == expected


@pytest.mark.parametrize('args', [
    ('',), ('a',), ('//',), ('/',), ('//c', 1, 2), ('/a/c/o', 1, 2),
    ('/a/c//', 2), ('/a', 2), ('/a', 3, 2), ('//c/o', 3, 3, True),
])
def test_split_path_rejects(args):
    with pytest.raises(PathError) as err:
        split_path(*args)
    assert isinstance(err.value, ValueError)


def test_invalid_path_message_quotes():
    with pytest.raises(PathError, match='Invalid path: /a/c%20d/o'):
        split_path('/a/c d/o', 1, 2)


@pytest.mark.parametrize('device, partition', [
    ('', '1'), ('sda', ''), ('.', '1'), ('..', '1'), ('a/b', '1'),
    ('sda', '..'), ('sda', '1/2'),
])
def test_validate_device_partition_rejects(device, partition):
    with pytest.raises(PathError):
        validate_device_partition(device, partition)


def test_validate_device_partition_accepts():
    validate_device_partition('sdb1', '1023')


@pytest.mark.parametrize('n, quorum', [(1, 1), (2, 1), (3, 2), (4, 2),
                                       (5, 3), (6, 3)])
def test_quorum_size(n, quorum):
    assert quorum_size(n) == quorum

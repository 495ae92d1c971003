"""The .expiring_objects queue: where an object's expiry is recorded.

Object servers add a row when an object gets ``X-Delete-At`` (the proxy
tells them which container servers hold the queue container), and the
object-expirer reads the queue. Pure: names only.
"""
from __future__ import annotations

from typing import Tuple

from swiftlike.common.hashing import hash_path

#: queue containers cover this many seconds each
DEFAULT_DIVISOR = 86400
#: the queue account is this name after the auto-create prefix (".")
ACCOUNT_NAME = 'expiring_objects'
#: objects of one period spread over this many containers
SHARDS = 100


def expirer_container(delete_at: str, account: str, container: str,
                      obj: str, divisor: int = DEFAULT_DIVISOR) -> str:
    """The queue container of an object expiring at ``delete_at``."""
    shard = int(hash_path(account, container, obj), 16) % SHARDS
    return '%010d' % (int(delete_at) // divisor * divisor - shard)


def expirer_object_name(delete_at: str, account: str, container: str,
                        obj: str) -> str:
    return '%s-%s/%s/%s' % (delete_at, account, container, obj)


def parse_expirer_object_name(name: str) -> Tuple[int, str, str, str]:
    """(delete_at, account, container, object) of a queue row; ValueError
    when the row is not one."""
    delete_at, _, path = name.partition('-')
    account, container, obj = path.split('/', 2)
    if not (account and container and obj):
        raise ValueError('bad queue entry %r' % name)
    return int(delete_at), account, container, obj

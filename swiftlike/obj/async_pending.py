"""async_pending records: container updates to retry later.

Written when a container (or expirer queue) update fails, replayed by the
object-updater. Format: a protocol-0 pickle of a plain dict, at
``async_pending[-N]/<sfx>/<hash>-<timestamp>``, which Swift's updater reads.
"""
from __future__ import annotations

import os
import pickle
from typing import Dict, Optional

from swiftlike.common.fs import write_file_atomically
from swiftlike.common.hashing import hash_path
from swiftlike.common.storage_policy import get_policy_string

ASYNC_DIR = 'async_pending'
PICKLE_PROTOCOL = 0


def async_pending_path(dev_path: str, policy_index: int, account: str,
                       container: str, obj: str, timestamp: str) -> str:
    obj_hash = hash_path(account, container, obj)
    return os.path.join(dev_path,
                        get_policy_string(ASYNC_DIR, policy_index),
                        obj_hash[-3:], '%s-%s' % (obj_hash, timestamp))


def encode_async_pending(op: str, account: str, container: str, obj: str,
                         headers: Dict[str, str],
                         db_state: Optional[str] = None,
                         container_path: Optional[str] = None) -> bytes:
    record = {'op': op, 'account': account, 'container': container,
              'obj': obj, 'headers': dict(headers), 'db_state': db_state}
    if container_path:
        record['container_path'] = container_path
    return pickle.dumps(record, protocol=PICKLE_PROTOCOL)


def write_async_pending(dev_path: str, policy_index: int, op: str,
                        account: str, container: str, obj: str,
                        headers: Dict[str, str], db_state=None,
                        container_path=None) -> str:
    """Durably record an update; the name's timestamp is the update's
    X-Meta-Timestamp, or X-Timestamp."""
    timestamp = headers.get('X-Meta-Timestamp') or headers['X-Timestamp']
    path = async_pending_path(dev_path, policy_index, account, container,
                              obj, timestamp)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    tmp_dir = os.path.join(dev_path, get_policy_string('tmp', policy_index))
    os.makedirs(tmp_dir, exist_ok=True)
    write_file_atomically(path, encode_async_pending(
        op, account, container, obj, headers, db_state, container_path),
        tmp_dir=tmp_dir)
    return path

"""The receiving side of account/container replication (REPLICATE).

``REPLICATE /<device>/<partition>/<hash>`` with a JSON list
``[op, args...]``: ``sync`` compares, ``merge_items`` and ``merge_syncs``
apply rows and sync points, ``complete_rsync`` and ``rsync_then_merge`` put
an rsynced copy in place. Shared by the account and container servers.
"""
from __future__ import annotations

import json
import os
from typing import Any, Callable, Dict, List

from swiftlike.common.db import DatabaseBroker, db_path
from swiftlike.common.exceptions import DatabaseNotFound
from swiftlike.common.fs import fsync_dir

#: Rows copied per batch when folding a local DB into an rsynced one.
MERGE_BATCH = 1000
RSYNC_OPS = ('complete_rsync', 'rsync_then_merge')


class RpcError(Exception):
    def __init__(self, status: int, body: str = '') -> None:
        super().__init__(body)
        self.status = status
        self.body = body


BrokerFactory = Callable[[str], DatabaseBroker]


class ReplicatorRpc:
    """Dispatches REPLICATE ops for one server type."""

    def __init__(self, db_type: str, broker_factory: BrokerFactory) -> None:
        self.db_type = db_type
        self.broker_factory = broker_factory

    def dispatch(self, dev_path: str, partition: str, name_hash: str,
                 body: bytes) -> tuple:
        """(status, JSON-able answer or None)."""
        try:
            args = json.loads(body)
        except ValueError as err:
            raise RpcError(400, 'Invalid JSON: %s' % err) from None
        if not isinstance(args, list) or not args:
            raise RpcError(400, 'Invalid object type')
        op, args = args[0], args[1:]
        db_file = db_path(dev_path, self.db_type, partition, name_hash)
        if op in RSYNC_OPS:
            return getattr(self, op)(dev_path, db_file, args)
        handler = getattr(self, 'op_' + str(op), None)
        if handler is None:
            raise RpcError(400, 'Invalid op %r' % op)
        broker = self.broker_factory(db_file)
        if not broker.exists:
            if op == 'sync':
                # the replicator rsyncs a copy into <dev>/tmp next
                os.makedirs(os.path.join(dev_path, 'tmp'), exist_ok=True)
            raise RpcError(404)
        try:
            return handler(broker, args)
        except DatabaseNotFound:
            raise RpcError(404) from None

    # -- ops on an existing DB -------------------------------------------
    def op_sync(self, broker: DatabaseBroker, args: List[Any]) -> tuple:
        (remote_max_row, remote_hash, remote_id, created_at, put_timestamp,
         delete_timestamp, metadata) = args[:7]
        if metadata:
            broker.update_metadata(json.loads(metadata))
        broker.merge_timestamps(created_at, put_timestamp, delete_timestamp)
        info = broker.get_replication_info(remote_id)
        if info['hash'] == remote_hash and info['point'] < remote_max_row:
            broker.merge_syncs([{'remote_id': remote_id,
                                 'sync_point': remote_max_row}])
            info['point'] = remote_max_row
        info['metadata'] = json.dumps(broker.metadata) \
            if broker.metadata else ''
        return 200, info

    def op_merge_items(self, broker: DatabaseBroker,
                       args: List[Any]) -> tuple:
        rows, source = args[0], args[1] if len(args) > 1 else None
        broker.merge_items(rows, source)
        return 202, None

    def op_merge_syncs(self, broker: DatabaseBroker,
                       args: List[Any]) -> tuple:
        broker.merge_syncs(args[0])
        return 202, None

    # -- ops that install an rsynced copy --------------------------------
    def _tmp_path(self, dev_path: str, tmp_name: str) -> str:
        if '/' in tmp_name or tmp_name in ('', '.', '..'):
            raise RpcError(400, 'Invalid tmp name')
        return os.path.join(dev_path, 'tmp', tmp_name)

    def complete_rsync(self, dev_path: str, db_file: str,
                       args: List[Any]) -> tuple:
        """The peer had no copy: adopt the rsynced one with a new id."""
        if len(args) > 1 and args[1]:
            db_file = os.path.join(os.path.dirname(db_file), args[1])
        tmp = self._tmp_path(dev_path, args[0])
        if os.path.exists(db_file) or not os.path.exists(tmp):
            raise RpcError(404)
        copy = self.broker_factory(tmp)
        copy.newid(args[0])
        copy.close()
        os.makedirs(os.path.dirname(db_file), exist_ok=True)
        os.rename(tmp, db_file)
        fsync_dir(os.path.dirname(db_file))
        return 204, None

    def rsync_then_merge(self, dev_path: str, db_file: str,
                         args: List[Any]) -> tuple:
        """Far behind: fold our rows into the rsynced copy, then swap."""
        db_file = os.path.join(os.path.dirname(db_file), args[1])
        tmp = self._tmp_path(dev_path, args[0])
        if not os.path.exists(db_file) or not os.path.exists(tmp):
            raise RpcError(404)
        local = self.broker_factory(db_file)
        copy = self.broker_factory(tmp)
        point = -1
        while True:
            rows = local.get_items_since(point, MERGE_BATCH)
            if not rows:
                break
            copy.merge_items(rows)
            point = rows[-1]['ROWID']
        copy.merge_syncs(local.get_syncs())
        copy.update_metadata(local.metadata)
        copy.newid(args[0])
        copy.close()
        local.close()
        os.rename(tmp, db_file)
        fsync_dir(os.path.dirname(db_file))
        return 204, None


def info_json(info: Dict[str, Any]) -> bytes:
    return json.dumps(info).encode('utf-8')

"""ContainerBroker: a container's object rows in Swift's SQLite schema."""
from __future__ import annotations

import time
from typing import Any, Dict, List, Optional, Tuple

from swiftlike.common.db import (
    EMPTY_HASH,
    SQLITE_ARG_LIMIT,
    DatabaseBroker,
    _split_sql,
    upsert_sync_point,
)
from swiftlike.common.db_listing import list_rows
from swiftlike.common.timestamps import (
    Timestamp,
    decode_timestamps,
    encode_timestamps,
)

DELETED_CONTENT_TYPE = 'application/deleted'
DELETED_ETAG = 'noetag'
SWIFT_BYTES_PARAM = ';swift_bytes='
#: Sysmeta kept when a container DB is deleted (sharding state).
SHARDING_SYSMETA = 'X-Container-Sysmeta-Shard'

CONTAINER_SCHEMA = """
    CREATE TABLE object (
        ROWID INTEGER PRIMARY KEY AUTOINCREMENT,
        name TEXT,
        created_at TEXT,
        size INTEGER,
        content_type TEXT,
        etag TEXT,
        deleted INTEGER DEFAULT 0,
        storage_policy_index INTEGER DEFAULT 0
    );
    CREATE INDEX ix_object_deleted_name ON object (deleted, name);
    CREATE TRIGGER object_update BEFORE UPDATE ON object
    BEGIN
        SELECT RAISE(FAIL, 'UPDATE not allowed; DELETE and INSERT');
    END;
    CREATE TABLE policy_stat (
        storage_policy_index INTEGER PRIMARY KEY,
        object_count INTEGER DEFAULT 0,
        bytes_used INTEGER DEFAULT 0
    );
    CREATE TRIGGER object_insert_policy_stat AFTER INSERT ON object
    BEGIN
        INSERT OR IGNORE INTO policy_stat (storage_policy_index)
        VALUES (new.storage_policy_index);
        UPDATE policy_stat
        SET object_count = object_count + (1 - new.deleted),
            bytes_used = bytes_used + new.size
        WHERE storage_policy_index = new.storage_policy_index;
        UPDATE container_info
        SET hash = chexor(hash, new.name, new.created_at);
    END;
    CREATE TRIGGER object_delete_policy_stat AFTER DELETE ON object
    BEGIN
        UPDATE policy_stat
        SET object_count = object_count - (1 - old.deleted),
            bytes_used = bytes_used - old.size
        WHERE storage_policy_index = old.storage_policy_index;
        UPDATE container_info
        SET hash = chexor(hash, old.name, old.created_at);
    END;
    CREATE TABLE container_info (
        account TEXT,
        container TEXT,
        created_at TEXT,
        put_timestamp TEXT DEFAULT '0',
        delete_timestamp TEXT DEFAULT '0',
        reported_put_timestamp TEXT DEFAULT '0',
        reported_delete_timestamp TEXT DEFAULT '0',
        reported_object_count INTEGER DEFAULT 0,
        reported_bytes_used INTEGER DEFAULT 0,
        hash TEXT default '00000000000000000000000000000000',
        id TEXT,
        status TEXT DEFAULT '',
        status_changed_at TEXT DEFAULT '0',
        metadata TEXT DEFAULT '',
        x_container_sync_point1 INTEGER DEFAULT -1,
        x_container_sync_point2 INTEGER DEFAULT -1,
        storage_policy_index INTEGER DEFAULT 0,
        reconciler_sync_point INTEGER DEFAULT -1
    );
    CREATE VIEW container_stat
    AS SELECT ci.account, ci.container, ci.created_at,
        ci.put_timestamp, ci.delete_timestamp,
        ci.reported_put_timestamp, ci.reported_delete_timestamp,
        ci.reported_object_count, ci.reported_bytes_used, ci.hash,
        ci.id, ci.status, ci.status_changed_at, ci.metadata,
        ci.x_container_sync_point1, ci.x_container_sync_point2,
        ci.reconciler_sync_point,
        ci.storage_policy_index,
        coalesce(ps.object_count, 0) AS object_count,
        coalesce(ps.bytes_used, 0) AS bytes_used
    FROM container_info ci LEFT JOIN policy_stat ps
    ON ci.storage_policy_index = ps.storage_policy_index;
    CREATE TRIGGER container_stat_update
    INSTEAD OF UPDATE ON container_stat
    BEGIN
        UPDATE container_info
        SET account = NEW.account,
            container = NEW.container,
            created_at = NEW.created_at,
            put_timestamp = NEW.put_timestamp,
            delete_timestamp = NEW.delete_timestamp,
            reported_put_timestamp = NEW.reported_put_timestamp,
            reported_delete_timestamp = NEW.reported_delete_timestamp,
            reported_object_count = NEW.reported_object_count,
            reported_bytes_used = NEW.reported_bytes_used,
            hash = NEW.hash,
            id = NEW.id,
            status = NEW.status,
            status_changed_at = NEW.status_changed_at,
            metadata = NEW.metadata,
            x_container_sync_point1 = NEW.x_container_sync_point1,
            x_container_sync_point2 = NEW.x_container_sync_point2,
            storage_policy_index = NEW.storage_policy_index,
            reconciler_sync_point = NEW.reconciler_sync_point;
    END;
    CREATE TABLE shard_range (
        ROWID INTEGER PRIMARY KEY AUTOINCREMENT,
        name TEXT,
        timestamp TEXT,
        lower TEXT,
        upper TEXT,
        object_count INTEGER DEFAULT 0,
        bytes_used INTEGER DEFAULT 0,
        meta_timestamp TEXT,
        deleted INTEGER DEFAULT 0,
        state INTEGER,
        state_timestamp TEXT,
        epoch TEXT,
        reported INTEGER DEFAULT 0,
        tombstones INTEGER DEFAULT -1
    );
    CREATE TRIGGER shard_range_update BEFORE UPDATE ON shard_range
    BEGIN
        SELECT RAISE(FAIL, 'UPDATE not allowed; DELETE and INSERT');
    END;
"""


def split_swift_bytes(content_type: str) -> Tuple[str, Optional[str]]:
    """``text/plain;swift_bytes=5`` -> (``text/plain``, ``'5'``)."""
    head, sep, tail = content_type.rpartition(SWIFT_BYTES_PARAM)
    if sep and tail.isdigit():
        return head, tail
    return content_type, None


def merge_row(item: Dict[str, Any], existing: Optional[Dict[str, Any]]
              ) -> bool:
    """Fold an existing row into an incoming one, field by field.

    Data fields (size, etag, deleted, swift_bytes) come from the newer
    data time, content type from the newer content-type time, the meta time
    is the newest. Returns whether the incoming row brings anything newer
    (if not, nothing needs writing). ``item['created_at']`` ends up holding
    the re-encoded triple.
    """
    data, ctype, meta = decode_timestamps(item['created_at'])
    if item.get('ctype_timestamp'):
        ctype = meta = Timestamp(item['ctype_timestamp'])
    if item.get('meta_timestamp'):
        meta = Timestamp(item['meta_timestamp'])
    if existing is None:
        item['created_at'] = encode_timestamps(data, ctype, meta)
        return True
    old_data, old_ctype, old_meta = decode_timestamps(existing['created_at'])
    new_type, new_bytes = split_swift_bytes(item['content_type'])
    old_type, old_bytes = split_swift_bytes(existing['content_type'])
    newer = False
    if old_data >= data:
        item.update(size=existing['size'], etag=existing['etag'],
                    deleted=existing['deleted'])
        new_bytes, data = old_bytes, old_data
    else:
        newer = True
    if old_ctype >= ctype:
        new_type, ctype = old_type, old_ctype
    else:
        newer = True
    if old_meta >= meta:
        meta = old_meta
    else:
        newer = True
    item['content_type'] = new_type + (
        SWIFT_BYTES_PARAM + new_bytes if new_bytes else '')
    item['created_at'] = encode_timestamps(data, ctype, meta)
    return newer


class ContainerBroker(DatabaseBroker):
    """A container's database: object rows, stats and metadata."""

    db_type = 'container'
    db_contains = 'object'
    stat_table = 'container_stat'

    def _create_schema(self, conn, put_timestamp: str,
                       storage_policy_index: int = 0,
                       device: str = '') -> None:
        for statement in _split_sql(CONTAINER_SCHEMA):
            conn.execute(statement)
        conn.execute(
            'INSERT INTO container_info (account, container, created_at, '
            'id, put_timestamp, status_changed_at, storage_policy_index) '
            'VALUES (?, ?, ?, ?, ?, ?, ?)',
            (self.account, self.container, Timestamp(time.time()).internal,
             self.new_id(device), put_timestamp, put_timestamp,
             storage_policy_index))
        conn.execute('INSERT OR IGNORE INTO policy_stat '
                     '(storage_policy_index) VALUES (?)',
                     (storage_policy_index,))

    # -- rows ------------------------------------------------------------
    def put_object(self, name: str, timestamp: str, size: int,
                   content_type: str, etag: str, deleted: int = 0,
                   storage_policy_index: int = 0,
                   ctype_timestamp: Optional[str] = None,
                   meta_timestamp: Optional[str] = None) -> None:
        self.put_record((name, timestamp, int(size), content_type, etag,
                         int(deleted), int(storage_policy_index),
                         ctype_timestamp, meta_timestamp))

    def delete_object(self, name: str, timestamp: str,
                      storage_policy_index: int = 0) -> None:
        self.put_object(name, timestamp, 0, DELETED_CONTENT_TYPE,
                        DELETED_ETAG, deleted=1,
                        storage_policy_index=storage_policy_index)

    def _record_from_pending(self, record: tuple) -> Dict[str, Any]:
        fields = list(record) + [0, None, None][len(record) - 6:]
        name, created_at, size, ctype, etag, deleted, policy, ctype_ts, \
            meta_ts = fields[:9]
        return {'name': name, 'created_at': created_at, 'size': size,
                'content_type': ctype, 'etag': etag, 'deleted': deleted,
                'storage_policy_index': policy,
                'ctype_timestamp': ctype_ts, 'meta_timestamp': meta_ts}

    def merge_items(self, items: List[Dict[str, Any]],
                    source: Optional[str] = None) -> None:
        """Merge rows (from .pending or a peer) in one transaction."""
        if not items:
            return
        with self.get() as conn:
            conn.execute('BEGIN IMMEDIATE')
            existing = self._existing_rows(conn, items)
            to_delete, to_add = set(), {}
            for item in items:
                item = dict(item)
                item.setdefault('storage_policy_index', 0)
                key = (item['name'], item['storage_policy_index'])
                current = to_add.get(key) or existing.get(key)
                if merge_row(item, current):
                    if key in existing:
                        to_delete.add(key)
                    to_add[key] = item
            if to_delete:
                conn.executemany('DELETE FROM object WHERE deleted IN (0, 1)'
                                 ' AND name = ? AND storage_policy_index = ?',
                                 to_delete)
            conn.executemany(
                'INSERT INTO object (name, created_at, size, content_type, '
                'etag, deleted, storage_policy_index) '
                'VALUES (?, ?, ?, ?, ?, ?, ?)',
                [(r['name'], r['created_at'], r['size'], r['content_type'],
                  r['etag'], r['deleted'], r['storage_policy_index'])
                 for r in to_add.values()])
            if source:
                upsert_sync_point(conn, 'incoming_sync', source,
                                  items[-1]['ROWID'])
            conn.execute('COMMIT')

    @staticmethod
    def _existing_rows(conn, items) -> Dict[Tuple[str, int], Dict]:
        names = list({item['name'] for item in items})
        found = {}
        for offset in range(0, len(names), SQLITE_ARG_LIMIT):
            chunk = names[offset:offset + SQLITE_ARG_LIMIT]
            for row in conn.execute(
                    'SELECT name, created_at, size, content_type, etag, '
                    'deleted, storage_policy_index FROM object WHERE '
                    'deleted IN (0, 1) AND name IN (%s)'
                    % ','.join('?' * len(chunk)), chunk):
                found[(row['name'], row['storage_policy_index'])] = dict(row)
        return found

    # -- state -----------------------------------------------------------
    def get_info(self) -> Dict[str, Any]:
        info = super().get_info()
        info.setdefault('hash', EMPTY_HASH)
        return info

    def empty(self) -> bool:
        self.commit_pending()
        with self.get() as conn:
            row = conn.execute('SELECT sum(object_count) FROM policy_stat'
                               ).fetchone()
        return not row[0]

    def is_deleted(self) -> bool:
        """Deleted: no objects and deleted after the last PUT."""
        info = self.get_info()
        return info['object_count'] in (0, None) and \
            Timestamp(info['delete_timestamp']) > \
            Timestamp(info['put_timestamp'])

    def get_policy_stats(self) -> Dict[int, Dict[str, int]]:
        self.commit_pending()
        with self.get() as conn:
            return {row['storage_policy_index']:
                    {'object_count': row['object_count'],
                     'bytes_used': row['bytes_used']}
                    for row in conn.execute('SELECT * FROM policy_stat')}

    def reported(self, put_timestamp: str, delete_timestamp: str,
                 object_count: int, bytes_used: int) -> None:
        """Record what the container-updater told the account."""
        with self.get() as conn:
            conn.execute(
                'UPDATE container_stat SET reported_put_timestamp = ?, '
                'reported_delete_timestamp = ?, reported_object_count = ?, '
                'reported_bytes_used = ?',
                (put_timestamp, delete_timestamp, object_count, bytes_used))

    def _keep_on_delete(self, key: str) -> bool:
        return key.startswith(SHARDING_SYSMETA)

    def _reclaim_sql(self) -> str:
        return 'DELETE FROM object WHERE deleted = 1 AND created_at < ?'

    # -- listing ---------------------------------------------------------
    def list_objects_iter(self, limit: int, marker: str = '',
                          end_marker: str = '', prefix: str = '',
                          delimiter: str = '', path: Optional[str] = None,
                          storage_policy_index: int = 0,
                          reverse: bool = False) -> List[Tuple]:
        """Rows (name, created_at, size, content_type, etag) and subdir
        entries (name, '0', 0, None, '') in name order."""
        self.commit_pending(0.1 if self.stale_reads_ok else None)

        def query(where, args, count, descending):
            with self.get() as conn:
                return conn.execute(
                    'SELECT name, created_at, size, content_type, etag '
                    'FROM object WHERE %s AND storage_policy_index = ? '
                    'ORDER BY name %s LIMIT ?' % (
                        where, 'DESC' if descending else 'ASC'),
                    args + [storage_policy_index, count])

        return [tuple(row) for row in list_rows(
            query, limit, marker, end_marker, prefix, delimiter, path,
            reverse, make_subdir=lambda name: (name, '0', 0, None, ''))]

"""AccountBroker: an account's container rows in Swift's SQLite schema."""
from __future__ import annotations

import time
from typing import Any, Dict, List, Optional, Tuple

from swiftlike.common.db import (
    DatabaseBroker,
    _split_sql,
    upsert_sync_point,
)
from swiftlike.common.db_listing import list_rows
from swiftlike.common.timestamps import Timestamp

ACCOUNT_SCHEMA = """
    CREATE TABLE container (
        ROWID INTEGER PRIMARY KEY AUTOINCREMENT,
        name TEXT,
        put_timestamp TEXT,
        delete_timestamp TEXT,
        object_count INTEGER,
        bytes_used INTEGER,
        deleted INTEGER DEFAULT 0,
        storage_policy_index INTEGER DEFAULT 0
    );
    CREATE INDEX ix_container_deleted_name ON container (deleted, name);
    CREATE TRIGGER container_insert AFTER INSERT ON container
    BEGIN
        UPDATE account_stat
        SET container_count = container_count + (1 - new.deleted),
            object_count = object_count + new.object_count,
            bytes_used = bytes_used + new.bytes_used,
            hash = chexor(hash, new.name,
                          new.put_timestamp || '-' ||
                          new.delete_timestamp || '-' ||
                          new.object_count || '-' || new.bytes_used);
    END;
    CREATE TRIGGER container_update BEFORE UPDATE ON container
    BEGIN
        SELECT RAISE(FAIL, 'UPDATE not allowed; DELETE and INSERT');
    END;
    CREATE TRIGGER container_delete AFTER DELETE ON container
    BEGIN
        UPDATE account_stat
        SET container_count = container_count - (1 - old.deleted),
            object_count = object_count - old.object_count,
            bytes_used = bytes_used - old.bytes_used,
            hash = chexor(hash, old.name,
                          old.put_timestamp || '-' ||
                          old.delete_timestamp || '-' ||
                          old.object_count || '-' || old.bytes_used);
    END;
    CREATE TABLE account_stat (
        account TEXT,
        created_at TEXT,
        put_timestamp TEXT DEFAULT '0',
        delete_timestamp TEXT DEFAULT '0',
        container_count INTEGER,
        object_count INTEGER DEFAULT 0,
        bytes_used INTEGER DEFAULT 0,
        hash TEXT default '00000000000000000000000000000000',
        id TEXT,
        status TEXT DEFAULT '',
        status_changed_at TEXT DEFAULT '0',
        metadata TEXT DEFAULT ''
    );
    CREATE TABLE policy_stat (
        storage_policy_index INTEGER PRIMARY KEY,
        container_count INTEGER DEFAULT 0,
        object_count INTEGER DEFAULT 0,
        bytes_used INTEGER DEFAULT 0
    );
    CREATE TRIGGER container_insert_ps AFTER INSERT ON container
    BEGIN
        INSERT OR IGNORE INTO policy_stat
            (storage_policy_index, container_count, object_count,
             bytes_used)
        VALUES (new.storage_policy_index, 0, 0, 0);
        UPDATE policy_stat
        SET container_count = container_count + (1 - new.deleted),
            object_count = object_count + new.object_count,
            bytes_used = bytes_used + new.bytes_used
        WHERE storage_policy_index = new.storage_policy_index;
    END;
    CREATE TRIGGER container_delete_ps AFTER DELETE ON container
    BEGIN
        UPDATE policy_stat
        SET container_count = container_count - (1 - old.deleted),
            object_count = object_count - old.object_count,
            bytes_used = bytes_used - old.bytes_used
        WHERE storage_policy_index = old.storage_policy_index;
    END;
"""
ROW_FIELDS = ('name', 'put_timestamp', 'delete_timestamp', 'object_count',
              'bytes_used', 'deleted', 'storage_policy_index')


def merge_container_row(item: Dict[str, Any],
                        existing: Optional[Dict[str, Any]]) -> None:
    """Newer put and delete times win; counts are the latest report.

    A row is deleted when deleted after its last PUT with no objects.
    """
    if existing is not None:
        for key in ('put_timestamp', 'delete_timestamp'):
            if Timestamp(existing[key]) > Timestamp(item[key]):
                item[key] = existing[key]
    item['deleted'] = 1 if (
        Timestamp(item['delete_timestamp']) >
        Timestamp(item['put_timestamp']) and
        int(item['object_count'] or 0) == 0) else 0


class AccountBroker(DatabaseBroker):
    """An account's database: container rows, stats and metadata."""

    db_type = 'account'
    db_contains = 'container'
    stat_table = 'account_stat'

    def _create_schema(self, conn, put_timestamp: str,
                       device: str = '', **kwargs: Any) -> None:
        for statement in _split_sql(ACCOUNT_SCHEMA):
            conn.execute(statement)
        conn.execute(
            'INSERT INTO account_stat (account, created_at, id, '
            'put_timestamp, status_changed_at, container_count) '
            'VALUES (?, ?, ?, ?, ?, 0)',
            (self.account, Timestamp(time.time()).internal,
             self.new_id(device), put_timestamp, put_timestamp))

    def put_container(self, name: str, put_timestamp: str,
                      delete_timestamp: str, object_count: int,
                      bytes_used: int, storage_policy_index: int = 0
                      ) -> None:
        deleted = 1 if Timestamp(delete_timestamp) > \
            Timestamp(put_timestamp) else 0
        self.put_record((name, put_timestamp, delete_timestamp,
                         int(object_count), int(bytes_used), deleted,
                         int(storage_policy_index)))

    def _record_from_pending(self, record: tuple) -> Dict[str, Any]:
        fields = list(record) + [0][len(record) - 6:]
        return dict(zip(ROW_FIELDS, fields[:7]))

    def merge_items(self, items: List[Dict[str, Any]],
                    source: Optional[str] = None) -> None:
        if not items:
            return
        with self.get() as conn:
            conn.execute('BEGIN IMMEDIATE')
            for item in items:
                record = {key: item.get(key) for key in ROW_FIELDS}
                if record['storage_policy_index'] is None:
                    record['storage_policy_index'] = 0
                row = conn.execute(
                    'SELECT * FROM container WHERE name = ? AND '
                    'deleted IN (0, 1)', (record['name'],)).fetchone()
                merge_container_row(record, dict(row) if row else None)
                conn.execute('DELETE FROM container WHERE name = ? AND '
                             'deleted IN (0, 1)', (record['name'],))
                conn.execute(
                    'INSERT INTO container (%s) VALUES (%s)' % (
                        ', '.join(ROW_FIELDS), ', '.join('?' * 7)),
                    [record[key] for key in ROW_FIELDS])
            if source:
                upsert_sync_point(conn, 'incoming_sync', source,
                                  items[-1]['ROWID'])
            conn.execute('COMMIT')

    def is_status_deleted(self) -> bool:
        return self._stat_row()['status'] == 'DELETED'

    def is_deleted(self) -> bool:
        info = self.get_info()
        return info['status'] == 'DELETED' or (
            info['container_count'] in (0, None) and
            Timestamp(info['delete_timestamp']) >
            Timestamp(info['put_timestamp']))

    def empty(self) -> bool:
        return self.get_info()['container_count'] == 0

    def get_policy_stats(self) -> Dict[int, Dict[str, int]]:
        self.commit_pending()
        with self.get() as conn:
            return {row['storage_policy_index']:
                    {'container_count': row['container_count'],
                     'object_count': row['object_count'],
                     'bytes_used': row['bytes_used']}
                    for row in conn.execute('SELECT * FROM policy_stat')}

    def _reclaim_sql(self) -> str:
        return 'DELETE FROM container WHERE deleted = 1 AND ' \
            'delete_timestamp < ?'

    def list_containers_iter(self, limit: int, marker: str = '',
                             end_marker: str = '', prefix: str = '',
                             delimiter: str = '', reverse: bool = False
                             ) -> List[Tuple]:
        """Rows (name, object_count, bytes_used, put_timestamp, 0,
        storage_policy_index) and subdirs (name, 0, 0, '0', 1, None)."""
        self.commit_pending(0.1 if self.stale_reads_ok else None)

        def query(where, args, count, descending):
            with self.get() as conn:
                return conn.execute(
                    'SELECT name, object_count, bytes_used, put_timestamp, '
                    '0, storage_policy_index FROM container WHERE %s '
                    'ORDER BY name %s LIMIT ?' % (
                        where, 'DESC' if descending else 'ASC'),
                    args + [count])

        return [tuple(row) for row in list_rows(
            query, limit, marker, end_marker, prefix, delimiter, None,
            reverse, make_subdir=lambda name: (name, 0, 0, '0', 1, None))]

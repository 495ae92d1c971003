"""The broker base: one SQLite database per account or container.

Files live at ``accounts|containers/<part>/<sfx>/<hash>/<hash>.db`` with
Swift's schema, so Swift's tools read ours and we read theirs. Writes are
appended to ``<hash>.db.pending`` (cheap, under a short lock) and merged
into SQLite in batches; reads flush the pending file first. Every row
change keeps the table's ``hash`` (an order-independent XOR of row md5s)
current, so replicas compare in one value.
"""
from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import os
import pickle
import sqlite3
import tempfile
import uuid
from typing import Any, Dict, Iterator, List, Optional, Tuple

from swiftlike.common.exceptions import (
    DatabaseAlreadyExists,
    DatabaseConnectionError,
    DatabaseNotFound,
    LockTimeout,
)
from swiftlike.common.fs import fsync_dir, lock_path
from swiftlike.common.safe_pickle import safe_loads
from swiftlike.common.timestamps import Timestamp

EMPTY_HASH = '0' * 32
#: A pending file larger than this is merged into the DB on the next put.
PENDING_CAP = 131072
PENDING_TIMEOUT = 10
#: GET/HEAD wait this little for the pending lock, then serve stale data.
READ_PENDING_TIMEOUT = 0.1
BUSY_TIMEOUT = 25
MMAP_SIZE = 256 * 1024 * 1024
SQLITE_ARG_LIMIT = 999
RECLAIM_BATCH = 1000
#: SQLite errors that mean the file is damaged: quarantine, never a 500.
CORRUPTION_MARKERS = ('database disk image is malformed',
                      'malformed database schema', ' is not a database',
                      'file is not a database', 'disk i/o error',
                      'no such table', 'file is encrypted')

SYNC_TABLES_SQL = """
    CREATE TABLE outgoing_sync (
        remote_id TEXT UNIQUE,
        sync_point INTEGER,
        updated_at TEXT DEFAULT 0
    );
    CREATE TRIGGER outgoing_sync_insert AFTER INSERT ON outgoing_sync
    BEGIN
        UPDATE outgoing_sync SET updated_at = STRFTIME('%s', 'NOW')
        WHERE ROWID = new.ROWID;
    END;
    CREATE TRIGGER outgoing_sync_update AFTER UPDATE ON outgoing_sync
    BEGIN
        UPDATE outgoing_sync SET updated_at = STRFTIME('%s', 'NOW')
        WHERE ROWID = new.ROWID;
    END;
    CREATE TABLE incoming_sync (
        remote_id TEXT UNIQUE,
        sync_point INTEGER,
        updated_at TEXT DEFAULT 0
    );
    CREATE TRIGGER incoming_sync_insert AFTER INSERT ON incoming_sync
    BEGIN
        UPDATE incoming_sync SET updated_at = STRFTIME('%s', 'NOW')
        WHERE ROWID = new.ROWID;
    END;
    CREATE TRIGGER incoming_sync_update AFTER UPDATE ON incoming_sync
    BEGIN
        UPDATE incoming_sync SET updated_at = STRFTIME('%s', 'NOW')
        WHERE ROWID = new.ROWID;
    END;
"""


def chexor(old: str, name: str, timestamp: str) -> str:
    """XOR a row's md5 into a table hash; applying it twice undoes it."""
    if name is None:
        raise ValueError('name is None')
    term = hashlib.md5(('%s-%s' % (name, timestamp)).encode('utf-8'),
                       usedforsecurity=False).hexdigest()
    return '%032x' % (int(old, 16) ^ int(term, 16))


def encode_pending(record: tuple) -> bytes:
    """One ``.pending`` record: ``:`` + base64 of a protocol-2 pickle."""
    return b':' + base64.b64encode(pickle.dumps(record, protocol=2))


def decode_pending(data: bytes) -> Iterator[tuple]:
    """Records of a ``.pending`` file; unreadable ones are skipped."""
    for piece in data.split(b':'):
        if not piece:
            continue
        try:
            record = safe_loads(base64.b64decode(piece), encoding='utf8')
        except (ValueError, TypeError):
            continue
        if isinstance(record, (tuple, list)):
            yield tuple(record)


def upsert_sync_point(conn: sqlite3.Connection, table: str,
                      remote_id: str, sync_point: int) -> None:
    """Record a peer's sync point; an existing one only moves forward."""
    conn.execute('INSERT INTO %s (remote_id, sync_point) VALUES (?, ?) '
                 'ON CONFLICT(remote_id) DO UPDATE SET sync_point = '
                 'max(sync_point, excluded.sync_point)' % table,
                 (remote_id, sync_point))


def is_corruption(err: Exception) -> bool:
    text = str(err).lower()
    return any(marker in text for marker in CORRUPTION_MARKERS)


def connect(path: str, timeout: float = BUSY_TIMEOUT) -> sqlite3.Connection:
    """A connection with Swift's pragmas and the chexor function."""
    conn = sqlite3.connect(path, timeout=timeout, isolation_level=None,
                           check_same_thread=False)
    conn.row_factory = sqlite3.Row
    conn.text_factory = str
    conn.create_function('chexor', 3, chexor, deterministic=True)
    conn.execute('PRAGMA synchronous = NORMAL')
    conn.execute('PRAGMA count_changes = OFF')
    conn.execute('PRAGMA temp_store = MEMORY')
    conn.execute('PRAGMA journal_mode = DELETE')
    # Listing pages touch thousands of table pages in index order; mapped
    # I/O reads them from the page cache without a syscall each.
    conn.execute('PRAGMA mmap_size = %d' % MMAP_SIZE)
    return conn


def merge_metadata(current: Dict[str, List[str]],
                   updates: Dict[str, Any]) -> Dict[str, List[str]]:
    """Per key, the newer timestamp wins; '' values mark deletions."""
    merged = dict(current)
    for key, value in updates.items():
        value, timestamp = value
        if key not in merged or Timestamp(timestamp) > \
                Timestamp(merged[key][1]):
            merged[key] = [value, timestamp]
    return merged


class DatabaseBroker:
    """What account and container brokers share.

    Subclasses set ``db_type`` ('account'/'container'), ``db_contains``
    (the rows' table), ``stat_table`` and implement ``_create_schema``,
    ``_record_from_pending`` and ``merge_items``.
    """

    db_type = 'db'
    db_contains = ''
    stat_table = ''

    def __init__(self, db_file: str, timeout: float = BUSY_TIMEOUT,
                 account: Optional[str] = None,
                 container: Optional[str] = None,
                 pending_timeout: float = PENDING_TIMEOUT,
                 stale_reads_ok: bool = False) -> None:
        self.db_file = db_file
        self.pending_file = db_file + '.pending'
        self.db_dir = os.path.dirname(db_file)
        self.timeout = timeout
        self.account = account
        self.container = container
        self.pending_timeout = pending_timeout
        self.stale_reads_ok = stale_reads_ok
        self._conn: Optional[sqlite3.Connection] = None

    # -- connections -----------------------------------------------------
    @contextlib.contextmanager
    def get(self) -> Iterator[sqlite3.Connection]:
        """A connection; corruption quarantines the DB and raises
        DatabaseConnectionError (answered as not found)."""
        if self._conn is None:
            if not os.path.exists(self.db_file):
                raise DatabaseNotFound(self.db_file)
            try:
                self._conn = connect(self.db_file, self.timeout)
            except sqlite3.DatabaseError as err:
                self._handle_error(err)
        conn = self._conn
        try:
            yield conn
        except sqlite3.DatabaseError as err:
            try:
                conn.execute('ROLLBACK')
            except sqlite3.Error:
                pass
            self._handle_error(err)

    def _handle_error(self, err: Exception) -> None:
        if is_corruption(err):
            self.close()
            self.quarantine(str(err))
            raise DatabaseConnectionError(self.db_file, str(err)) from None
        raise err

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def quarantine(self, reason: str) -> Optional[str]:
        """Move the DB's hash dir to ``<dev>/quarantined/<type>s/``."""
        device_path = os.path.dirname(os.path.dirname(os.path.dirname(
            os.path.dirname(self.db_dir))))
        target_dir = os.path.join(device_path, 'quarantined',
                                  self.db_type + 's')
        os.makedirs(target_dir, exist_ok=True)
        target = os.path.join(target_dir, os.path.basename(self.db_dir))
        if os.path.exists(target):
            target += '-' + uuid.uuid4().hex
        try:
            os.rename(self.db_dir, target)
        except FileNotFoundError:
            return None
        return target

    @property
    def exists(self) -> bool:
        return os.path.exists(self.db_file)

    # -- creation --------------------------------------------------------
    def initialize(self, put_timestamp: Optional[str] = None,
                   **kwargs: Any) -> None:
        """Create the DB: build it in a temp file, then rename into place.

        A crash leaves either no DB or a complete one, never half a schema.
        """
        os.makedirs(self.db_dir, exist_ok=True)
        fd, tmp_path = tempfile.mkstemp(suffix='.tmp', dir=self.db_dir)
        os.close(fd)
        try:
            conn = connect(tmp_path, self.timeout)
            conn.execute('PRAGMA synchronous = OFF')
            conn.execute('PRAGMA journal_mode = MEMORY')
            conn.execute('BEGIN')
            for statement in _split_sql(SYNC_TABLES_SQL):
                conn.execute(statement)
            put_timestamp = Timestamp(put_timestamp or 0).internal
            self._create_schema(conn, put_timestamp, **kwargs)
            conn.execute('COMMIT')
            conn.close()
            with open(tmp_path, 'rb+') as f:
                os.fsync(f.fileno())
            with lock_path(self.db_dir):
                if os.path.exists(self.db_file):
                    raise DatabaseAlreadyExists(self.db_file)
                os.rename(tmp_path, self.db_file)
                fsync_dir(self.db_dir)
        finally:
            if os.path.exists(tmp_path):
                os.unlink(tmp_path)

    def _create_schema(self, conn, put_timestamp: str, **kwargs) -> None:
        raise NotImplementedError

    @staticmethod
    def new_id(device: str = '') -> str:
        return '%s-%s' % (uuid.uuid4(), device)

    # -- pending file ----------------------------------------------------
    def put_record(self, record: tuple) -> None:
        """Queue a row change; merged into SQLite in batches.

        Appends to the .pending file under the hash dir lock while it is
        below Swift's cap; past the cap, merges everything at once.
        """
        if not os.path.exists(self.db_file):
            raise DatabaseNotFound(self.db_file)
        with lock_path(self.db_dir, self.pending_timeout):
            size = os.path.getsize(self.pending_file) \
                if os.path.exists(self.pending_file) else 0
            if size <= PENDING_CAP:
                with open(self.pending_file, 'ab') as f:
                    f.write(encode_pending(record))
                    f.flush()
                return
            self._commit_pending_locked([record])

    def _commit_pending_locked(self, extra: List[tuple] = ()) -> None:
        try:
            with open(self.pending_file, 'rb') as f:
                data = f.read()
        except FileNotFoundError:
            data = b''
        items = [self._record_from_pending(r) for r in decode_pending(data)]
        items.extend(self._record_from_pending(r) for r in extra)
        if items:
            self.merge_items(items)
        if data:
            with open(self.pending_file, 'r+b') as f:
                f.truncate(0)

    def commit_pending(self, timeout: Optional[float] = None) -> bool:
        """Merge the .pending file; False if its lock was busy (reads may
        then go ahead on slightly stale data)."""
        if not os.path.exists(self.pending_file) or \
                os.path.getsize(self.pending_file) == 0:
            return True
        try:
            with lock_path(self.db_dir, timeout if timeout is not None
                           else self.pending_timeout):
                self._commit_pending_locked()
        except LockTimeout:
            if self.stale_reads_ok:
                return False
            raise
        return True

    def _record_from_pending(self, record: tuple) -> Dict[str, Any]:
        raise NotImplementedError

    def merge_items(self, items: List[Dict[str, Any]],
                    source: Optional[str] = None) -> None:
        raise NotImplementedError

    # -- info, metadata, deletion ----------------------------------------
    def _stat_row(self) -> sqlite3.Row:
        with self.get() as conn:
            row = conn.execute('SELECT * FROM %s' % self.stat_table
                               ).fetchone()
        if row is None:
            self.close()
            self.quarantine('missing stat row')
            raise DatabaseConnectionError(self.db_file, 'missing stat row')
        return row

    def get_info(self) -> Dict[str, Any]:
        self.commit_pending(READ_PENDING_TIMEOUT)
        return dict(self._stat_row())

    @property
    def metadata(self) -> Dict[str, List[str]]:
        raw = self._stat_row()['metadata']
        if not raw:
            return {}
        try:
            return json.loads(raw)
        except ValueError:
            return {}

    def update_metadata(self, updates: Dict[str, Tuple[str, str]]) -> None:
        """Merge ``{key: (value, timestamp)}``: per key the newer wins."""
        if not updates:
            return
        with self.get() as conn:
            conn.execute('BEGIN IMMEDIATE')
            row = conn.execute('SELECT metadata FROM %s' % self.stat_table
                               ).fetchone()
            current = json.loads(row['metadata']) if row['metadata'] else {}
            merged = merge_metadata(current, updates)
            if merged != current:
                conn.execute('UPDATE %s SET metadata = ?' % self.stat_table,
                             (json.dumps(merged),))
            conn.execute('COMMIT')

    def update_put_timestamp(self, timestamp: str) -> None:
        with self.get() as conn:
            conn.execute('UPDATE %s SET put_timestamp = ? WHERE '
                         'put_timestamp < ?' % self.stat_table,
                         (timestamp, timestamp))

    def update_status_changed_at(self, timestamp: str) -> None:
        with self.get() as conn:
            conn.execute('UPDATE %s SET status_changed_at = ? WHERE '
                         'status_changed_at < ?' % self.stat_table,
                         (timestamp, timestamp))

    def delete_db(self, timestamp: str) -> None:
        """Mark deleted at ``timestamp``: metadata blanked, status DELETED.
        """
        self.commit_pending()
        meta = self.metadata
        cleared = {k: ('', timestamp) for k, v in meta.items()
                   if not self._keep_on_delete(k)}
        self.update_metadata(cleared)
        with self.get() as conn:
            conn.execute(
                "UPDATE %s SET delete_timestamp = ?, status = 'DELETED', "
                'status_changed_at = ? WHERE delete_timestamp < ?'
                % self.stat_table, (timestamp, timestamp, timestamp))

    def _keep_on_delete(self, key: str) -> bool:
        return False

    # -- replication -----------------------------------------------------
    def merge_timestamps(self, created_at: str, put_timestamp: str,
                         delete_timestamp: str) -> None:
        """Oldest creation, newest PUT and DELETE of two replicas."""
        with self.get() as conn:
            conn.execute(
                'UPDATE %s SET created_at = MIN(?, created_at), '
                'put_timestamp = MAX(?, put_timestamp), '
                'delete_timestamp = MAX(?, delete_timestamp)'
                % self.stat_table,
                (created_at, put_timestamp, delete_timestamp))

    def get_replication_info(self, remote_id: Optional[str] = None
                             ) -> Dict[str, Any]:
        """get_info plus what a replicator compares: max_row, count, raw
        metadata, and the sync point recorded for ``remote_id``."""
        info = self.get_info()
        info['count'] = info.get('object_count' if self.db_type ==
                                 'container' else 'container_count')
        info['max_row'] = self.get_max_row()
        info['point'] = self.get_sync(remote_id) if remote_id else -1
        return info

    def get_max_row(self) -> int:
        with self.get() as conn:
            row = conn.execute(
                'SELECT seq FROM sqlite_sequence WHERE name = ?',
                (self.db_contains,)).fetchone()
        return row[0] if row else -1

    def get_sync(self, remote_id: str, incoming: bool = True) -> int:
        table = 'incoming_sync' if incoming else 'outgoing_sync'
        with self.get() as conn:
            row = conn.execute('SELECT sync_point FROM %s WHERE remote_id = ?'
                               % table, (remote_id,)).fetchone()
        return row[0] if row else -1

    def get_syncs(self, incoming: bool = True) -> List[Dict[str, Any]]:
        table = 'incoming_sync' if incoming else 'outgoing_sync'
        with self.get() as conn:
            return [{'remote_id': r['remote_id'],
                     'sync_point': r['sync_point']}
                    for r in conn.execute('SELECT remote_id, sync_point '
                                          'FROM %s' % table)]

    def merge_syncs(self, sync_points: List[Dict[str, Any]],
                    incoming: bool = True) -> None:
        table = 'incoming_sync' if incoming else 'outgoing_sync'
        with self.get() as conn:
            conn.execute('BEGIN IMMEDIATE')
            for point in sync_points:
                upsert_sync_point(conn, table, point['remote_id'],
                                  point['sync_point'])
            conn.execute('COMMIT')

    def get_items_since(self, start: int, count: int
                        ) -> List[Dict[str, Any]]:
        """Rows with ROWID above ``start``, for replication."""
        self.commit_pending()
        with self.get() as conn:
            rows = conn.execute('SELECT * FROM %s WHERE ROWID > ? ORDER BY '
                                'ROWID ASC LIMIT ?' % self.db_contains,
                                (start, count)).fetchall()
        return [dict(row) for row in rows]

    def newid(self, remote_id: str) -> None:
        """Give this copy a fresh id, remembering the source's max row."""
        with self.get() as conn:
            row_id = self.get_max_row()
            conn.execute('UPDATE %s SET id = ?' % self.stat_table,
                         (str(uuid.uuid4()),))
            conn.execute('INSERT OR REPLACE INTO incoming_sync '
                         '(remote_id, sync_point) VALUES (?, ?)',
                         (remote_id, row_id))

    def reclaim(self, age_timestamp: str, sync_timestamp: str) -> None:
        """Drop deleted rows and blanked metadata older than the age, and
        sync points not updated since ``sync_timestamp``."""
        self.commit_pending()
        with self.get() as conn:
            conn.execute('BEGIN IMMEDIATE')
            conn.execute(self._reclaim_sql(), (age_timestamp,))
            for table in ('incoming_sync', 'outgoing_sync'):
                conn.execute('DELETE FROM %s WHERE updated_at < ?' % table,
                             (sync_timestamp,))
            conn.execute('COMMIT')
        meta = self.metadata
        stale = {k for k, (value, ts) in meta.items()
                 if value == '' and Timestamp(ts) < Timestamp(age_timestamp)}
        if stale:
            with self.get() as conn:
                conn.execute('UPDATE %s SET metadata = ?' % self.stat_table,
                             (json.dumps({k: v for k, v in meta.items()
                                          if k not in stale}),))

    def _reclaim_sql(self) -> str:
        raise NotImplementedError


def _split_sql(script: str) -> List[str]:
    """Statements of a script, keeping trigger bodies whole."""
    statements, current = [], []
    for line in script.strip().splitlines():
        current.append(line)
        joined = '\n'.join(current).strip()
        if joined.endswith(';') and sqlite3.complete_statement(joined):
            statements.append(joined)
            current = []
    return statements


def db_path(device_path: str, db_type: str, partition: str,
            name_hash: str) -> str:
    """``<dev>/<type>s/<part>/<sfx>/<hash>/<hash>.db``."""
    return os.path.join(device_path, db_type + 's', partition,
                        name_hash[-3:], name_hash, name_hash + '.db')


def iter_db_files(device_path: str, db_type: str
                  ) -> Iterator[Tuple[str, str]]:
    """(partition, db file) of every ``<type>`` DB on a device, for the
    replicators, updaters and auditors; directories vanishing under the
    walk (a replicator removing a handoff) are skipped."""
    root = os.path.join(device_path, db_type + 's')
    for partition in _listdir(root):
        part_dir = os.path.join(root, partition)
        for suffix in _listdir(part_dir):
            suffix_dir = os.path.join(part_dir, suffix)
            for name_hash in _listdir(suffix_dir):
                path = os.path.join(suffix_dir, name_hash, name_hash + '.db')
                if os.path.exists(path):
                    yield partition, path


def _listdir(path: str) -> List[str]:
    try:
        return sorted(os.listdir(path))
    except (NotADirectoryError, FileNotFoundError):
        return []

"""DiskFile: one object's files on one device, in Swift's on-disk layout.

``objects[-N]/<part>/<sfx>/<hash>/<timestamp>.data|.ts|.meta`` with the
metadata in xattrs. Writes are durable before they are visible: data and
xattrs are fsynced, then the file is linked into the hash dir and the
directory fsynced. A reader that finds bad metadata quarantines the hash
dir and reports the object as missing.
"""
from __future__ import annotations

import errno
import hashlib
import os
import tempfile
import time
import uuid
from typing import Dict, Iterator, List, Optional

from swiftlike.common.concurrency import in_thread
from swiftlike.common.config import ConfSection
from swiftlike.common.exceptions import (
    DiskFileCollision,
    DiskFileDeleted,
    DiskFileDeviceUnavailable,
    DiskFileExpired,
    DiskFileNoSpace,
    DiskFileNotExist,
    DiskFileQuarantined,
    DiskFileXattrNotSupported,
)
from swiftlike.common.fs import fsync_dir, makedirs_count
from swiftlike.common.hashing import hash_path
from swiftlike.common.storage_policy import get_policy_string
from swiftlike.common.timestamps import Timestamp
from swiftlike.obj import hashes as hashes_mod
from swiftlike.obj.metadata import (
    CHECKSUM_KEY,
    MetadataError,
    chunk_key,
    decode_metadata,
    encode_metadata,
    split_chunks,
    verify_checksum,
)
from swiftlike.obj.ondisk import (
    data_filename,
    gather_ondisk_files,
    meta_filename,
    tombstone_filename,
)

DEFAULT_DEVICES = '/srv/node'
DEFAULT_RECLAIM_AGE = 604800
DEFAULT_MB_PER_SYNC = 512
DEFAULT_DISK_CHUNK_SIZE = 65536
DEFAULT_FALLOCATE_RESERVE = '1%'
DEFAULT_MAX_UPLOAD_TIME = 86400
MIB = 1024 * 1024
#: Keys of the .data that stay in force when a .meta overrides the rest.
DATA_ONLY_KEYS = ('Content-Length', 'ETag', 'X-Static-Large-Object')
SYSMETA_PREFIX = 'X-Object-Sysmeta-'
_NO_SPACE = (errno.ENOSPC, errno.EDQUOT, errno.E2BIG)
_NOT_SUPPORTED = (errno.ENOTSUP, errno.EOPNOTSUPP)
#: open() errors meaning "this filesystem cannot do O_TMPFILE".
_NO_TMPFILE = (errno.EOPNOTSUPP, errno.EISDIR, errno.EINVAL)


def read_metadata(fd: int) -> Dict[str, str]:
    """Concatenate metadata xattrs 0, 1, 2...; check the checksum."""
    chunks = []
    index = 0
    while True:
        try:
            chunks.append(os.getxattr(fd, chunk_key(index)))
        except OSError as err:
            if err.errno == errno.ENODATA:
                break
            if err.errno in _NOT_SUPPORTED:
                raise DiskFileXattrNotSupported(str(err)) from None
            raise
        index += 1
    if not chunks:
        raise MetadataError('no metadata xattrs')
    pickled = b''.join(chunks)
    try:
        stored_sum = os.getxattr(fd, CHECKSUM_KEY)
    except OSError as err:
        if err.errno != errno.ENODATA:
            raise
        stored_sum = b''
    if not verify_checksum(pickled, stored_sum):
        raise MetadataError('metadata checksum mismatch')
    return decode_metadata(pickled)


def write_metadata(fd: int, metadata: Dict[str, str]) -> None:
    """Store metadata as Swift does: pickle chunks, then the checksum."""
    for key, value in split_chunks(encode_metadata(metadata)):
        try:
            os.setxattr(fd, key, value)
        except OSError as err:
            if err.errno in _NOT_SUPPORTED:
                raise DiskFileXattrNotSupported(
                    'the filesystem does not support user xattrs: %s'
                    % err) from None
            if err.errno in _NO_SPACE:
                raise DiskFileNoSpace(
                    'no room for the metadata in xattrs (%s): this '
                    'filesystem limits xattr size; use XFS' % err) from None
            raise


class DiskFileManager:
    """Devices, policies and settings shared by every DiskFile."""

    def __init__(self, conf: Dict[str, str]) -> None:
        conf = conf if isinstance(conf, ConfSection) else ConfSection(
            conf, path=conf.get('__file__', '<config>'),
            section='app:object-server')
        self.devices = conf.get('devices', DEFAULT_DEVICES)
        self.mount_check = conf.get_bool('mount_check', True)
        self.reclaim_age = conf.get_int('reclaim_age', DEFAULT_RECLAIM_AGE,
                                        minimum=0)
        self.disable_fallocate = conf.get_bool('disable_fallocate', False)
        self.bytes_per_sync = conf.get_int(
            'mb_per_sync', DEFAULT_MB_PER_SYNC, minimum=1) * MIB
        self.disk_chunk_size = conf.get_int(
            'disk_chunk_size', DEFAULT_DISK_CHUNK_SIZE, minimum=1)
        self.max_upload_time = conf.get_int(
            'max_upload_time', DEFAULT_MAX_UPLOAD_TIME, minimum=1)
        self.reserve_value, self.reserve_is_percent = _parse_reserve(
            conf, conf.get('fallocate_reserve', DEFAULT_FALLOCATE_RESERVE))
        #: cleared for the whole process when O_TMPFILE is refused once
        self.use_linkat = True

    def get_dev_path(self, device: str) -> Optional[str]:
        """The device's path, or None if unmounted (mount_check) or absent.
        """
        path = os.path.join(self.devices, device)
        if self.mount_check:
            return path if os.path.ismount(path) else None
        return path if os.path.isdir(path) else None

    def diskfile(self, device: str, partition: str, account: str,
                 container: str, obj: str, policy_index: int = 0
                 ) -> DiskFile:
        dev_path = self.get_dev_path(device)
        if dev_path is None:
            raise DiskFileDeviceUnavailable(device)
        return DiskFile(self, dev_path, partition, account, container, obj,
                        policy_index)

    def partition_path(self, dev_path: str, partition: str,
                       policy_index: int = 0) -> str:
        return os.path.join(dev_path,
                            get_policy_string('objects', policy_index),
                            partition)

    def get_hashes(self, device: str, partition: str,
                   recalculate=(), policy_index: int = 0):
        dev_path = self.get_dev_path(device)
        if dev_path is None:
            raise DiskFileDeviceUnavailable(device)
        part_dir = self.partition_path(dev_path, partition, policy_index)
        return hashes_mod.get_hashes(
            part_dir, recalculate, self.reclaim_age,
            quarantine=lambda path: quarantine_dir(dev_path, path,
                                                   policy_index))

    def has_space_for(self, fd: int, size: int) -> bool:
        """Whether writing ``size`` bytes leaves fallocate_reserve free."""
        stats = os.fstatvfs(fd)
        free = stats.f_bavail * stats.f_frsize
        if self.reserve_is_percent:
            total = stats.f_blocks * stats.f_frsize
            return (free - size) * 100.0 / max(total, 1) >= \
                self.reserve_value
        return free - size >= self.reserve_value

    def cleanup_tmp(self, max_age: Optional[float] = None) -> int:
        """Remove temp files left by writers that died (older than
        max_upload_time, so none can belong to a live upload)."""
        max_age = self.max_upload_time if max_age is None else max_age
        removed = 0
        try:
            devices = os.listdir(self.devices)
        except OSError:
            return 0
        cutoff = time.time() - max_age
        for device in devices:
            dev_path = os.path.join(self.devices, device)
            for tmp_name in _tmp_dirs(dev_path):
                removed += _remove_older(os.path.join(dev_path, tmp_name),
                                         cutoff)
        return removed


def _tmp_dirs(dev_path: str) -> List[str]:
    try:
        return [n for n in os.listdir(dev_path)
                if n == 'tmp' or n.startswith('tmp-')]
    except OSError:
        return []


def _remove_older(directory: str, cutoff: float) -> int:
    removed = 0
    try:
        names = os.listdir(directory)
    except OSError:
        return 0
    for name in names:
        path = os.path.join(directory, name)
        try:
            if os.path.isfile(path) and os.path.getmtime(path) < cutoff:
                os.unlink(path)
                removed += 1
        except OSError:
            pass
    return removed


def _parse_reserve(conf: ConfSection, value: str):
    text = str(value).strip()
    if text.endswith('%'):
        return conf.get_percent('fallocate_reserve') * 100, True
    return conf.get_int('fallocate_reserve', 0, minimum=0), False


def quarantine_dir(dev_path: str, path: str, policy_index: int = 0) -> str:
    """Move a hash dir (or file) to quarantined/objects[-N]/, and invalidate
    its suffix so replication brings a good copy back."""
    target_dir = os.path.join(dev_path, 'quarantined',
                              get_policy_string('objects', policy_index))
    os.makedirs(target_dir, exist_ok=True)
    target = os.path.join(target_dir, os.path.basename(path))
    if os.path.exists(target):
        target += '-' + uuid.uuid4().hex
    os.rename(path, target)
    suffix_dir = os.path.dirname(path)
    if os.path.basename(os.path.dirname(suffix_dir)).isdigit():
        hashes_mod.invalidate_hash(suffix_dir)
    return target


class DiskFile:
    """One object on one device: open to read, or create/delete/post."""

    def __init__(self, mgr: DiskFileManager, dev_path: str, partition: str,
                 account: str, container: str, obj: str,
                 policy_index: int = 0) -> None:
        self.mgr = mgr
        self.dev_path = dev_path
        self.partition = partition
        self.policy_index = policy_index
        self.name = '/%s/%s/%s' % (account, container, obj)
        self.hash = hash_path(account, container, obj)
        self.partition_dir = mgr.partition_path(dev_path, partition,
                                                policy_index)
        self.suffix_dir = os.path.join(self.partition_dir, self.hash[-3:])
        self.datadir = os.path.join(self.suffix_dir, self.hash)
        self.tmpdir = os.path.join(dev_path,
                                   get_policy_string('tmp', policy_index))
        self._fp = None
        self._data_file: Optional[str] = None
        self.metadata: Dict[str, str] = {}
        self.data_metadata: Dict[str, str] = {}
        self.data_timestamp: Optional[Timestamp] = None
        self.timestamp: Optional[Timestamp] = None
        self.content_type_timestamp: Optional[Timestamp] = None

    # -- reading ---------------------------------------------------------
    def _listdir(self) -> List[str]:
        try:
            return os.listdir(self.datadir)
        except FileNotFoundError:
            return []
        except NotADirectoryError:
            self.quarantine()
            raise DiskFileQuarantined('hash dir is a file') from None

    def open(self, now: Optional[float] = None,
             open_expired: bool = False) -> DiskFile:
        """Load the current state; raise DiskFileNotExist (or a subclass).
        """
        now = time.time() if now is None else now
        state = gather_ondisk_files(self._listdir(), self.mgr.reclaim_age,
                                    now)
        if state.tombstone is not None:
            raise DiskFileDeleted(timestamp=state.tombstone.timestamp)
        if state.data is None:
            raise DiskFileNotExist()
        self._data_file = os.path.join(self.datadir, state.data.filename)
        try:
            fp = open(self._data_file, 'rb')  # noqa: SIM115 - kept open
        except FileNotFoundError:
            raise DiskFileNotExist() from None
        try:
            self._load(fp, state, now, open_expired)
        except BaseException:
            fp.close()
            raise
        self._fp = fp
        return self

    def _load(self, fp, state, now: float, open_expired: bool) -> None:
        data_meta = self._checked_metadata(fp.fileno())
        size = os.fstat(fp.fileno()).st_size
        length = data_meta.get('Content-Length')
        if length is None or not str(length).isdigit() or \
                int(length) != size:
            self.quarantine()
            raise DiskFileQuarantined('Content-Length %r != file size %d'
                                      % (length, size))
        metadata = dict(data_meta)
        if state.meta is not None:
            metadata = self._overlay_meta(data_meta, state)
        self.data_metadata = data_meta
        self.metadata = metadata
        self.data_timestamp = state.data.timestamp
        self.timestamp = Timestamp(metadata['X-Timestamp'])
        self.content_type_timestamp = state.content_type_timestamp or \
            self.data_timestamp
        delete_at = metadata.get('X-Delete-At')
        if delete_at is not None:
            if not str(delete_at).isdigit():
                self.quarantine()
                raise DiskFileQuarantined('bad X-Delete-At')
            if int(delete_at) <= now and not open_expired:
                raise DiskFileExpired(timestamp=self.timestamp,
                                      metadata=metadata)

    def _checked_metadata(self, fd: int) -> Dict[str, str]:
        try:
            metadata = read_metadata(fd)
        except MetadataError as err:
            self.quarantine()
            raise DiskFileQuarantined(str(err)) from None
        if 'name' not in metadata or 'X-Timestamp' not in metadata:
            self.quarantine()
            raise DiskFileQuarantined('metadata lacks name or X-Timestamp')
        if metadata['name'] != self.name:
            raise DiskFileCollision('object %s holds %s'
                                    % (self.name, metadata['name']))
        return metadata

    def _overlay_meta(self, data_meta: Dict[str, str], state
                      ) -> Dict[str, str]:
        """The .meta's keys, plus what only a PUT can set (spec/disk 4.3)."""
        path = os.path.join(self.datadir, state.meta.filename)
        try:
            with open(path, 'rb') as f:
                meta = self._checked_metadata(f.fileno())
        except FileNotFoundError:
            return dict(data_meta)
        merged = dict(meta)
        for key, value in data_meta.items():
            if key in DATA_ONLY_KEYS or key.startswith(SYSMETA_PREFIX):
                merged[key] = value
        merged.pop('Content-Type', None)
        merged.pop('Content-Type-Timestamp', None)
        ctype_source = data_meta
        if state.ctype_meta is not None and state.content_type_timestamp:
            ctype_path = os.path.join(self.datadir,
                                      state.ctype_meta.filename)
            if state.ctype_meta is state.meta:
                ctype_source = meta
            else:
                with open(ctype_path, 'rb') as f:
                    ctype_source = self._checked_metadata(f.fileno())
        if 'Content-Type' in ctype_source:
            merged['Content-Type'] = ctype_source['Content-Type']
        return merged

    @property
    def content_length(self) -> int:
        return int(self.metadata['Content-Length'])

    @property
    def etag(self) -> str:
        return self.metadata['ETag']

    def reader(self) -> DiskFileReader:
        """Hand the open data file to a reader (which closes it)."""
        fp, self._fp = self._fp, None
        return DiskFileReader(fp, self.content_length, self.etag,
                              self.mgr.disk_chunk_size, self.quarantine)

    def close(self) -> None:
        if self._fp is not None:
            self._fp.close()
            self._fp = None

    def quarantine(self) -> Optional[str]:
        try:
            return quarantine_dir(self.dev_path, self.datadir,
                                  self.policy_index)
        except FileNotFoundError:
            return None

    # -- writing ---------------------------------------------------------
    def writer(self, size: Optional[int] = None,
               metadata_only: bool = False) -> DiskFileWriter:
        """A writer for a body of ``size`` bytes (None: unknown, chunked);
        ``metadata_only`` for .ts and .meta files, which need no room."""
        return DiskFileWriter(self, size, metadata_only)

    def write_metadata(self, metadata: Dict[str, str]) -> None:
        """Fast-POST: a .meta named for its timestamp (and content-type)."""
        timestamp = Timestamp(metadata['X-Timestamp'])
        ctype = metadata.get('Content-Type-Timestamp')
        name = meta_filename(timestamp, Timestamp(ctype) if ctype else None)
        with self.writer(0, metadata_only=True) as writer:
            writer.put(metadata, name)

    def delete(self, timestamp: Timestamp) -> None:
        """Write a tombstone; older files go at cleanup."""
        with self.writer(0, metadata_only=True) as writer:
            writer.put({'X-Timestamp': timestamp.internal, 'name': self.name},
                       tombstone_filename(timestamp))


class DiskFileWriter:
    """Streams a body to an anonymous temp file, then publishes it.

    Use as a context manager: whatever happens, an unpublished temp file is
    gone afterwards (O_TMPFILE files vanish on close by themselves).
    """

    def __init__(self, diskfile: DiskFile, size: Optional[int],
                 metadata_only: bool = False) -> None:
        self.df = diskfile
        self.size = size
        self.metadata_only = metadata_only
        self.fd: Optional[int] = None
        self.tmppath: Optional[str] = None
        self.md5 = hashlib.md5(usedforsecurity=False)
        self.bytes_written = 0
        self._last_sync = 0
        self._created_dirs = 0

    def __enter__(self) -> DiskFileWriter:
        self.open()
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def open(self) -> None:
        df = self.df
        self._created_dirs = makedirs_count(df.datadir)
        self.fd = self._open_tmp()
        if not self.metadata_only:
            self._reserve(self.size or 0)

    def _open_tmp(self) -> int:
        mgr = self.df.mgr
        if mgr.use_linkat:
            try:
                return os.open(self.df.datadir, os.O_TMPFILE | os.O_WRONLY,
                               0o644)
            except OSError as err:
                if err.errno not in _NO_TMPFILE:
                    raise
                mgr.use_linkat = False
        os.makedirs(self.df.tmpdir, exist_ok=True)
        fd, self.tmppath = tempfile.mkstemp(dir=self.df.tmpdir)
        return fd

    def _reserve(self, size: int) -> None:
        mgr = self.df.mgr
        if not mgr.has_space_for(self.fd, size):
            raise DiskFileNoSpace('not enough free space (fallocate_reserve)')
        if mgr.disable_fallocate or not size:
            return
        try:
            os.posix_fallocate(self.fd, 0, size)
        except OSError as err:
            if err.errno in _NO_SPACE:
                raise DiskFileNoSpace(str(err)) from None
            if err.errno not in _NOT_SUPPORTED:
                raise

    def write(self, chunk: bytes) -> None:
        view = memoryview(chunk)
        while view:
            written = os.write(self.fd, view)
            view = view[written:]
        self.md5.update(chunk)
        self.bytes_written += len(chunk)
        if self.bytes_written - self._last_sync >= \
                self.df.mgr.bytes_per_sync:
            os.fdatasync(self.fd)
            os.posix_fadvise(self.fd, self._last_sync,
                             self.bytes_written - self._last_sync,
                             os.POSIX_FADV_DONTNEED)
            self._last_sync = self.bytes_written

    @property
    def etag(self) -> str:
        return self.md5.hexdigest()

    def put(self, metadata: Dict[str, str], filename: Optional[str] = None
            ) -> None:
        """Metadata, fsync, invalidate the suffix, publish, clean up."""
        if filename is None:
            filename = data_filename(Timestamp(metadata['X-Timestamp']))
        if self.size and self.bytes_written < self.size:
            os.ftruncate(self.fd, self.bytes_written)
        write_metadata(self.fd, metadata)
        in_thread(os.fsync, self.fd)
        hashes_mod.invalidate_hash(self.df.suffix_dir)
        self._publish(os.path.join(self.df.datadir, filename))
        self._cleanup()

    def _publish(self, target: str) -> None:
        """Make the file visible under its final name, then fsync the dirs.

        O_TMPFILE files are linked with linkat(AT_SYMLINK_FOLLOW) through
        /proc/self/fd; CPython only uses linkat when given a dir fd.
        """
        dir_fd = os.open(self.df.datadir, os.O_RDONLY | os.O_DIRECTORY)
        try:
            if self.tmppath is None:
                self._link_tmpfile(dir_fd, os.path.basename(target))
            else:
                os.rename(self.tmppath, target)
                self.tmppath = None
            in_thread(os.fsync, dir_fd)
        finally:
            os.close(dir_fd)
        directory = self.df.datadir
        for _ in range(self._created_dirs):
            directory = os.path.dirname(directory)
            in_thread(fsync_dir, directory)

    def _link_tmpfile(self, dir_fd: int, name: str) -> None:
        source = '/proc/self/fd/%d' % self.fd
        try:
            os.link(source, name, src_dir_fd=dir_fd, dst_dir_fd=dir_fd,
                    follow_symlinks=True)
        except FileExistsError:
            os.unlink(name, dir_fd=dir_fd)
            os.link(source, name, src_dir_fd=dir_fd, dst_dir_fd=dir_fd,
                    follow_symlinks=True)

    def _cleanup(self) -> None:
        df = self.df
        state = gather_ondisk_files(os.listdir(df.datadir),
                                    df.mgr.reclaim_age, time.time())
        hashes_mod.remove_files(df.datadir, state.obsolete)

    def close(self) -> None:
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None
        if self.tmppath is not None:
            try:
                os.unlink(self.tmppath)
            except FileNotFoundError:
                pass
            self.tmppath = None


class DiskFileReader:
    """Iterates an object's bytes; a full read checks them against the ETag
    and quarantines the object on mismatch."""

    def __init__(self, fp, length: int, etag: str, chunk_size: int,
                 quarantine) -> None:
        self.fp = fp
        self.length = length
        self.etag = etag
        self.chunk_size = chunk_size
        self._quarantine = quarantine

    def __iter__(self) -> Iterator[bytes]:
        md5 = hashlib.md5(usedforsecurity=False)
        read = 0
        try:
            self.fp.seek(0)
            while True:
                chunk = self.fp.read(self.chunk_size)
                if not chunk:
                    break
                md5.update(chunk)
                read += len(chunk)
                yield chunk
            if read == self.length and md5.hexdigest() != self.etag:
                self._quarantine()
        finally:
            self.close()

    def read_range(self, first: int, last: int) -> Iterator[bytes]:
        """Bytes first..last inclusive; leaves the file open for more."""
        self.fp.seek(first)
        remaining = last - first + 1
        while remaining > 0:
            chunk = self.fp.read(min(self.chunk_size, remaining))
            if not chunk:
                break
            remaining -= len(chunk)
            yield chunk

    def close(self) -> None:
        if self.fp is not None:
            self.fp.close()
            self.fp = None

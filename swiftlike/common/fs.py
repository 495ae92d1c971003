"""Filesystem helpers for durable writes (what is reported written is on
disk), locks, and reading a file's checksum."""
from __future__ import annotations

import contextlib
import errno
import fcntl
import hashlib
import os
import tempfile
import time
from typing import Iterator, Optional, Type

from swiftlike.common.exceptions import LockTimeout

#: Seconds to wait for a directory lock, as Swift's default.
DEFAULT_LOCK_TIMEOUT = 10
_LOCK_POLL = 0.001


def fsync_dir(path: str) -> None:
    """fsync a directory so a rename or create inside it survives a crash."""
    dir_fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def write_file_atomically(path: str, data: bytes, mode: int = 0o644,
                          tmp_dir: Optional[str] = None) -> None:
    """Replace ``path`` with ``data``: readers see the old or the new file.

    mkstemp (suffix .tmp, in ``tmp_dir`` or beside the target), write,
    fsync, chmod, rename, then fsync the directory, as Swift does for rings,
    hashes.pkl and async pendings.
    """
    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp_path = tempfile.mkstemp(dir=tmp_dir or directory, suffix='.tmp')
    try:
        with os.fdopen(fd, 'wb') as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp_path, mode)
        os.rename(tmp_path, path)
    except BaseException:
        if os.path.exists(tmp_path):
            os.unlink(tmp_path)
        raise
    fsync_dir(directory)


def read_file(path: str, error: Type[Exception], what: str) -> bytes:
    """A whole (small) file, or ``error`` naming what could not be read."""
    try:
        with open(path, 'rb') as f:
            return f.read()
    except OSError as err:
        raise error('Unable to read %s %s: %s' % (what, path, err)) from None


@contextlib.contextmanager
def lock_path(directory: str, timeout: float = DEFAULT_LOCK_TIMEOUT,
              name: Optional[str] = None) -> Iterator[None]:
    """Hold ``flock(LOCK_EX)`` on ``<directory>/.lock[-name]``.

    Swift's lock files, so swiftlike and Swift processes sharing a disk
    exclude each other. Polls (cooperatively under green threads) until
    ``timeout``.
    """
    os.makedirs(directory, exist_ok=True)
    path = os.path.join(directory, '.lock' + ('-' + name if name else ''))
    fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o644)
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError as err:
                if err.errno not in (errno.EAGAIN, errno.EACCES):
                    raise
                if time.monotonic() >= deadline:
                    raise LockTimeout('%s not locked within %ss'
                                      % (path, timeout)) from None
                time.sleep(_LOCK_POLL)
        yield
    finally:
        os.close(fd)


def makedirs_count(path: str) -> int:
    """mkdir -p that returns how many directories it created.

    Callers fsync the parents of each created directory so that the new
    entries survive a crash.
    """
    created = 0
    missing = []
    while not os.path.isdir(path):
        missing.append(path)
        path = os.path.dirname(path)
    for directory in reversed(missing):
        try:
            os.mkdir(directory)
            created += 1
        except FileExistsError:
            pass
    return created


def file_md5(path: str, block_size: int = 1 << 20) -> str:
    """The hex MD5 of a file's bytes (its ETag, or a ring's checksum),
    read in large blocks."""
    md5 = hashlib.md5(usedforsecurity=False)
    with open(path, 'rb') as f:
        for block in iter(lambda: f.read(block_size), b''):
            md5.update(block)
    return md5.hexdigest()

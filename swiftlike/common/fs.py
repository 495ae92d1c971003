"""Filesystem helpers for durable writes: what is reported written is on disk.
"""
from __future__ import annotations

import os
import tempfile
from typing import Type


def fsync_dir(path: str) -> None:
    """fsync a directory so a rename or create inside it survives a crash."""
    dir_fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def write_file_atomically(path: str, data: bytes, mode: int = 0o644) -> None:
    """Replace ``path`` with ``data``: readers see the old or the new file.

    mkstemp in the same directory (suffix .tmp), write, fsync, chmod, rename,
    then fsync the directory, as Swift does for rings, hashes.pkl and async
    pendings.
    """
    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp_path = tempfile.mkstemp(dir=directory, suffix='.tmp')
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

"""Transfers as the user sees them: a progress bar on a terminal, and the
file reader that moves it while hashing what is sent."""
from __future__ import annotations

import hashlib
import os
import sys
import threading
from typing import Optional

from swiftlike.cli.client_http import CHUNK

#: files smaller than this get no progress bar
PROGRESS_MIN = 8 * 1024 * 1024


class Progress:
    """A one-line progress bar when standard output is a terminal, so a
    script reading the names the client prints never sees one."""

    def __init__(self, label: str, total: int, stream=None) -> None:
        stream = stream or sys.stdout
        self.label = label
        self.total = max(total, 1)
        self.done = 0
        self.stream = stream
        self.active = stream.isatty() and total >= PROGRESS_MIN
        self.lock = threading.Lock()

    def add(self, count: int) -> None:
        if not self.active:
            return
        with self.lock:  # (segments move one bar from several threads)
            self.done += count
            self._draw()

    def _draw(self) -> None:
        width = 30
        filled = int(width * self.done / self.total)
        self.stream.write('\r%s [%s%s] %3d%%' % (
            self.label[-40:], '#' * filled, ' ' * (width - filled),
            100 * self.done // self.total))
        if self.done >= self.total:
            self.stream.write('\n')
        self.stream.flush()


class ProgressReader:
    """A file streamed as a request body: its reads move a progress bar
    and feed an MD5 to compare with the ETag the cluster answers. Reads
    are of at least CHUNK bytes, whatever the HTTP library asks for, so a
    large upload costs few Python calls."""

    def __init__(self, f, progress: Progress,
                 length: Optional[int] = None) -> None:
        self.f = f
        self.progress = progress
        self.md5 = hashlib.md5(usedforsecurity=False)
        #: what is sent: the rest of the file, or ``length`` bytes of it
        self.len = os.fstat(f.fileno()).st_size - f.tell() \
            if length is None else length
        self.left = self.len

    def read(self, size: int = -1) -> bytes:
        want = self.left if size < 0 else min(max(size, CHUNK), self.left)
        data = self.f.read(want) if want > 0 else b''
        self.left -= len(data)
        self.md5.update(data)
        self.progress.add(len(data))
        return data

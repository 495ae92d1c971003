"""The process manager: forks workers, watches them, handles signals.

Knows nothing about HTTP or eventlet (gunicorn's split): it is handed a
function that serves until told to stop. SIGTERM stops the workers
gracefully; SIGHUP does the same and re-execs the server so a new binary or
config takes over; a worker that dies unexpectedly is replaced.
"""
from __future__ import annotations

import errno
import logging
import os
import signal
import socket
import sys
import time
from typing import Callable, Dict

#: Pause before replacing a worker that died, so a crash loop stays cheap.
RESPAWN_DELAY = 1.0
#: How often the manager looks at its flags and children. Blocking waits
#: would be resumed after a signal (PEP 475) and never see the flags.
POLL_INTERVAL = 0.1


def notify_systemd(state: str) -> bool:
    """Send ``state`` (``READY=1``, ``STOPPING=1``) to $NOTIFY_SOCKET."""
    address = os.environ.get('NOTIFY_SOCKET')
    if not address:
        return False
    if address.startswith('@'):
        address = '\0' + address[1:]
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    try:
        sock.connect(address)
        sock.sendall(state.encode('ascii'))
        return True
    except OSError:
        return False
    finally:
        sock.close()


def reexec() -> None:
    """Replace this process with a fresh copy of the same command line."""
    os.execv(sys.executable, [sys.executable] + sys.argv)


class ProcessManager:
    """Run ``worker_main()`` in ``workers`` forked children until stopped."""

    def __init__(self, workers: int, worker_main: Callable[[], int],
                 logger: logging.Logger) -> None:
        self.workers = workers
        self.worker_main = worker_main
        self.logger = logger
        self.children: Dict[int, float] = {}
        self.running = True
        self.reload = False

    def _spawn(self) -> None:
        pid = os.fork()
        if pid == 0:
            for sig in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
                signal.signal(sig, signal.SIG_DFL)
            code = 1
            try:
                code = self.worker_main()
            except BaseException:
                self.logger.exception('worker %d failed', os.getpid())
            finally:
                os._exit(code or 0)
        self.children[pid] = time.time()
        self.logger.info('Started worker %d', pid)

    def _on_stop(self, signum, frame) -> None:
        self.running = False

    def _on_hup(self, signum, frame) -> None:
        self.running = False
        self.reload = True

    def run(self) -> int:
        signal.signal(signal.SIGTERM, self._on_stop)
        signal.signal(signal.SIGINT, self._on_stop)
        signal.signal(signal.SIGHUP, self._on_hup)
        for _ in range(self.workers):
            self._spawn()
        notify_systemd('READY=1')
        while self.running:
            self._reap_and_respawn()
        notify_systemd('STOPPING=1')
        self._stop_children()
        if self.reload:
            self.logger.info('SIGHUP: re-executing')
            reexec()
        return 0

    def _reap_and_respawn(self) -> None:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            pid, status = 0, 0
        if pid == 0:
            time.sleep(POLL_INTERVAL)
            return
        if pid in self.children:
            del self.children[pid]
            if self.running:
                self.logger.error('Worker %d exited with status %d; '
                                  'starting another', pid, status)
                time.sleep(RESPAWN_DELAY)
                if self.running:
                    self._spawn()

    def _stop_children(self) -> None:
        """SIGTERM every worker and wait: they finish in-flight requests."""
        for pid in list(self.children):
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                self.children.pop(pid, None)
        while self.children:
            try:
                pid, _ = os.wait()
            except InterruptedError:
                continue
            except OSError as err:
                if err.errno == errno.ECHILD:
                    break
                raise
            self.children.pop(pid, None)
        self.logger.info('All workers stopped')

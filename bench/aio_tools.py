"""What the benchmarks share: an all-in-one of their own, and uploads by
many clients at once."""
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

from swiftclient import client as swiftclient


def start_aio(port, extra=()):
    root = tempfile.mkdtemp(prefix='swiftlike-bench-aio-',
                            dir='/dev/shm' if os.path.isdir('/dev/shm')
                            else None)
    log = open(os.path.join(root, 'aio.out'), 'w')  # noqa: SIM115
    beside = os.path.join(os.path.dirname(sys.executable), 'swiftlike-aio')
    aio = beside if os.path.exists(beside) else 'swiftlike-aio'
    proc = subprocess.Popen([aio, '--data-dir',
                             os.path.join(root, 'data'), '--proxy-port',
                             str(port), '--base-port', str(port + 100)] +
                            list(extra),
                            stdout=log, stderr=subprocess.STDOUT)
    proc.root = root
    deadline = time.time() + 90
    while time.time() < deadline:
        with open(log.name) as f:
            if 'Press Ctrl-C' in f.read():
                return proc
        time.sleep(0.2)
    proc.kill()
    raise SystemExit('the all-in-one did not start')


def stop_aio(proc):
    proc.send_signal(signal.SIGTERM)
    proc.wait(60)
    shutil.rmtree(proc.root, ignore_errors=True)


def in_parallel(url, names, work, clients=16):
    """``work(conn, name)`` for each of ``names``, by ``clients`` threads,
    each with its own connection to ``url``."""
    queue = list(names)
    lock = threading.Lock()

    def worker():
        conn = swiftclient.http_connection(url)
        while True:
            with lock:
                if not queue:
                    return
                name = queue.pop()
            work(conn, name)

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def parallel_put(url, token, container, names, body, clients=16):
    """PUT ``body`` as each of ``names`` with ``clients`` connections."""
    in_parallel(url, names, lambda conn, name: swiftclient.put_object(
        url, token, container, name, body, http_conn=conn), clients)

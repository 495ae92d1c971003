#!/usr/bin/env python3
"""Object server benchmark: PUT and GET straight to one object server.

    python bench/obj_bench.py [--devices DIR] [--workers N] [--clients 16]

Starts swiftlike-object-server on a free port with its device under DIR
(default: a fresh directory in /dev/shm; give an XFS mount to measure
disks), then for 4 KiB and 16 MiB objects runs PUTs then GETs from
``--clients`` concurrent clients and prints ops/s, MiB/s and p50/p99
latency. Figures are for comparing versions on one machine.
"""
import argparse
import http.client
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MIB = 1024 * 1024
PARTITIONS = 1024


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def start_server(root: str, workers: int):
    etc = os.path.join(root, 'etc')
    os.makedirs(os.path.join(root, 'srv', 'sda1'))
    os.makedirs(etc)
    with open(os.path.join(etc, 'swift.conf'), 'w') as f:
        f.write('[swift-hash]\nswift_hash_path_suffix = bench\n')
    port = free_port()
    conf = os.path.join(etc, 'object-server.conf')
    with open(conf, 'w') as f:
        f.write('[DEFAULT]\nbind_ip = 127.0.0.1\nbind_port = %d\n'
                'workers = %d\ndevices = %s\nmount_check = false\nuser =\n'
                'log_level = WARNING\nlog_address = /nonexistent\n\n'
                '[pipeline:main]\npipeline = healthcheck object-server\n\n'
                '[app:object-server]\nuse = egg:swiftlike#object\n\n'
                '[filter:healthcheck]\nuse = egg:swiftlike#healthcheck\n'
                % (port, workers, os.path.join(root, 'srv')))
    env = dict(os.environ, SWIFT_CONF_FILE=os.path.join(etc, 'swift.conf'),
               PYTHONPATH=REPO)
    exe = shutil.which('swiftlike-object-server')
    cmd = [exe] if exe else [sys.executable,
                             os.path.join(REPO, 'bin',
                                          'swiftlike-object-server')]
    proc = subprocess.Popen(cmd + [conf], env=env,
                            stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            conn = http.client.HTTPConnection('127.0.0.1', port, timeout=1)
            conn.request('GET', '/healthcheck')
            if conn.getresponse().status == 200:
                return proc, port
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit('object server did not start')


def run_phase(port, method, names, body, clients):
    latencies = []
    lock = threading.Lock()
    queue = list(names)
    errors = []

    def client():
        conn = http.client.HTTPConnection('127.0.0.1', port, timeout=60)
        while True:
            with lock:
                if not queue:
                    break
                name = queue.pop()
            headers = {}
            if method == 'PUT':
                headers = {'X-Timestamp': '%.5f' % time.time(),
                           'Content-Type': 'application/octet-stream',
                           'Content-Length': str(len(body))}
            started = time.perf_counter()
            # objects spread over partitions, as a ring spreads them
            conn.request(method, '/sda1/%d/AUTH_bench/c/%s' % (
                hash(name) % PARTITIONS, name),
                         body=body if method == 'PUT' else None,
                         headers=headers)
            resp = conn.getresponse()
            data = resp.read()
            elapsed = time.perf_counter() - started
            if resp.status not in (200, 201) or \
                    (method == 'GET' and len(data) != len(body)):
                errors.append(resp.status)
            with lock:
                latencies.append(elapsed)
        conn.close()

    threads = [threading.Thread(target=client) for _ in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - started, sorted(latencies), errors


def report(label, method, count, size, elapsed, latencies, errors):
    def pct(p):
        return latencies[min(len(latencies) - 1, int(len(latencies) * p))]
    print('%-8s %-4s %5d ops in %6.2f s: %8.1f ops/s %8.1f MiB/s  '
          'p50 %7.1f ms  p99 %7.1f ms%s' % (
              label, method, count, elapsed, count / elapsed,
              count * size / MIB / elapsed, pct(0.50) * 1000,
              pct(0.99) * 1000,
              '  ERRORS %d' % len(errors) if errors else ''))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--devices', default='/dev/shm')
    parser.add_argument('--workers', type=int, default=os.cpu_count() or 1)
    parser.add_argument('--clients', type=int, default=16)
    parser.add_argument('--small-count', type=int, default=4000)
    parser.add_argument('--large-count', type=int, default=64)
    args = parser.parse_args()
    root = tempfile.mkdtemp(prefix='swiftlike-bench-', dir=args.devices)
    proc, port = start_server(root, args.workers)
    try:
        print('object server: %d worker(s), devices on %s, %d clients' % (
            args.workers, root, args.clients))
        for label, size, count in (('4KiB', 4096, args.small_count),
                                   ('16MiB', 16 * MIB, args.large_count)):
            body = os.urandom(size)
            names = ['%s-%d' % (label, i) for i in range(count)]
            for method in ('PUT', 'GET'):
                report(label, method, count, size,
                       *run_phase(port, method, names, body, args.clients))
    finally:
        proc.terminate()
        proc.wait()
        shutil.rmtree(root, ignore_errors=True)


if __name__ == '__main__':
    main()

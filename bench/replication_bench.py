#!/usr/bin/env python3
"""Replication benchmark: seconds to refill an emptied device.

    python bench/replication_bench.py [--objects 10000] [--clients 16]

Starts its own all-in-one (no background daemons), uploads ``--objects``
4 KiB objects, empties node 2's device, then runs the object-replicator
once on the other three nodes at the same time (as their daemons would)
and times it until node 2 holds every object it should again. Prints one
JSON document.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import time

from swiftclient import client as swiftclient

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))

from bench.aio_tools import (  # noqa: E402
    parallel_put,
    start_aio,
    stop_aio,
)

WIPED_NODE = 2


def data_files(device_dir):
    count = 0
    for _, _, files in os.walk(os.path.join(device_dir, 'objects')):
        count += sum(1 for name in files if name.endswith('.data'))
    return count


def set_concurrency(etc, concurrency):
    for node in (1, 2, 3, 4):
        path = os.path.join(etc, 'object-server-%d.conf' % node)
        with open(path) as f:
            text = f.read()
        text = text.replace('[object-replicator]\n', '[object-replicator]\n'
                            'concurrency = %d\n' % concurrency)
        with open(path, 'w') as f:
            f.write(text)


def replicator(etc, node):
    beside = os.path.join(os.path.dirname(sys.executable),
                          'swiftlike-object-replicator')
    exe = beside if os.path.exists(beside) else 'swiftlike-object-replicator'
    env = dict(os.environ, SWIFT_CONF_FILE=os.path.join(etc, 'swift.conf'))
    return subprocess.Popen(
        [exe, os.path.join(etc, 'object-server-%d.conf' % node), '--once'],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--objects', type=int, default=10000)
    parser.add_argument('--clients', type=int, default=16)
    parser.add_argument('--port', type=int, default=18580)
    parser.add_argument('--concurrency', type=int, default=1,
                        help="the object-replicator's concurrency")
    args = parser.parse_args()
    proc = start_aio(args.port, extra=['--no-daemons'])
    data = os.path.join(proc.root, 'data')
    try:
        url, token = swiftclient.get_auth(
            'http://127.0.0.1:%d/auth/v1.0' % args.port, 'test:tester',
            'testing')
        swiftclient.put_container(url, token, 'bench')
        began = time.perf_counter()
        parallel_put(url, token, 'bench', ['obj-%06d' % i for i in range(
            args.objects)], os.urandom(4096), args.clients)
        upload_seconds = time.perf_counter() - began
        device = os.path.join(data, 'srv', 'node%d' % WIPED_NODE,
                              'sdb%d' % WIPED_NODE)
        expected = data_files(device)
        shutil.rmtree(os.path.join(device, 'objects'))
        set_concurrency(os.path.join(data, 'etc'), args.concurrency)
        began = time.perf_counter()
        workers = [replicator(os.path.join(data, 'etc'), node)
                   for node in (1, 2, 3, 4) if node != WIPED_NODE]
        for worker in workers:
            worker.wait()
        seconds = time.perf_counter() - began
        refilled = data_files(device)
        json.dump({'objects': args.objects, 'object_size': 4096,
                   'upload_seconds': round(upload_seconds, 2),
                   'objects_on_emptied_device': expected,
                   'refilled': refilled,
                   'replicator_concurrency': args.concurrency,
                   'replication_seconds': round(seconds, 2),
                   'objects_per_second': round(refilled / seconds, 1)},
                  sys.stdout, indent=2)
        print()
    finally:
        stop_aio(proc)


if __name__ == '__main__':
    main()

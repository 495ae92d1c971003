#!/usr/bin/env python3
"""Cluster benchmark: the public API of a running all-in-one.

    swiftlike-aio --proxy-port 8080 &        # in another terminal
    python bench/cluster_bench.py [--auth-url URL] [--clients 16]

PUT, GET, HEAD and DELETE of 4 KiB objects and PUT/GET of 16 MiB objects
through the proxy with ``--clients`` concurrent clients (python-swiftclient
connections); prints one JSON document: ops/s, MiB/s, p50/p99 latency.
With ``--start`` it starts (and stops) its own all-in-one.
"""
import argparse
import json
import os
import sys
import time

from swiftclient import client as swiftclient

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))

from bench.aio_tools import in_parallel, start_aio, stop_aio  # noqa: E402

MIB = 1024 * 1024


def phase(url, token, method, names, body, clients, container):
    latencies, errors = [], []

    def one(conn, name):
        started = time.perf_counter()
        try:
            if method == 'PUT':
                swiftclient.put_object(url, token, container, name, body,
                                       http_conn=conn)
            elif method == 'GET':
                _, data = swiftclient.get_object(url, token, container,
                                                 name, http_conn=conn)
                assert len(data) == len(body)
            elif method == 'HEAD':
                swiftclient.head_object(url, token, container, name,
                                        http_conn=conn)
            else:
                swiftclient.delete_object(url, token, container, name,
                                          http_conn=conn)
        except Exception as err:  # counted and reported
            errors.append(repr(err))
        latencies.append(time.perf_counter() - started)

    started = time.perf_counter()
    in_parallel(url, names, one, clients)
    elapsed = time.perf_counter() - started
    latencies.sort()

    def pct(p):
        return round(latencies[min(len(latencies) - 1,
                                   int(len(latencies) * p))] * 1000, 2)
    result = {'ops': len(names), 'seconds': round(elapsed, 3),
              'ops_per_s': round(len(names) / elapsed, 1),
              'p50_ms': pct(0.5), 'p99_ms': pct(0.99), 'errors': len(errors)}
    if method in ('PUT', 'GET'):
        result['mib_per_s'] = round(len(names) * len(body) / MIB / elapsed,
                                    1)
    return result




def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--auth-url',
                        default='http://127.0.0.1:8080/auth/v1.0')
    parser.add_argument('--user', default='test:tester')
    parser.add_argument('--key', default='testing')
    parser.add_argument('--clients', type=int, default=16)
    parser.add_argument('--small-count', type=int, default=2000)
    parser.add_argument('--large-count', type=int, default=32)
    parser.add_argument('--start', action='store_true',
                        help='start an all-in-one for the run')
    args = parser.parse_args()
    proc = None
    if args.start:
        port = int(args.auth_url.split(':')[2].split('/')[0])
        proc = start_aio(port)
    try:
        url, token = swiftclient.get_auth(args.auth_url, args.user, args.key)
        container = 'bench-%d' % int(time.time())
        swiftclient.put_container(url, token, container)
        report = {'clients': args.clients}
        small = os.urandom(4096)
        names = ['small-%d' % i for i in range(args.small_count)]
        for method in ('PUT', 'GET', 'HEAD', 'DELETE'):
            report['4KiB_%s' % method] = phase(url, token, method, names,
                                               small, args.clients,
                                               container)
        large = os.urandom(16 * MIB)
        names = ['large-%d' % i for i in range(args.large_count)]
        for method in ('PUT', 'GET', 'DELETE'):
            report['16MiB_%s' % method] = phase(url, token, method, names,
                                                large, args.clients,
                                                container)
        json.dump(report, sys.stdout, indent=2)
        print()
    finally:
        if proc is not None:
            stop_aio(proc)


if __name__ == '__main__':
    main()

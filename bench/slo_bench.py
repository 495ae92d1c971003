#!/usr/bin/env python3
"""SLO benchmark: MiB/s downloading a large object made of segments.

    python bench/slo_bench.py [--size-mib 1024] [--segment-mib 1]

Starts its own all-in-one, uploads ``--size-mib`` MiB as segments of
``--segment-mib`` MiB (16 clients), PUTs two half manifests and one SLO of
those two (a manifest holds at most 1000 segments), then downloads the
whole SLO three times through the proxy (one client, streaming) and a 1 MiB
range from its middle; prints one JSON document.
"""
import argparse
import hashlib
import json
import os
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

MIB = 1024 * 1024


def upload_segments(url, token, count, size):
    segment = os.urandom(size)
    etag = hashlib.md5(segment).hexdigest()
    parallel_put(url, token, 'segments', ['s%06d' % i for i in range(count)],
                 segment)
    return [{'path': '/segments/s%06d' % i, 'etag': etag,
             'size_bytes': size} for i in range(count)]


def download(url, token, headers=None):
    began = time.perf_counter()
    _, body = swiftclient.get_object(url, token, 'slo', 'big',
                                     resp_chunk_size=MIB,
                                     headers=headers or {})
    total = sum(len(chunk) for chunk in body)
    return total, time.perf_counter() - began


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--size-mib', type=int, default=1024)
    parser.add_argument('--segment-mib', type=int, default=1)
    parser.add_argument('--port', type=int, default=18780)
    args = parser.parse_args()
    proc = start_aio(args.port, extra=['--no-daemons'])
    try:
        url, token = swiftclient.get_auth(
            'http://127.0.0.1:%d/auth/v1.0' % args.port, 'test:tester',
            'testing')
        for container in ('segments', 'slo'):
            swiftclient.put_container(url, token, container)
        count = args.size_mib // args.segment_mib
        began = time.perf_counter()
        manifest = upload_segments(url, token, count,
                                   args.segment_mib * MIB)
        upload_seconds = time.perf_counter() - began
        # at most 1000 segments a manifest: halves as sub-SLOs, as users do
        half = len(manifest) // 2
        for name, part in (('half-1', manifest[:half]),
                           ('half-2', manifest[half:])):
            swiftclient.put_object(url, token, 'slo', name, json.dumps(part),
                                   query_string='multipart-manifest=put')
        swiftclient.put_object(url, token, 'slo', 'big', json.dumps(
            [{'path': '/slo/half-1'}, {'path': '/slo/half-2'}]),
            query_string='multipart-manifest=put')
        runs = []
        for _ in range(3):
            total, seconds = download(url, token)
            assert total == count * args.segment_mib * MIB
            runs.append(round(total / MIB / seconds, 1))
        middle = args.size_mib * MIB // 2
        _, range_seconds = download(url, token, {
            'Range': 'bytes=%d-%d' % (middle, middle + MIB - 1)})
        json.dump({'size_mib': args.size_mib,
                   'segment_mib': args.segment_mib, 'segments': count,
                   'segment_upload_mib_per_s': round(
                       args.size_mib / upload_seconds, 1),
                   'download_mib_per_s': runs,
                   'best_download_mib_per_s': max(runs),
                   'range_1mib_ms': round(range_seconds * 1000, 1)},
                  sys.stdout, indent=2)
        print()
    finally:
        stop_aio(proc)


if __name__ == '__main__':
    main()

#!/usr/bin/env python3
"""Client benchmark: MiB/s of ``swiftlike upload`` / ``download`` against
python-swiftclient's ``swift`` on the same cluster and file.

    python bench/client_bench.py [--size-mib 256] [--runs 3]
                                 [--segment-mib 0]

Starts its own all-in-one, writes ``--size-mib`` MiB of random bytes to a
file (in /dev/shm when there is one, so the local disk is not measured),
then uploads and downloads it with each client in turn, ``--runs`` times
(interleaved; the objects deleted after each run); both check MD5s.
``--segment-mib N`` uploads in segments (an SLO) instead; ``--in-process``
also times the two download loops alone, without process start-up.
Prints one JSON document: the seconds of every run, best and median
MiB/s.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))

from bench.aio_tools import start_aio, stop_aio  # noqa: E402

MIB = 1024 * 1024


def executable(name):
    beside = os.path.join(os.path.dirname(sys.executable), name)
    return beside if os.path.exists(beside) else shutil.which(name)


def timed(argv, env, cwd):
    began = time.perf_counter()
    done = subprocess.run(argv, env=env, cwd=cwd, capture_output=True,
                          text=True)
    if done.returncode:
        raise SystemExit('%s failed: %s' % (' '.join(argv), done.stderr))
    return time.perf_counter() - began


def in_process(port, work, runs):
    """The download loops alone, in this process, in alternation: our
    client's (requests, 1 MiB chunks) and swiftclient's (``get_object``,
    64 KiB chunks), each hashing and writing what arrives. Seconds."""
    import hashlib

    from swiftclient import client as swiftclient

    from swiftlike.cli.client_http import CHUNK, Connection
    auth = 'http://127.0.0.1:%d/auth/v1.0' % port
    conn = Connection(auth, 'test:tester', 'testing')
    url, token = swiftclient.get_auth(auth, 'test:tester', 'testing')
    with open(os.path.join(work, 'payload'), 'rb') as f:
        conn.request('PUT', 'bench', 'in-process', data=f)

    def ours():
        resp = conn.request('GET', 'bench', 'in-process', stream=True)
        return resp.iter_content(CHUNK)

    def theirs():
        return swiftclient.get_object(url, token, 'bench', 'in-process',
                                      resp_chunk_size=65536)[1]
    results = {'swiftlike': [], 'swift': []}
    for _ in range(runs):
        for name, chunks in (('swiftlike', ours), ('swift', theirs)):
            began = time.perf_counter()
            md5 = hashlib.md5()
            with open(os.path.join(work, 'back'), 'wb') as f:
                for chunk in chunks():
                    md5.update(chunk)
                    f.write(chunk)
            results[name].append(round(time.perf_counter() - began, 2))
    return results


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--size-mib', type=int, default=256)
    parser.add_argument('--runs', type=int, default=3)
    parser.add_argument('--segment-mib', type=int, default=0)
    parser.add_argument('--port', type=int, default=18880)
    parser.add_argument('--in-process', action='store_true',
                        help='also time the two download loops alone, in '
                             'this process (no process start-up)')
    args = parser.parse_args()
    clients = {name: executable(name) for name in ('swiftlike', 'swift')}
    clients = {k: v for k, v in clients.items() if v}
    work = tempfile.mkdtemp(prefix='swiftlike-client-bench-',
                            dir='/dev/shm' if os.path.isdir('/dev/shm')
                            else None)
    proc = start_aio(args.port, extra=['--no-daemons'])
    try:
        with open(os.path.join(work, 'payload'), 'wb') as f:
            for _ in range(args.size_mib):
                f.write(os.urandom(MIB))
        env = dict(os.environ,
                   ST_AUTH='http://127.0.0.1:%d/auth/v1.0' % args.port,
                   ST_USER='test:tester', ST_KEY='testing')
        segments = ['-S', str(args.segment_mib * MIB)] \
            if args.segment_mib else []
        results = {name: {'upload_s': [], 'download_s': []}
                   for name in clients}
        # interleaved, and the objects deleted after each run, so that
        # neither client meets a cluster the other left busier
        for run in range(args.runs):
            for step in ('upload', 'download'):
                for name, path in clients.items():
                    obj = '%s-%d' % (name, run)
                    argv = [path, 'upload', 'bench', 'payload',
                            '--object-name', obj] + segments \
                        if step == 'upload' else \
                        [path, 'download', 'bench', obj, '-o', 'back']
                    results[name]['%s_s' % step].append(
                        round(timed(argv, env, work), 2))
            for name, path in clients.items():
                timed([path, 'delete', 'bench', '%s-%d' % (name, run)],
                      env, work)
        for runs in results.values():
            for key in ('upload', 'download'):
                times = sorted(runs['%s_s' % key])
                runs['best_%s_mib_per_s' % key] = round(
                    args.size_mib / times[0], 1)
                runs['median_%s_mib_per_s' % key] = round(
                    args.size_mib / times[len(times) // 2], 1)
        report = {'size_mib': args.size_mib,
                  'segment_mib': args.segment_mib, 'clients': results}
        if args.in_process:
            report['in_process_download_s'] = in_process(args.port, work,
                                                         args.runs)
        json.dump(report, sys.stdout, indent=2)
        print()
    finally:
        stop_aio(proc)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == '__main__':
    main()

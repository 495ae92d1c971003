#!/usr/bin/env python3
"""Container DB benchmark: 1,000,000 rows through the broker, then pages.

    python bench/db_bench.py [--rows 1000000] [--dir /tmp]

Rows go in as the container server puts them: one .pending record per
object, merged into SQLite whenever the pending file passes its cap. Then
it times listing pages of 10,000 items: the first page, one in the middle
by marker, and a prefix + delimiter page. Targets (issue 4): at least
20,000 rows/s merged; every 10,000-item page under 100 ms at 1M rows.
"""
import argparse
import os
import shutil
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(
    __file__))))

from swiftlike.common.timestamps import Timestamp  # noqa: E402
from swiftlike.container.backend import ContainerBroker  # noqa: E402

PAGE = 10000
DIRS = 100


def name_of(n: int) -> str:
    return 'dir%03d/object-%07d' % (n % DIRS, n)


def fill(broker: ContainerBroker, rows: int) -> float:
    timestamp = Timestamp(time.time()).internal
    started = time.perf_counter()
    for n in range(rows):
        broker.put_object(name_of(n), timestamp, 1024, 'application/'
                          'octet-stream', 'd41d8cd98f00b204e9800998ecf8427e')
    broker.commit_pending()
    return time.perf_counter() - started


def timed(label: str, call) -> None:
    started = time.perf_counter()
    rows = call()
    elapsed = time.perf_counter() - started
    print('%-40s %6d items in %7.1f ms' % (label, len(rows),
                                           elapsed * 1000))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--rows', type=int, default=1000000)
    parser.add_argument('--dir', default=tempfile.gettempdir())
    args = parser.parse_args()
    root = tempfile.mkdtemp(prefix='swiftlike-dbbench-', dir=args.dir)
    try:
        broker = ContainerBroker(
            os.path.join(root, 'containers', '1', 'abc', 'h', 'h.db'),
            account='AUTH_bench', container='bench')
        broker.initialize(Timestamp(time.time()).internal)
        elapsed = fill(broker, args.rows)
        info = broker.get_info()
        print('merged %d rows in %.1f s: %.0f rows/s (object_count %d)' % (
            args.rows, elapsed, args.rows / elapsed, info['object_count']))
        # the middle of the name order, without building a 1M-name list
        middle = name_of(args.rows // 2 + DIRS // 2 - (args.rows // 2) %
                         DIRS)
        timed('first page', lambda: broker.list_objects_iter(PAGE))
        timed('middle page (marker=%s)' % middle[:14],
              lambda: broker.list_objects_iter(PAGE, marker=middle))
        timed('reverse page from the middle',
              lambda: broker.list_objects_iter(PAGE, marker=middle,
                                               reverse=True))
        timed('prefix=dir050/ delimiter=/',
              lambda: broker.list_objects_iter(PAGE, prefix='dir050/',
                                               delimiter='/'))
        timed('delimiter=/ (100 subdirs, roll-ups)',
              lambda: broker.list_objects_iter(PAGE, delimiter='/'))
        timed('prefix=dir0 delimiter=/ end_marker=dir005',
              lambda: broker.list_objects_iter(PAGE, prefix='dir0',
                                               delimiter='/',
                                               end_marker='dir005'))
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == '__main__':
    main()

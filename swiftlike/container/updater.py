"""container-updater: tells the account servers each container's stats.

Object updates change a container's object count and bytes, but the
container server reports to its account only on container PUT/DELETE.
Each pass sends, for every container DB whose stats or timestamps differ
from what was last reported, a PUT to the account's replicas; when a quorum
took it the DB records the reported values.
"""
from __future__ import annotations

import os
import time
from typing import Dict

from swiftlike.common.backend_http import BackendError, backend_request
from swiftlike.common.concurrency import GreenPool
from swiftlike.common.daemon import Daemon, run_daemon
from swiftlike.common.db import iter_db_files
from swiftlike.common.exceptions import SwiftlikeError
from swiftlike.common.ring import Ring
from swiftlike.common.utils import quorum_size
from swiftlike.container.backend import ContainerBroker

POLICY_HEADER = 'X-Backend-Storage-Policy-Index'


def needs_report(info: Dict) -> bool:
    """Whether the account has not heard the container's current state."""
    return (info['put_timestamp'] > info['reported_put_timestamp'] or
            info['delete_timestamp'] > info['reported_delete_timestamp'] or
            info['object_count'] != info['reported_object_count'] or
            info['bytes_used'] != info['reported_bytes_used'])


class ContainerUpdater(Daemon):
    section = 'container-updater'
    server_type = 'container'
    default_interval = 300

    def __init__(self, conf, logger=None) -> None:
        super().__init__(conf, logger)
        self.concurrency = self.conf.get_int('concurrency', 4, minimum=1)
        self.conn_timeout = self.conf.get_float('conn_timeout', 0.5,
                                                minimum=0)
        self.node_timeout = self.conf.get_float('node_timeout', 3.0,
                                                minimum=0)
        self.account_ring = Ring(self.swift_dir, ring_name='account')
        self.stats: Dict[str, int] = {}

    def run_once(self) -> None:
        began = time.time()
        self.stats = dict.fromkeys(('successes', 'failures', 'no_changes'),
                                   0)
        pool = GreenPool(self.concurrency)
        for _, dev_path in self.local_devices():
            for _, db_file in iter_db_files(dev_path, 'container'):
                if self.stopping:
                    break
                pool.spawn(self.process, db_file)
        pool.waitall()
        elapsed = time.time() - began
        self.logger.info(
            'Container update sweep completed: %.02fs, %d successes, %d '
            'failures, %d with no changes', elapsed, self.stats['successes'],
            self.stats['failures'], self.stats['no_changes'])
        self.dump_recon({'container_updater_sweep': elapsed})

    def process(self, db_file: str) -> None:
        broker = ContainerBroker(db_file)
        try:
            info = broker.get_info()
        except (SwiftlikeError, OSError) as err:
            self.logger.error('ERROR reading %s: %s', db_file, err)
            return
        finally:
            broker.close()
        if not needs_report(info):
            self.stats['no_changes'] += 1
            return
        part, nodes = self.account_ring.get_nodes(info['account'])
        headers = {
            'X-Put-Timestamp': info['put_timestamp'],
            'X-Delete-Timestamp': info['delete_timestamp'],
            'X-Object-Count': str(info['object_count']),
            'X-Bytes-Used': str(info['bytes_used']),
            'X-Account-Override-Deleted': 'yes',
            POLICY_HEADER: str(info['storage_policy_index']),
            'User-Agent': 'container-updater %d' % os.getpid()}
        path = '/%s/%s' % (info['account'], info['container'])
        pool = GreenPool(len(nodes))
        threads = [pool.spawn(self._send, node, part, path, headers)
                   for node in nodes]
        successes = sum(1 for t in threads if t.wait())
        if successes >= quorum_size(len(nodes)):
            self.stats['successes'] += 1
            broker = ContainerBroker(db_file)
            try:
                broker.reported(info['put_timestamp'],
                                info['delete_timestamp'],
                                info['object_count'], info['bytes_used'])
            finally:
                broker.close()
        else:
            self.stats['failures'] += 1
            self.logger.warning('Update of %s reached %d of %d account '
                                'servers', path, successes, len(nodes))

    def _send(self, node: Dict, part: int, path: str,
              headers: Dict[str, str]) -> bool:
        try:
            status, _, _ = backend_request(
                node['ip'], node['port'], 'PUT',
                '/%s/%d%s' % (node['device'], part, path), headers,
                conn_timeout=self.conn_timeout,
                node_timeout=self.node_timeout)
        except BackendError as err:
            self.logger.error('ERROR account update to %s:%s/%s: %s',
                              node['ip'], node['port'], node['device'], err)
            return False
        return 200 <= status < 300


def main(argv=None) -> int:
    return run_daemon(ContainerUpdater, argv)

"""Account and container replication: every DB replica converges on the
union of the rows, by sync points and hashes.

For each local DB and each other primary (a 507 brings in a handoff): ask
the peer to ``sync``; a peer without the DB gets an rsynced copy
(``complete_rsync``); a peer far behind gets a copy with its own rows merged
in (``rsync_then_merge``); otherwise the rows after the peer's sync point go
over in ``per_diff`` batches (``merge_items``). A handoff DB is removed
once every primary has it; a deleted, empty DB once ``reclaim_age`` passed.
"""
from __future__ import annotations

import json
import os
import shutil
import time
from typing import Any, Dict, List, Optional

from swiftlike.common.backend_http import BackendError, backend_request
from swiftlike.common.concurrency import GreenPool
from swiftlike.common.daemon import Daemon
from swiftlike.common.db import DatabaseBroker, iter_db_files
from swiftlike.common.exceptions import DatabaseError
from swiftlike.common.ips import is_local_device, whataremyips
from swiftlike.common.ring import Ring
from swiftlike.common.rsync import format_module, run_rsync
from swiftlike.common.timestamps import Timestamp

STAT_KEYS = ('attempted', 'success', 'failure', 'no_change', 'hashmatch',
             'rsync', 'remote_merge', 'diff', 'diff_capped', 'remove',
             'empty')
#: a peer holding less than this share of our rows gets a whole copy
REMOTE_MERGE_RATIO = 0.5


def db_rsync_command(source: str, destination: str, node_timeout: float,
                     conn_timeout: float) -> List[str]:
    return ['rsync', '--quiet', '--no-motd',
            '--timeout=%d' % max(1, int(node_timeout)),
            '--contimeout=%d' % max(1, int(conn_timeout)),
            '--whole-file', source, destination]


class DatabaseReplicator(Daemon):
    """Shared by account-replicator and container-replicator."""

    db_type = ''
    broker_class = DatabaseBroker

    def __init__(self, conf, logger=None) -> None:
        super().__init__(conf, logger)
        c = self.conf
        self.per_diff = c.get_int('per_diff', 1000, minimum=1)
        self.max_diffs = c.get_int('max_diffs', 100, minimum=1)
        self.concurrency = c.get_int('concurrency', 8, minimum=1)
        self.node_timeout = c.get_float('node_timeout', 10, minimum=0)
        self.conn_timeout = c.get_float('conn_timeout', 0.5, minimum=0)
        self.reclaim_age = c.get_float('reclaim_age', 86400 * 7, minimum=0)
        self.rsync_module = c.get('rsync_module',
                                  '{replication_ip}::%s' % self.db_type)
        self.bind_port = c.get_int('bind_port', 6201 if self.db_type ==
                                   'container' else 6202)
        self.my_ips = whataremyips(c.get('bind_ip', '0.0.0.0'))
        self.ring = Ring(self.swift_dir, ring_name=self.db_type)
        self.stats: Dict[str, int] = {}

    # -- a pass ----------------------------------------------------------
    def run_once(self) -> None:
        began = time.time()
        self.stats = dict.fromkeys(STAT_KEYS, 0)
        pool = GreenPool(self.concurrency)
        for dev in self.ring.devs:
            if not dev or not is_local_device(self.my_ips, self.bind_port,
                                              dev):
                continue
            dev_path = os.path.join(self.devices, dev['device'])
            if self.mount_check and not os.path.ismount(dev_path):
                self.logger.warning('Skipping %s as it is not mounted',
                                    dev['device'])
                continue
            for partition, db_file in iter_db_files(dev_path, self.db_type):
                if self.stopping:
                    break
                pool.spawn(self.replicate_db, dev, partition, db_file)
        pool.waitall()
        elapsed = time.time() - began
        self.logger.info(
            'Replication run complete: %.02fs, %d attempted, %d success, %d '
            'failure, %d no change, %d hashmatch, %d rsync, %d remote merge,'
            ' %d diff, %d removed', elapsed, self.stats['attempted'],
            self.stats['success'], self.stats['failure'],
            self.stats['no_change'], self.stats['hashmatch'],
            self.stats['rsync'], self.stats['remote_merge'],
            self.stats['diff'], self.stats['remove'])
        self.dump_recon({'replication_stats': self.stats,
                         'replication_time': elapsed,
                         'replication_last': time.time()})

    def replicate_db(self, dev: Dict, partition: str, db_file: str) -> None:
        try:
            self._replicate_db(dev, partition, db_file)
        except Exception:
            self.logger.exception('ERROR replicating %s', db_file)
            self.stats['failure'] += 1

    def _replicate_db(self, dev: Dict, partition: str,
                      db_file: str) -> None:
        self.stats['attempted'] += 1
        broker = self.broker_class(db_file)
        try:
            now = time.time()
            reclaim = Timestamp(now - self.reclaim_age).internal
            broker.reclaim(reclaim, reclaim)
            info = broker.get_replication_info()
        except DatabaseError as err:
            self.logger.error('ERROR reading %s: %s', db_file, err)
            self.stats['failure'] += 1
            return
        if self._reclaimable(broker, info, now):
            broker.close()
            shutil.rmtree(os.path.dirname(db_file), ignore_errors=True)
            self.stats['remove'] += 1
            self.logger.info('Removed deleted DB %s', db_file)
            return
        part = int(partition)
        primaries = self.ring.get_part_nodes(part)
        primary = any(n['id'] == dev['id'] for n in primaries)
        nodes = self._peers(primaries, dev) if primary else list(primaries)
        handoffs = self.ring.get_more_nodes(part)
        results = []
        while nodes:
            node = nodes.pop(0)
            if self.stopping:
                return
            ok = self.replicate_to(node, broker, partition, info)
            if ok is None:  # unmounted: a handoff takes its place
                replacement = next(handoffs, None)
                if replacement is not None and \
                        replacement['id'] != dev['id']:
                    nodes.append(replacement)
                ok = False
            results.append(ok)
            self.stats['success' if ok else 'failure'] += 1
        if not primary and results and all(results) and \
                broker.get_max_row() == info['max_row']:
            broker.close()
            shutil.rmtree(os.path.dirname(db_file), ignore_errors=True)
            self.stats['remove'] += 1
            self.logger.info('Removed handoff DB %s', db_file)
        broker.close()

    @staticmethod
    def _peers(primaries: List[Dict], dev: Dict) -> List[Dict]:
        """The other primaries, in ring order starting after this one."""
        index = next(i for i, n in enumerate(primaries)
                     if n['id'] == dev['id'])
        return primaries[index + 1:] + primaries[:index]

    def _reclaimable(self, broker: DatabaseBroker, info: Dict,
                     now: float) -> bool:
        try:
            deleted = broker.is_deleted() and broker.empty()
        except DatabaseError:
            return False
        return deleted and \
            float(info['delete_timestamp']) < now - self.reclaim_age

    # -- one peer --------------------------------------------------------
    def _rpc(self, node: Dict, partition: str, db_file: str,
             *args: Any):
        name_hash = os.path.basename(os.path.dirname(db_file))
        body = json.dumps(list(args)).encode()
        return backend_request(
            node.get('replication_ip') or node['ip'],
            node.get('replication_port') or node['port'], 'REPLICATE',
            '/%s/%s/%s' % (node['device'], partition, name_hash),
            {'Content-Type': 'application/json',
             'Content-Length': str(len(body))}, body,
            conn_timeout=self.conn_timeout, node_timeout=self.node_timeout)

    def replicate_to(self, node: Dict, broker: DatabaseBroker,
                     partition: str, info: Dict) -> Optional[bool]:
        """True when the peer is in sync now, False on failure, None when
        its device is unmounted."""
        try:
            status, _, body = self._rpc(
                node, partition, broker.db_file, 'sync', info['max_row'],
                info['hash'], info['id'], info['created_at'],
                info['put_timestamp'], info['delete_timestamp'],
                json.dumps(broker.metadata) if broker.metadata else '')
        except BackendError as err:
            self.logger.error('ERROR syncing %s with %s: %s',
                              broker.db_file, node['device'], err)
            return False
        if status == 507:
            return None
        if status == 404:
            return self._rsync_db(node, broker, partition, info,
                                  'complete_rsync')
        if status != 200:
            self.logger.error('ERROR %s answered sync with %d',
                              node['device'], status)
            return False
        remote = json.loads(body)
        local_point = broker.get_sync(remote['id'], incoming=False)
        if max(remote['point'], local_point) >= info['max_row']:
            self.stats['no_change'] += 1
            return True
        if remote['hash'] == info['hash']:
            self.stats['hashmatch'] += 1
            broker.merge_syncs([{'remote_id': remote['id'],
                                 'sync_point': info['max_row']}],
                               incoming=False)
            return True
        if info['max_row'] - remote['max_row'] > self.per_diff and \
                remote['max_row'] < info['max_row'] * REMOTE_MERGE_RATIO:
            return self._rsync_db(node, broker, partition, info,
                                  'rsync_then_merge')
        return self._usync(node, broker, partition, info, remote,
                           max(remote['point'], local_point))

    def _usync(self, node: Dict, broker: DatabaseBroker, partition: str,
               info: Dict, remote: Dict, point: int) -> bool:
        """Rows after the peer's point, ``per_diff`` at a time."""
        self.stats['diff'] += 1
        for _ in range(self.max_diffs):
            rows = broker.get_items_since(point, self.per_diff)
            if not rows:
                break
            status, _, _ = self._rpc(node, partition, broker.db_file,
                                     'merge_items', rows, info['id'])
            if status != 202:
                self.logger.error('ERROR %s answered merge_items with %d',
                                  node['device'], status)
                return False
            point = rows[-1]['ROWID']
        else:
            if broker.get_items_since(point, 1):
                self.stats['diff_capped'] += 1
                return False
        status, _, _ = self._rpc(node, partition, broker.db_file,
                                 'merge_syncs', broker.get_syncs())
        if status != 202:
            return False
        broker.merge_syncs([{'remote_id': remote['id'],
                             'sync_point': point}], incoming=False)
        return True

    def _rsync_db(self, node: Dict, broker: DatabaseBroker, partition: str,
                  info: Dict, op: str) -> bool:
        """Copy the whole DB to the peer's tmp dir, then have it installed
        (``complete_rsync``) or merged with the peer's rows."""
        broker.commit_pending()
        destination = '%s/%s/tmp/%s' % (
            format_module(self.rsync_module, node), node['device'],
            info['id'])
        status, output = run_rsync(db_rsync_command(
            broker.db_file, destination, self.node_timeout,
            self.conn_timeout), self.node_timeout * 6 + 30)
        self.stats['rsync' if op == 'complete_rsync' else
                   'remote_merge'] += 1
        if status != 0:
            self.logger.error('ERROR rsync of %s to %s failed (%d): %s',
                              broker.db_file, destination, status,
                              output.strip()[-300:])
            return False
        try:
            answer, _, _ = self._rpc(node, partition, broker.db_file, op,
                                     info['id'],
                                     os.path.basename(broker.db_file))
        except BackendError as err:
            self.logger.error('ERROR %s after rsync: %s', op, err)
            return False
        return answer == 204

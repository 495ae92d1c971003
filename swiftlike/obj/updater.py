"""object-updater: replays async_pending container updates.

When a container server could not take an object's update in time, the
object server kept it in ``async_pending[-N]/<sfx>/<hash>-<ts>``. Each pass
sends the newest record of every object to each container replica (or the
shard in ``container_path``); a record is removed only when every replica
took it, otherwise it is rewritten with the replicas already done
(``successes``) so they are not asked again.
"""
from __future__ import annotations

import os
import pickle
import time
from typing import Dict, List, Optional, Tuple

from swiftlike.common.backend_http import BackendError, backend_request
from swiftlike.common.concurrency import GreenPool
from swiftlike.common.daemon import Daemon, run_daemon
from swiftlike.common.fs import write_file_atomically
from swiftlike.common.ratelimit import RateLimiter
from swiftlike.common.ring import Ring
from swiftlike.common.safe_pickle import UnpicklingForbidden, safe_loads
from swiftlike.obj.async_pending import ASYNC_DIR, PICKLE_PROTOCOL

POLICY_HEADER = 'X-Backend-Storage-Policy-Index'


def policy_of_async_dir(name: str) -> Optional[int]:
    """``async_pending`` -> 0, ``async_pending-2`` -> 2, else None."""
    if name == ASYNC_DIR:
        return 0
    prefix = ASYNC_DIR + '-'
    if name.startswith(prefix) and name[len(prefix):].isdigit():
        return int(name[len(prefix):])
    return None


def newest_per_object(names: List[str]) -> Tuple[List[str], List[str]]:
    """(names to send, older names to drop): one record per object hash,
    the newest; names that are not ``<hash>-<ts>`` are ignored."""
    keep, drop, seen = [], [], set()
    for name in sorted(names, reverse=True):
        parts = name.split('-')
        if len(parts) != 2:
            continue
        if parts[0] in seen:
            drop.append(name)
        else:
            seen.add(parts[0])
            keep.append(name)
    return keep, drop


class ObjectUpdater(Daemon):
    section = 'object-updater'
    server_type = 'object'
    default_interval = 300

    def __init__(self, conf, logger=None) -> None:
        super().__init__(conf, logger)
        self.concurrency = self.conf.get_int('concurrency', 8, minimum=1)
        self.objects_per_second = self.conf.get_float('objects_per_second',
                                                      50.0, minimum=0)
        self.conn_timeout = self.conf.get_float('conn_timeout', 0.5,
                                                minimum=0)
        self.node_timeout = self.conf.get_float('node_timeout', 10.0,
                                                minimum=0)
        self.container_ring = Ring(self.swift_dir, ring_name='container')
        self.stats: Dict[str, int] = {}

    # -- a pass ----------------------------------------------------------
    def run_once(self) -> None:
        began = time.time()
        self.stats = dict.fromkeys(('successes', 'failures', 'unlinks',
                                    'quarantines', 'skips'), 0)
        remaining = 0
        for device, path in self.local_devices():
            if self.stopping:
                break
            remaining += self.sweep_device(device, path)
        elapsed = time.time() - began
        self.logger.info(
            'Object update sweep completed: %.02fs, %d successes, %d '
            'failures, %d unlinks, %d quarantined, %d left', elapsed,
            self.stats['successes'], self.stats['failures'],
            self.stats['unlinks'], self.stats['quarantines'], remaining)
        self.dump_recon({'object_updater_sweep': elapsed,
                         'object_updater_stats': self.stats,
                         'async_pending': remaining})

    def sweep_device(self, device: str, dev_path: str) -> int:
        """Send every record of a device; how many are left afterwards."""
        pool = GreenPool(self.concurrency)
        limiter = RateLimiter(self.objects_per_second)
        left = 0
        for async_name in sorted(os.listdir(dev_path)):
            policy = policy_of_async_dir(async_name)
            if policy is None:
                continue
            async_dir = os.path.join(dev_path, async_name)
            for suffix in sorted(os.listdir(async_dir)):
                if self.stopping:
                    pool.waitall()
                    return left
                suffix_dir = os.path.join(async_dir, suffix)
                if not os.path.isdir(suffix_dir):
                    continue
                keep, drop = newest_per_object(os.listdir(suffix_dir))
                for name in drop:
                    self._unlink(os.path.join(suffix_dir, name))
                for name in keep:
                    pool.spawn(self.process, device, dev_path, policy,
                               os.path.join(suffix_dir, name))
                    limiter.take()
                pool.waitall()
                left += len(os.listdir(suffix_dir))
                self._remove_if_empty(suffix_dir)
        return left


    # -- one record ------------------------------------------------------
    def process(self, device: str, dev_path: str, policy: int,
                path: str) -> None:
        try:
            with open(path, 'rb') as f:
                record = safe_loads(f.read(), encoding='utf-8')
            if not isinstance(record, dict) or 'op' not in record:
                raise UnpicklingForbidden('not an update record')
        except FileNotFoundError:
            return
        except (OSError, UnpicklingForbidden) as err:
            self.logger.error('ERROR Pickle problem, quarantining %s: %s',
                              path, err)
            self._quarantine(dev_path, path)
            return
        done = set(record.get('successes') or [])
        account, container = record['account'], record['container']
        if record.get('container_path'):
            account, container = record['container_path'].split('/', 1)
        part, nodes = self.container_ring.get_nodes(account, container)
        headers = dict(record.get('headers') or {})
        headers[POLICY_HEADER] = str(policy)
        headers['User-Agent'] = 'object-updater %d' % os.getpid()
        obj_path = '/%s/%s/%s' % (account, container, record['obj'])
        for node in nodes:
            if node['id'] in done:
                continue
            if self._send(node, part, record['op'], obj_path, headers):
                done.add(node['id'])
        if all(node['id'] in done for node in nodes):
            self.stats['successes'] += 1
            self._unlink(path)
            return
        self.stats['failures'] += 1
        if done != set(record.get('successes') or []):
            record['successes'] = sorted(done)
            write_file_atomically(path, pickle.dumps(
                record, protocol=PICKLE_PROTOCOL))

    def _send(self, node: Dict, part: int, op: str, path: str,
              headers: Dict[str, str]) -> bool:
        try:
            status, _, _ = backend_request(
                node['replication_ip'] if node.get('replication_ip')
                else node['ip'], node['port'], op,
                '/%s/%d%s' % (node['device'], part, path), headers,
                conn_timeout=self.conn_timeout,
                node_timeout=self.node_timeout)
        except BackendError as err:
            self.logger.error('ERROR with container server %s:%s/%s: %s',
                              node['ip'], node['port'], node['device'], err)
            return False
        if 200 <= status < 300:
            return True
        self.logger.error('ERROR container update to %s:%s/%s answered %d',
                          node['ip'], node['port'], node['device'], status)
        return False

    # -- files -----------------------------------------------------------
    def _unlink(self, path: str) -> None:
        try:
            os.unlink(path)
            self.stats['unlinks'] += 1
        except FileNotFoundError:
            pass

    def _quarantine(self, dev_path: str, path: str) -> None:
        target_dir = os.path.join(dev_path, 'quarantined', 'objects')
        os.makedirs(target_dir, exist_ok=True)
        os.rename(path, os.path.join(target_dir, os.path.basename(path)))
        self.stats['quarantines'] += 1

    @staticmethod
    def _remove_if_empty(path: str) -> None:
        try:
            os.rmdir(path)
        except OSError:
            pass


def main(argv=None) -> int:
    return run_daemon(ObjectUpdater, argv)

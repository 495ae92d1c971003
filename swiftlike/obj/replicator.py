"""object-replicator: every partition on its primaries, nowhere else.

For each local partition it compares suffix hashes with each primary peer
(``REPLICATE``), rsyncs the suffix dirs that differ, and asks the peer to
rehash them. A partition this node is not a primary for (a handoff left by
a failure or a rebalance) is pushed to all its primaries and removed here
once every one of them has it.
"""
from __future__ import annotations

import os
import shutil
import time
from typing import Dict, Iterator, List, Optional

from swiftlike.common.backend_http import BackendError, backend_request
from swiftlike.common.concurrency import GreenPool
from swiftlike.common.daemon import Daemon, run_daemon
from swiftlike.common.exceptions import UnpicklingForbidden
from swiftlike.common.ips import is_local_device, whataremyips
from swiftlike.common.ring import Ring
from swiftlike.common.rsync import (
    format_module,
    object_rsync_command,
    run_rsync,
)
from swiftlike.common.safe_pickle import safe_loads
from swiftlike.common.storage_policy import (
    get_policy_string,
    load_storage_policies,
)
from swiftlike.obj import hashes as hashes_mod
from swiftlike.obj.diskfile import DEFAULT_RECLAIM_AGE, quarantine_dir

POLICY_HEADER = 'X-Backend-Storage-Policy-Index'
STAT_KEYS = ('attempted', 'success', 'failure', 'hashmatch', 'rsync',
             'remove', 'suffix_count', 'suffix_hash', 'suffix_sync')


def differing(local: Dict[str, str], remote: Dict[str, str]) -> List[str]:
    """Suffixes whose hash the peer does not share."""
    return sorted(s for s, h in local.items() if remote.get(s) != h)


class ObjectReplicator(Daemon):
    section = 'object-replicator'
    server_type = 'object'

    def __init__(self, conf, logger=None) -> None:
        super().__init__(conf, logger)
        c = self.conf
        self.concurrency = c.get_int('concurrency', 1, minimum=1)
        self.bind_port = c.get_int('bind_port', 6200)
        self.my_ips = whataremyips(c.get('bind_ip', '0.0.0.0'))
        self.rsync_module = c.get('rsync_module', '{replication_ip}::object')
        self.rsync_timeout = c.get_float('rsync_timeout', 900, minimum=1)
        self.rsync_io_timeout = c.get_int('rsync_io_timeout', 30, minimum=1)
        self.rsync_bwlimit = c.get('rsync_bwlimit', '0')
        self.rsync_compress = c.get_bool('rsync_compress', False)
        self.http_timeout = c.get_float('http_timeout', 60, minimum=0)
        self.conn_timeout = c.get_float('conn_timeout', 0.5, minimum=0)
        self.reclaim_age = c.get_int('reclaim_age', DEFAULT_RECLAIM_AGE,
                                     minimum=0)
        self.handoffs_first = c.get_bool('handoffs_first', False)
        self.handoff_delete = c.get('handoff_delete', 'auto')
        self.policies = load_storage_policies()
        self.stats: Dict[str, int] = {}

    # -- jobs ------------------------------------------------------------
    def rings(self) -> Iterator[tuple]:
        for policy in self.policies:
            name = get_policy_string('object', policy.idx)
            if os.path.exists(os.path.join(self.swift_dir,
                                           name + '.ring.gz')):
                yield policy.idx, Ring(self.swift_dir, ring_name=name)

    def collect_jobs(self) -> List[Dict]:
        jobs = []
        for policy, ring in self.rings():
            objects = get_policy_string('objects', policy)
            for dev in ring.devs:
                if not dev or not is_local_device(self.my_ips,
                                                  self.bind_port, dev):
                    continue
                dev_path = os.path.join(self.devices, dev['device'])
                if self.mount_check and not os.path.ismount(dev_path):
                    self.logger.warning('%s is not mounted', dev['device'])
                    continue
                try:
                    parts = os.listdir(os.path.join(dev_path, objects))
                except OSError:
                    continue
                for part in parts:
                    if not part.isdigit():
                        continue
                    primaries = ring.get_part_nodes(int(part))
                    jobs.append({
                        'device': dev, 'dev_path': dev_path,
                        'policy': policy, 'ring': ring, 'partition': part,
                        'path': os.path.join(dev_path, objects, part),
                        'objects': objects,
                        'nodes': [n for n in primaries
                                  if n['id'] != dev['id']],
                        'delete': all(n['id'] != dev['id']
                                      for n in primaries)})
        if self.handoffs_first:
            jobs.sort(key=lambda job: not job['delete'])
        return jobs

    # -- a pass ----------------------------------------------------------
    def run_once(self) -> None:
        began = time.time()
        self.stats = dict.fromkeys(STAT_KEYS, 0)
        pool = GreenPool(self.concurrency)
        for job in self.collect_jobs():
            if self.stopping:
                break
            pool.spawn(self.replicate, job)
        pool.waitall()
        elapsed = time.time() - began
        self.logger.info(
            'Object replication complete: %.02fs, %d attempted, %d synced, '
            '%d failed, %d in sync, %d rsyncs, %d handoffs removed',
            elapsed, self.stats['attempted'], self.stats['success'],
            self.stats['failure'], self.stats['hashmatch'],
            self.stats['rsync'], self.stats['remove'])
        self.dump_recon({'replication_stats': self.stats,
                         'replication_time': elapsed / 60,
                         'replication_last': time.time(),
                         'object_replication_time': elapsed / 60,
                         'object_replication_last': time.time()})

    def replicate(self, job: Dict) -> None:
        try:
            if job['delete']:
                self.update_deleted(job)
            else:
                self.update(job)
        except Exception:
            self.logger.exception('Error replicating partition %s on %s',
                                  job['partition'], job['device']['device'])

    def local_hashes(self, job: Dict, recalculate=()) -> Dict[str, str]:
        return hashes_mod.get_hashes(
            job['path'], recalculate, self.reclaim_age,
            quarantine=lambda path: quarantine_dir(job['dev_path'], path,
                                                   job['policy']))

    def update(self, job: Dict) -> None:
        """A primary partition: bring every other primary up to date."""
        self.stats['attempted'] += 1
        local = self.local_hashes(job)
        self.stats['suffix_count'] += len(local)
        handoffs = job['ring'].get_more_nodes(int(job['partition']))
        nodes = list(job['nodes'])
        synced_regions = set()
        while nodes:
            node = nodes.pop(0)
            if self.stopping:
                return
            if node.get('region') in synced_regions:
                # one push per remote region a pass: its nodes share it
                continue
            remote = self.remote_hashes(node, job)
            if remote is None:
                # a failed or unmounted peer: a handoff keeps the count
                replacement = next(handoffs, None)
                if replacement is not None:
                    nodes.append(replacement)
                self.stats['failure'] += 1
                continue
            suffixes = differing(local, remote)
            if not suffixes:
                self.stats['hashmatch'] += 1
                continue
            local = self.local_hashes(job, recalculate=suffixes)
            self.stats['suffix_hash'] += len(suffixes)
            suffixes = differing(local, remote)
            if not suffixes:
                self.stats['hashmatch'] += 1
                continue
            if self.push(node, job, suffixes):
                self.stats['success'] += 1
                if node.get('region') != job['device'].get('region'):
                    synced_regions.add(node.get('region'))
            else:
                self.stats['failure'] += 1

    def update_deleted(self, job: Dict) -> None:
        """A handoff partition: push it to its primaries, then remove it
        here once they all have it (``handoff_delete`` may ask fewer)."""
        self.stats['attempted'] += 1
        local = self.local_hashes(job)
        if not local:
            self._remove_partition(job, [])
            return
        needed = len(job['nodes']) if self.handoff_delete == 'auto' else \
            min(len(job['nodes']), int(self.handoff_delete))
        done = 0
        for node in job['nodes']:
            if self.stopping:
                return
            remote = self.remote_hashes(node, job)
            if remote is None:
                continue
            suffixes = differing(local, remote)
            if not suffixes or self.push(node, job, suffixes):
                done += 1
        if done >= needed:
            self._remove_partition(job, sorted(local))
            self.stats['remove'] += 1
            self.stats['success'] += 1
        else:
            self.stats['failure'] += 1

    def _remove_partition(self, job: Dict, suffixes: List[str]) -> None:
        for suffix in suffixes:
            shutil.rmtree(os.path.join(job['path'], suffix),
                          ignore_errors=True)
        leftovers = [n for n in os.listdir(job['path'])
                     if hashes_mod.is_suffix(n)] \
            if os.path.isdir(job['path']) else []
        if not leftovers:  # nothing written here meanwhile
            shutil.rmtree(job['path'], ignore_errors=True)
            self.logger.info('Removed handoff partition %s from %s',
                             job['partition'], job['device']['device'])

    # -- talking to peers ------------------------------------------------
    def _replicate_request(self, node: Dict, job: Dict, suffixes=()):
        path = '/%s/%s' % (node['device'], job['partition'])
        if suffixes:
            path += '/' + '-'.join(suffixes)
        return backend_request(
            node.get('replication_ip') or node['ip'],
            node.get('replication_port') or node['port'], 'REPLICATE', path,
            {POLICY_HEADER: str(job['policy']), 'Content-Length': '0'},
            conn_timeout=self.conn_timeout, node_timeout=self.http_timeout)

    def remote_hashes(self, node: Dict, job: Dict) -> Optional[Dict]:
        """The peer's suffix hashes, or None if it cannot say (down,
        unmounted, nonsense)."""
        try:
            status, _, body = self._replicate_request(node, job)
        except BackendError as err:
            self.logger.error('Error syncing with node %s: %s',
                              node['device'], err)
            return None
        if status != 200:
            self.logger.error('%s answered REPLICATE with %d',
                              node['device'], status)
            return None
        try:
            remote = safe_loads(body, encoding='utf-8')
        except UnpicklingForbidden as err:
            self.logger.error('Bad REPLICATE answer from %s: %s',
                              node['device'], err)
            return None
        return remote if isinstance(remote, dict) else None

    def push(self, node: Dict, job: Dict, suffixes: List[str]) -> bool:
        """rsync the suffix dirs to the peer, then have it rehash them."""
        sources = [os.path.join(job['path'], s) for s in suffixes
                   if os.path.isdir(os.path.join(job['path'], s))]
        if not sources:
            return True
        destination = '%s/%s/%s/%s' % (
            format_module(self.rsync_module, node), node['device'],
            job['objects'], job['partition'])
        started = time.time()
        status, output = run_rsync(object_rsync_command(
            sources, destination, self.rsync_io_timeout, self.rsync_bwlimit,
            self.rsync_compress and node.get('region') !=
            job['device'].get('region')), self.rsync_timeout)
        self.stats['rsync'] += 1
        if status != 0:
            self.logger.error('Bad rsync return code: %d <- %s: %s', status,
                              destination, output.strip()[-500:])
            return False
        sent = sum(1 for line in output.splitlines()
                   if line.startswith('<f'))
        self.logger.info('Successful rsync of %s to %s (%.03f s, %d files)',
                         job['path'], destination, time.time() - started,
                         sent)
        self.stats['suffix_sync'] += len(sources)
        try:
            self._replicate_request(node, job, suffixes)
        except BackendError as err:
            self.logger.error('Error asking %s to rehash: %s',
                              node['device'], err)
        return True


def main(argv=None) -> int:
    return run_daemon(ObjectReplicator, argv)

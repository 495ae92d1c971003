"""object-expirer: deletes objects whose X-Delete-At has passed.

The queue is the ``.expiring_objects`` account: containers named by time
period, rows ``<delete_at>-<account>/<container>/<object>``. Each pass
reads the due rows and deletes each object on its object servers with
``X-If-Delete-At`` (so an object re-PUT since with another expiry, or none,
survives), then removes the row; emptied past containers go too. With
``processes`` > 1 each expirer takes its share of the rows (``process``).
"""
from __future__ import annotations

import hashlib
import time
from typing import Dict, List, Optional

from swiftlike.common import constraints
from swiftlike.common.backend_http import BackendError, spread_nodes
from swiftlike.common.daemon import Daemon, run_daemon
from swiftlike.common.direct_client import (
    DirectClientError,
    direct_delete_all,
    direct_listing,
    direct_request,
    object_path,
)
from swiftlike.common.expiring import (
    ACCOUNT_NAME,
    DEFAULT_DIVISOR,
    parse_expirer_object_name,
)
from swiftlike.common.ring import ObjectRings, Ring
from swiftlike.common.timestamps import Timestamp
from swiftlike.common.utils import quorum_size

POLICY_HEADER = 'X-Backend-Storage-Policy-Index'
#: answers that mean the object is gone or was not due: drop the row
DONE_STATUSES = (404, 412)


def is_my_task(name: str, processes: int, process: int) -> bool:
    if processes <= 1:
        return True
    digest = hashlib.md5(name.encode('utf-8'),
                         usedforsecurity=False).hexdigest()
    return int(digest, 16) % processes == process


class ObjectExpirer(Daemon):
    section = 'object-expirer'
    server_type = 'object'
    default_interval = 300

    def __init__(self, conf, logger=None) -> None:
        super().__init__(conf, logger)
        c = self.conf
        self.account = constraints.AUTO_CREATE_ACCOUNT_PREFIX + c.get(
            'expiring_objects_account_name', ACCOUNT_NAME)
        self.divisor = c.get_int('expiring_objects_container_divisor',
                                 DEFAULT_DIVISOR, minimum=1)
        self.processes = c.get_int('processes', 0, minimum=0)
        self.process = c.get_int('process', 0, minimum=0)
        if self.processes and self.process >= self.processes:
            raise ValueError('process must be less than processes')
        self.timeouts = {'conn_timeout': c.get_float('conn_timeout', 0.5),
                         'node_timeout': c.get_float('node_timeout', 10.0)}
        self.account_ring = Ring(self.swift_dir, ring_name='account')
        self.container_ring = Ring(self.swift_dir, ring_name='container')
        self.object_ring = ObjectRings(self.swift_dir)
        self.stats: Dict[str, int] = {}

    # -- a pass ----------------------------------------------------------
    def run_once(self) -> None:
        began = time.time()
        self.stats = {'objects': 0, 'errors': 0, 'containers': 0}
        part, nodes = self.account_ring.get_nodes(self.account)
        try:
            queues = [row['name'] for row in direct_listing(
                nodes, part, '/' + self.account, **self.timeouts)]
        except DirectClientError as err:
            queues = []
            if err.status != 404:
                self.logger.error('ERROR listing %s: %s', self.account, err)
        for queue in queues:
            if self.stopping:
                break
            if queue.isdigit() and int(queue) <= began:
                self.expire_queue(queue, began)
        elapsed = time.time() - began
        self.logger.info('Pass completed in %.02fs; %d objects expired, '
                         '%d errors', elapsed, self.stats['objects'],
                         self.stats['errors'])
        self.dump_recon({'object_expiration_pass': elapsed,
                         'expired_last_pass': self.stats['objects']})

    def expire_queue(self, queue: str, now: float) -> None:
        part, nodes = self.container_ring.get_nodes(self.account, queue)
        path = object_path(self.account, queue)
        try:
            rows = list(direct_listing(nodes, part, path, **self.timeouts))
        except DirectClientError as err:
            self.logger.error('ERROR listing %s: %s', path, err)
            return
        left = 0
        for row in rows:
            if self.stopping:
                return
            try:
                delete_at, account, container, obj = \
                    parse_expirer_object_name(row['name'])
            except ValueError:
                self.logger.error('Unexpected queue entry %r', row['name'])
                left += 1
                continue
            if delete_at > now or not is_my_task(
                    row['name'], self.processes, self.process):
                left += 1
                continue
            if self.delete_object(account, container, obj, delete_at):
                self.stats['objects'] += 1
                self.pop_queue(queue, row['name'], nodes, part)
            else:
                self.stats['errors'] += 1
                left += 1
        if not left and int(queue) < now - self.divisor:
            self.delete_queue(queue, nodes, part)

    # -- deleting --------------------------------------------------------
    def _policy_of(self, account: str, container: str) -> Optional[int]:
        """The container's policy; None when the container is gone."""
        part, nodes = self.container_ring.get_nodes(account, container)
        for node in nodes:
            try:
                status, headers, _ = direct_request(
                    node, part, 'HEAD', object_path(account, container),
                    **self.timeouts)
            except BackendError:
                continue
            if 200 <= status < 300:
                return int(headers.get(POLICY_HEADER, 0))
            if status == 404:
                continue
        return None

    def delete_object(self, account: str, container: str, obj: str,
                      delete_at: int) -> bool:
        """Delete it if it still expires then; True when nothing is left
        to do for this row."""
        policy = self._policy_of(account, container)
        if policy is None:
            return True  # its container is gone: so is the object
        part, nodes = self.object_ring(policy).get_nodes(account, container,
                                                         obj)
        cpart, cnodes = self.container_ring.get_nodes(account, container)
        stamp = Timestamp(delete_at).internal
        headers_list = [dict(update, **{
            'X-Timestamp': stamp, 'X-If-Delete-At': str(delete_at),
            'X-Backend-Clean-Expiring-Object-Queue': 'no',
            POLICY_HEADER: str(policy), 'User-Agent': 'object-expirer'})
            for update in spread_nodes(cnodes, cpart, len(nodes),
                                       'Container')]
        statuses = direct_delete_all(nodes, part, object_path(
            account, container, obj), headers_list, **self.timeouts)
        done = sum(1 for s in statuses
                   if 200 <= s < 300 or s in DONE_STATUSES)
        if done < quorum_size(len(nodes)):
            self.logger.error('ERROR deleting /%s/%s/%s: %s', account,
                              container, obj, statuses)
            return False
        return True

    def pop_queue(self, queue: str, name: str, nodes: List[Dict],
                  part: int) -> None:
        stamp = Timestamp.now().internal
        direct_delete_all(nodes, part, object_path(self.account, queue,
                                                   name),
                          [{'X-Timestamp': stamp}] * len(nodes),
                          **self.timeouts)

    def delete_queue(self, queue: str, nodes: List[Dict],
                     part: int) -> None:
        apart, anodes = self.account_ring.get_nodes(self.account)
        stamp = Timestamp.now().internal
        headers_list = [dict(update, **{'X-Timestamp': stamp})
                        for update in spread_nodes(anodes, apart, len(nodes),
                                                   'Account')]
        statuses = direct_delete_all(nodes, part, object_path(
            self.account, queue), headers_list, **self.timeouts)
        if all(200 <= s < 300 or s == 404 for s in statuses):
            self.stats['containers'] += 1


def main(argv=None) -> int:
    return run_daemon(ObjectExpirer, argv)

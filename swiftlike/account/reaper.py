"""account-reaper: empties deleted accounts.

An account DELETE only marks the account DB ``DELETED``; its containers and
objects stay until the reaper removes them: every object of every
container (on its object servers, with container updates), then the
container (with an account update). Each primary of the account's
partition reaps the containers that hash to its position, so the work is
shared and survives one node being down. ``delay_reaping`` gives an
operator time to undo a mistaken delete.
"""
from __future__ import annotations

import hashlib
import os
import time
from typing import Dict, List, Optional

from swiftlike.account.backend import AccountBroker
from swiftlike.common.backend_http import spread_nodes
from swiftlike.common.daemon import Daemon, run_daemon
from swiftlike.common.db import iter_db_files
from swiftlike.common.direct_client import (
    DirectClientError,
    direct_delete_all,
    direct_listing_page,
    object_path,
)
from swiftlike.common.exceptions import DatabaseError
from swiftlike.common.ips import is_local_device, whataremyips
from swiftlike.common.ring import ObjectRings, Ring
from swiftlike.common.timestamps import Timestamp

POLICY_HEADER = 'X-Backend-Storage-Policy-Index'
PAGE = 1000


def container_shard(container: str, replicas: int) -> int:
    """Which primary of the account partition reaps this container."""
    digest = hashlib.md5(container.encode('utf-8'),
                         usedforsecurity=False).hexdigest()
    return int(digest, 16) % replicas


class AccountReaper(Daemon):
    section = 'account-reaper'
    server_type = 'account'
    default_interval = 3600

    def __init__(self, conf, logger=None) -> None:
        super().__init__(conf, logger)
        c = self.conf
        self.delay_reaping = c.get_float('delay_reaping', 0, minimum=0)
        self.bind_port = c.get_int('bind_port', 6202)
        self.my_ips = whataremyips(c.get('bind_ip', '0.0.0.0'))
        self.timeouts = {'conn_timeout': c.get_float('conn_timeout', 0.5),
                         'node_timeout': c.get_float('node_timeout', 10.0)}
        self.account_ring = Ring(self.swift_dir, ring_name='account')
        self.container_ring = Ring(self.swift_dir, ring_name='container')
        self.object_ring = ObjectRings(self.swift_dir)
        self.stats: Dict[str, int] = {}

    def run_once(self) -> None:
        began = time.time()
        self.stats = {'accounts': 0, 'containers_deleted': 0,
                      'objects_deleted': 0, 'failures': 0}
        for dev in self.account_ring.devs:
            if not dev or not is_local_device(self.my_ips, self.bind_port,
                                              dev):
                continue
            dev_path = os.path.join(self.devices, dev['device'])
            if self.mount_check and not os.path.ismount(dev_path):
                continue
            for partition, db_file in iter_db_files(dev_path, 'account'):
                if self.stopping:
                    break
                self.reap_db(dev, int(partition), db_file)
        elapsed = time.time() - began
        self.logger.info(
            'Reap pass completed: %.02fs, %d accounts, %d containers and %d '
            'objects deleted, %d failures', elapsed, self.stats['accounts'],
            self.stats['containers_deleted'], self.stats['objects_deleted'],
            self.stats['failures'])
        self.dump_recon({'account_reaper_time': elapsed,
                         'account_reaper_stats': self.stats})

    def reap_db(self, dev: Dict, partition: int, db_file: str) -> None:
        broker = AccountBroker(db_file)
        try:
            if not broker.is_status_deleted():
                return
            info = broker.get_info()
        except DatabaseError as err:
            self.logger.error('ERROR reading %s: %s', db_file, err)
            return
        finally:
            broker.close()
        if float(info['delete_timestamp']) > time.time() - \
                self.delay_reaping:
            return
        primaries = self.account_ring.get_part_nodes(partition)
        position = next((i for i, n in enumerate(primaries)
                         if n['id'] == dev['id']), None)
        self.stats['accounts'] += 1
        self.logger.info('Beginning reap of account %s', info['account'])
        self.reap_account(info['account'], db_file, position,
                          len(primaries))

    def reap_account(self, account: str, db_file: str,
                     position: Optional[int], replicas: int) -> None:
        broker = AccountBroker(db_file)
        marker = ''
        while not self.stopping:
            rows = broker.list_containers_iter(PAGE, marker)
            if not rows:
                break
            for row in rows:
                container = row[0]
                if position is None or \
                        container_shard(container, replicas) == position:
                    self.reap_container(account, container)
            marker = rows[-1][0]
        broker.close()

    def reap_container(self, account: str, container: str) -> None:
        part, nodes = self.container_ring.get_nodes(account, container)
        path = object_path(account, container)
        while not self.stopping:
            try:
                headers, rows = direct_listing_page(nodes, part, path,
                                                    limit=PAGE,
                                                    **self.timeouts)
            except DirectClientError as err:
                if err.status != 404:
                    self.stats['failures'] += 1
                    self.logger.error('ERROR listing %s: %s', path, err)
                    return
                break
            if not rows:
                break
            policy = int(headers.get(POLICY_HEADER, 0))
            for row in rows:
                if self.reap_object(account, container, row['name'], policy,
                                    part, nodes):
                    self.stats['objects_deleted'] += 1
                else:
                    self.stats['failures'] += 1
                    return  # the container cannot go yet; next pass
        self.delete_container(account, container, part, nodes)

    def reap_object(self, account: str, container: str, obj: str,
                    policy: int, cpart: int, cnodes: List[Dict]) -> bool:
        part, nodes = self.object_ring(policy).get_nodes(account, container,
                                                         obj)
        stamp = Timestamp.now().internal
        headers_list = [dict(update, **{
            'X-Timestamp': stamp, POLICY_HEADER: str(policy),
            'User-Agent': 'account-reaper'})
            for update in spread_nodes(cnodes, cpart, len(nodes),
                                       'Container')]
        statuses = direct_delete_all(nodes, part, object_path(
            account, container, obj), headers_list, **self.timeouts)
        return all(200 <= s < 300 or s == 404 for s in statuses)

    def delete_container(self, account: str, container: str, part: int,
                         nodes: List[Dict]) -> None:
        apart, anodes = self.account_ring.get_nodes(account)
        stamp = Timestamp.now().internal
        headers_list = [dict(update, **{
            'X-Timestamp': stamp, 'X-Account-Override-Deleted': 'yes'})
            for update in spread_nodes(anodes, apart, len(nodes),
                                       'Account')]
        statuses = direct_delete_all(nodes, part, object_path(
            account, container), headers_list, **self.timeouts)
        if all(200 <= s < 300 or s == 404 for s in statuses):
            self.stats['containers_deleted'] += 1
            self.logger.info('Reaped container /%s/%s', account, container)
        else:
            self.stats['failures'] += 1
            self.logger.error('ERROR deleting container /%s/%s: %s',
                              account, container, statuses)


def main(argv=None) -> int:
    return run_daemon(AccountReaper, argv)

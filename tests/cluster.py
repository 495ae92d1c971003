"""A small real cluster for tests: rings, one account, container and
object server with four devices each (one per zone), and a proxy."""
from __future__ import annotations

import os
from typing import Dict, Optional

from swiftlike.common import hashing
from swiftlike.common.ring import RingBuilder
from tests.servers import ServerProcess

DEVICES = ('sda1', 'sdb1', 'sdc1', 'sdd1')
PART_POWER = 6
REPLICAS = 3


class MiniCluster:
    def __init__(self, root: str, port_overrides: Optional[Dict[
            str, Dict[str, int]]] = None,
                 proxy_filters=('healthcheck',),
                 **proxy_options: str) -> None:
        """``port_overrides``: {kind: {device: port}} puts a device
        behind another port in the ring (a relay that misbehaves)."""
        self.root = root
        self.port_overrides = port_overrides or {}
        self.storage: Dict[str, ServerProcess] = {
            kind: ServerProcess('%s-server' % kind,
                                os.path.join(root, kind), devices=DEVICES)
            for kind in ('account', 'container', 'object')}
        options = {'allow_account_management': 'true',
                   'node_timeout': '3'}
        options.update(proxy_options)
        self.proxy = ServerProcess('proxy-server', os.path.join(root,
                                                                'proxy'),
                                   devices=(), filters=proxy_filters,
                                   **options)
        for kind, server in self.storage.items():
            self._ring(kind, server.port)

    def _ring(self, kind: str, port: int) -> None:
        builder = RingBuilder(PART_POWER, REPLICAS, 1)
        for zone, device in enumerate(DEVICES, 1):
            builder.add_dev({'region': 1, 'zone': zone, 'ip': '127.0.0.1',
                             'port': self.port_overrides.get(kind, {}).get(
                                 device, port),
                             'device': device, 'weight': 1})
        builder.rebalance(seed=1)
        ring_names = ['object', 'object-1'] if kind == 'object' else [kind]
        for name in ring_names:
            builder.get_ring().save(os.path.join(self.proxy.etc,
                                                 name + '.ring.gz'))

    def start(self) -> MiniCluster:
        hashing.set_hash_affixes('vectorprefix', 'vectorsuffix')
        for server in self.storage.values():
            server.start()
        self.proxy.start()
        return self

    def stop(self) -> None:
        for server in [self.proxy] + list(self.storage.values()):
            server.stop()

    def object_files(self, account: str, container: str, obj: str):
        """Every .data of the object on any device (primary or handoff)."""
        digest = hashing.hash_path(account, container, obj)
        found = []
        devices_dir = self.storage['object'].devices_dir
        for device in os.listdir(devices_dir):
            objects = os.path.join(devices_dir, device, 'objects')
            if not os.path.isdir(objects):
                continue
            for part in os.listdir(objects):
                hash_dir = os.path.join(objects, part, digest[-3:], digest)
                if os.path.isdir(hash_dir):
                    found.extend((device, name)
                                 for name in os.listdir(hash_dir)
                                 if name.endswith('.data'))
        return sorted(found)

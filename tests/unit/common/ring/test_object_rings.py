"""Each policy's object ring, loaded once, from its own file."""
import os

import pytest

from swiftlike.common.exceptions import RingLoadError
from swiftlike.common.ring import ObjectRings, RingBuilder


def save_ring(swift_dir, name, replicas):
    builder = RingBuilder(4, replicas, 1)
    for zone in range(1, 4):
        builder.add_dev({'region': 1, 'zone': zone, 'ip': '127.0.0.1',
                         'port': 6200 + zone, 'device': 'sdb1',
                         'weight': 1})
    builder.rebalance(seed=1)
    builder.get_ring().save(os.path.join(swift_dir, name + '.ring.gz'))


def test_each_policy_has_its_ring(tmp_path, swift_conf):
    save_ring(tmp_path, 'object', 3)
    save_ring(tmp_path, 'object-1', 2)
    rings = ObjectRings(str(tmp_path))
    assert rings(0).replica_count == 3
    assert rings(1).replica_count == 2
    assert rings(1) is rings(1)
    with pytest.raises(RingLoadError):
        rings(2)  # no object-2.ring.gz

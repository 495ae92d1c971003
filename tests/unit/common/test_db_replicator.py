"""The DB replicator's own decisions on one node: deleted databases are
reclaimed after reclaim_age, live ones are kept."""
import json
import os

from swiftlike.common.db import db_path
from swiftlike.common.ring import RingBuilder
from swiftlike.container.backend import ContainerBroker
from swiftlike.container.replicator import ContainerReplicator
from tests.servers import SWIFT_CONF, free_port


def _setup(tmp_path, monkeypatch):
    (tmp_path / 'swift.conf').write_text(SWIFT_CONF)
    monkeypatch.setenv('SWIFT_CONF_FILE', str(tmp_path / 'swift.conf'))
    port = free_port()
    builder = RingBuilder(2, 1, 1)
    builder.add_dev({'region': 1, 'zone': 1, 'ip': '127.0.0.1',
                     'port': port, 'device': 'sda', 'weight': 1})
    builder.rebalance()
    builder.get_ring().save(str(tmp_path / 'container.ring.gz'))
    return {'devices': str(tmp_path / 'srv'), 'mount_check': 'false',
            'swift_dir': str(tmp_path), 'bind_ip': '127.0.0.1',
            'bind_port': str(port), 'recon_cache_path': str(tmp_path),
            'log_address': '/nonexistent', 'reclaim_age': '100'}


def _db(tmp_path, name_hash, deleted_at=None):
    path = db_path(str(tmp_path / 'srv' / 'sda'), 'container', '1',
                   name_hash)
    broker = ContainerBroker(path, account='a', container=name_hash)
    broker.initialize('1000000000.00000')
    if deleted_at:
        broker.delete_db(deleted_at)
    broker.close()
    return path


def test_old_deleted_dbs_are_reclaimed(tmp_path, monkeypatch):
    conf = _setup(tmp_path, monkeypatch)
    old = _db(tmp_path, 'a' * 32, deleted_at='1000000001.00000')
    live = _db(tmp_path, 'b' * 32)
    replicator = ContainerReplicator(conf)
    replicator.run_once()
    assert not os.path.exists(os.path.dirname(old))
    assert os.path.exists(live)
    assert replicator.stats['remove'] == 1
    assert replicator.stats['attempted'] == 2
    with open(tmp_path / 'container.recon') as f:
        assert json.load(f)['replication_stats']['remove'] == 1

"""container-updater: container stats reach the account servers once."""
import sqlite3

import pytest

from swiftlike.common import hashing
from swiftlike.common.db import iter_db_files
from swiftlike.container.updater import ContainerUpdater, needs_report
from tests.cluster import MiniCluster
from tests.servers import make_root, remove_root, xattr_base


@pytest.fixture(scope='module')
def cluster():
    base = xattr_base()
    if base is None:
        pytest.skip('no filesystem with large user xattrs')
    root = make_root(base)
    mini = MiniCluster(root).start()
    assert mini.proxy.request('PUT', '/v1/AUTH_test')[0] in (201, 202)
    yield mini
    mini.stop()
    remove_root(root)


@pytest.fixture(autouse=True)
def _affixes():
    hashing.set_hash_affixes('vectorprefix', 'vectorsuffix')


def test_needs_report():
    info = {'put_timestamp': '2', 'reported_put_timestamp': '2',
            'delete_timestamp': '0', 'reported_delete_timestamp': '0',
            'object_count': 1, 'reported_object_count': 1,
            'bytes_used': 5, 'reported_bytes_used': 5}
    assert not needs_report(info)
    assert needs_report(dict(info, object_count=2))
    assert needs_report(dict(info, put_timestamp='3'))


def test_stats_reach_the_account(cluster, tmp_path):
    proxy = cluster.proxy
    assert proxy.request('PUT', '/v1/AUTH_test/counted')[0] == 201
    for i in range(3):
        assert proxy.request('PUT', '/v1/AUTH_test/counted/o%d' % i, {},
                             b'x' * 10)[0] == 201
    headers = proxy.request('HEAD', '/v1/AUTH_test')[1]
    assert headers['X-Account-Object-Count'] == '0'  # not told yet
    conf = {'devices': cluster.storage['container'].devices_dir,
            'swift_dir': proxy.etc, 'mount_check': 'false',
            'recon_cache_path': str(tmp_path),
            'log_address': '/nonexistent'}
    daemon = ContainerUpdater(conf)
    daemon.run_once()
    assert daemon.stats['successes'] >= 1 and daemon.stats['failures'] == 0
    headers = proxy.request('HEAD', '/v1/AUTH_test')[1]
    assert headers['X-Account-Object-Count'] == '3'
    assert headers['X-Account-Bytes-Used'] == '30'
    reported = []
    devices = cluster.storage['container'].devices_dir
    for device in ('sda1', 'sdb1', 'sdc1', 'sdd1'):
        for _, db_file in iter_db_files('%s/%s' % (devices, device),
                                        'container'):
            with sqlite3.connect(db_file) as conn:
                row = conn.execute(
                    'SELECT container, reported_object_count, '
                    'reported_bytes_used FROM container_stat').fetchone()
            if row[0] == 'counted':
                reported.append(row[1:])
    assert reported == [(3, 30)] * 3
    again = ContainerUpdater(conf)
    again.run_once()
    assert again.stats['successes'] == 0 and again.stats['no_changes'] >= 3

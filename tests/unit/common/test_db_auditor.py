"""Container and account auditors over real SQLite files: sound DBs pass,
a corrupt one is quarantined, per-policy counts must add up."""
import json
import os
import sqlite3

from swiftlike.account.auditor import AccountAuditor
from swiftlike.account.backend import AccountBroker
from swiftlike.common.db import db_path
from swiftlike.container.auditor import ContainerAuditor
from swiftlike.container.backend import ContainerBroker


def _conf(tmp_path):
    return {'devices': str(tmp_path / 'srv'), 'mount_check': 'false',
            'recon_cache_path': str(tmp_path / 'cache'),
            'log_address': '/nonexistent', 'containers_per_second': '0',
            'accounts_per_second': '0'}


def test_corrupt_container_db_is_quarantined(tmp_path):
    dev = tmp_path / 'srv' / 'sda'
    good = ContainerBroker(db_path(str(dev), 'container', '1', 'a' * 32),
                           account='a', container='good')
    good.initialize('1700000000.00000')
    good.put_object('o', '1700000001.00000', 3, 'text/plain', 'e' * 32)
    bad_path = db_path(str(dev), 'container', '2', 'b' * 32)
    os.makedirs(os.path.dirname(bad_path))
    with open(bad_path, 'wb') as f:
        f.write(b'this is not a database at all' * 200)
    auditor = ContainerAuditor(_conf(tmp_path))
    auditor.run_once()
    assert auditor.stats == {'passed': 1, 'failed': 1, 'quarantined': 1}
    assert not os.path.exists(bad_path)
    assert os.path.isdir(dev / 'quarantined' / 'containers' / ('b' * 32))
    with open(tmp_path / 'cache' / 'container.recon') as f:
        recon = json.load(f)
    assert recon['container_audits_passed'] == 1
    assert recon['container_audits_failed'] == 1


def test_account_per_policy_totals_must_add_up(tmp_path):
    dev = tmp_path / 'srv' / 'sda'
    path = db_path(str(dev), 'account', '1', 'c' * 32)
    broker = AccountBroker(path, account='AUTH_a')
    broker.initialize('1700000000.00000')
    broker.put_container('c1', '1700000001.00000', '0', 5, 50, 0)
    broker.get_info()  # merges the pending row
    auditor = AccountAuditor(_conf(tmp_path))
    auditor.run_once()
    assert auditor.stats['passed'] == 1
    with sqlite3.connect(path) as conn:
        conn.execute('UPDATE policy_stat SET object_count = 7')
    auditor.run_once()
    assert auditor.stats == {'passed': 0, 'failed': 1, 'quarantined': 0}

"""account-replicator: account DB replicas converge (see
common/db_replicator.py)."""
from __future__ import annotations

from swiftlike.account.backend import AccountBroker
from swiftlike.common.daemon import run_daemon
from swiftlike.common.db_replicator import DatabaseReplicator


class AccountReplicator(DatabaseReplicator):
    section = 'account-replicator'
    server_type = 'account'
    db_type = 'account'
    broker_class = AccountBroker


def main(argv=None) -> int:
    return run_daemon(AccountReplicator, argv)

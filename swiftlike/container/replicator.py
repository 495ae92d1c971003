"""container-replicator: container DB replicas converge (see
common/db_replicator.py)."""
from __future__ import annotations

from swiftlike.common.daemon import run_daemon
from swiftlike.common.db_replicator import DatabaseReplicator
from swiftlike.container.backend import ContainerBroker


class ContainerReplicator(DatabaseReplicator):
    section = 'container-replicator'
    server_type = 'container'
    db_type = 'container'
    broker_class = ContainerBroker


def main(argv=None) -> int:
    return run_daemon(ContainerReplicator, argv)

"""container-auditor: reads every container DB (see common/db_auditor)."""
from __future__ import annotations

from swiftlike.common.daemon import run_daemon
from swiftlike.common.db_auditor import DatabaseAuditor
from swiftlike.container.backend import ContainerBroker


class ContainerAuditor(DatabaseAuditor):
    section = 'container-auditor'
    server_type = 'container'
    db_type = 'container'
    broker_class = ContainerBroker


def main(argv=None) -> int:
    return run_daemon(ContainerAuditor, argv)

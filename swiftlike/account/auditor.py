"""account-auditor: reads every account DB and checks that the
per-policy counts add up to the account's totals."""
from __future__ import annotations

from typing import Dict, Optional

from swiftlike.account.backend import AccountBroker
from swiftlike.common.daemon import run_daemon
from swiftlike.common.db_auditor import DatabaseAuditor

TOTALS = ('container_count', 'object_count', 'bytes_used')


class AccountAuditor(DatabaseAuditor):
    section = 'account-auditor'
    server_type = 'account'
    db_type = 'account'
    broker_class = AccountBroker

    def check(self, broker, info: Dict) -> Optional[str]:
        stats = broker.get_policy_stats()
        if not stats:
            return None
        for key in TOTALS:
            total = sum(s.get(key) or 0 for s in stats.values())
            if total != (info.get(key) or 0):
                return 'per-policy %s adds up to %d, not %d' % (
                    key, total, info.get(key) or 0)
        return None


def main(argv=None) -> int:
    return run_daemon(AccountAuditor, argv)

"""Account and container auditors: every DB is opened and read; a corrupt
one is quarantined (the broker moves it to ``quarantined/<type>s/``) so the
replicator brings a good copy from a peer."""
from __future__ import annotations

import os
import time
from typing import Dict

from swiftlike.common.daemon import Daemon
from swiftlike.common.db import DatabaseBroker, iter_db_files
from swiftlike.common.exceptions import DatabaseError
from swiftlike.common.ratelimit import RateLimiter


class DatabaseAuditor(Daemon):
    db_type = ''
    default_interval = 1800
    broker_class = DatabaseBroker

    def __init__(self, conf, logger=None) -> None:
        super().__init__(conf, logger)
        self.per_second = self.conf.get_float(
            '%ss_per_second' % self.db_type, 200, minimum=0)
        self.stats: Dict[str, int] = {}

    def run_once(self) -> None:
        began = time.time()
        self.stats = {'passed': 0, 'failed': 0, 'quarantined': 0}
        limiter = RateLimiter(self.per_second)
        for _, dev_path in self.local_devices():
            for _, db_file in iter_db_files(dev_path, self.db_type):
                if self.stopping:
                    break
                self.audit(db_file)
                limiter.take()
        elapsed = time.time() - began
        self.logger.info('%s audit pass completed: %.02fs, %d passed, %d '
                         'failed, %d quarantined', self.db_type.title(),
                         elapsed, self.stats['passed'], self.stats['failed'],
                         self.stats['quarantined'])
        self.dump_recon({
            '%s_audits_passed' % self.db_type: self.stats['passed'],
            '%s_audits_failed' % self.db_type: self.stats['failed'],
            '%s_auditor_pass_completed' % self.db_type: elapsed,
            '%s_audits_since' % self.db_type: began})

    def audit(self, db_file: str) -> None:
        broker = self.broker_class(db_file)
        try:
            info = broker.get_info()
            problem = self.check(broker, info)
        except DatabaseError as err:
            problem = str(err)
        finally:
            broker.close()
        if problem is None:
            self.stats['passed'] += 1
            return
        self.stats['failed'] += 1
        if not os.path.exists(db_file):
            self.stats['quarantined'] += 1
        self.logger.error('ERROR auditing %s: %s', db_file, problem)

    def check(self, broker: DatabaseBroker, info: Dict):
        """None if sound, else what is wrong (beyond being readable)."""
        return None

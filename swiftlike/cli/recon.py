"""swiftlike-recon [object|container|account] [checks]: asks every storage
node of a ring for its recon figures and sums them up (Swift's swift-recon).

Checks: ``--async`` pendings, ``--replication`` times and stats,
``--loadstats``, ``--diskusage``, ``--quarantined`` counts, ``--md5``
(each node's rings against this machine's), ``--unmounted`` drives,
``--auditor``, ``--updater``, ``--expirer``; ``--all`` for every one.
``--json`` prints one JSON document for scripts. The exit status is 1
when a node did not answer, a drive is unmounted or a ring differs, so
a cron job can alert on it.
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Dict, List, Optional, Tuple

from swiftlike.common.config import prefer_swift_conf_in
from swiftlike.common.exceptions import ConfigError, RingLoadError
from swiftlike.common.fs import file_md5
from swiftlike.common.ring import Ring

Host = Tuple[str, int]
RULE = '=' * 79


def fetch(host: Host, path: str, timeout: float) -> Optional[Any]:
    """GET /recon/<path> on one node; None when it does not answer."""
    try:
        conn = http.client.HTTPConnection(host[0], host[1], timeout=timeout)
        conn.request('GET', '/recon/' + path)
        resp = conn.getresponse()
        body = resp.read()
        conn.close()
        return json.loads(body) if resp.status == 200 else None
    except (OSError, ValueError, http.client.HTTPException):
        return None


def ask_all(hosts: List[Host], path: str, timeout: float
            ) -> Dict[Host, Optional[Any]]:
    with ThreadPoolExecutor(max_workers=min(32, len(hosts) or 1)) as pool:
        answers = pool.map(lambda h: fetch(h, path, timeout), hosts)
        return dict(zip(hosts, answers))


def stats_line(name: str, values: List[float], failed: int,
               total: int) -> str:
    """Swift's ``[name] low: , high: , avg: , total: ...`` summary."""
    if not values:
        return '[%s] - No hosts returned valid data.' % name
    return ('[%s] low: %s, high: %s, avg: %.1f, total: %s, Failed: %.1f%%, '
            'no_result: %d, reported: %d' % (
                name, _num(min(values)), _num(max(values)),
                sum(values) / len(values), _num(sum(values)),
                100.0 * failed / total if total else 0.0, failed,
                len(values)))


def _num(value: float):
    return int(value) if float(value).is_integer() else round(value, 3)



class Recon:
    def __init__(self, server: str, swift_dir: str, timeout: float) -> None:
        self.server = server
        self.swift_dir = swift_dir
        self.timeout = timeout
        ring = Ring(swift_dir, ring_name=server)
        self.hosts: List[Host] = sorted({(d['ip'], d['port'])
                                         for d in ring.devs if d})
        self.results: Dict[str, Any] = {}
        self.problems = 0
        self.unanswered: set = set()

    def _values(self, path: str, key: Optional[str] = None):
        answers = ask_all(self.hosts, path, self.timeout)
        failed = sum(1 for a in answers.values() if a is None)
        self.unanswered.update(h for h, a in answers.items() if a is None)
        values = [a if key is None else a.get(key) for a in answers.values()
                  if a is not None]
        return answers, [v for v in values if v is not None], failed

    def check_async(self) -> List[str]:
        answers, values, failed = self._values('async')
        self.results['async'] = {'%s:%d' % h: a for h, a in answers.items()}
        return ['Checking async pendings',
                stats_line('async_pending', values, failed,
                           len(self.hosts))]

    def check_replication(self) -> List[str]:
        answers, _, failed = self._values('replication/%s' % self.server)
        good = [a for a in answers.values() if a]
        self.results['replication'] = {'%s:%d' % h: a
                                       for h, a in answers.items()}
        times = [a['replication_time'] for a in good
                 if a.get('replication_time') is not None]
        lasts = [a['replication_last'] for a in good
                 if a.get('replication_last')]
        lines = ['Checking on replication',
                 stats_line('replication_time', times, failed,
                            len(self.hosts))]
        if lasts:
            lines.append('Oldest completion was %s ago, most recent %s ago'
                         % (_ago(min(lasts)), _ago(max(lasts))))
        return lines

    def check_diskusage(self) -> List[str]:
        answers, _, failed = self._values('diskusage')
        self.results['diskusage'] = {'%s:%d' % h: a
                                     for h, a in answers.items()}
        used = [100.0 * d['used'] / d['size'] for a in answers.values()
                if a for d in a if d.get('mounted') and d.get('size')]
        return ['Checking disk usage now',
                stats_line('disk_usage_percent', used, failed,
                           len(self.hosts))]

    def check_quarantined(self) -> List[str]:
        answers, _, failed = self._values('quarantined')
        self.results['quarantined'] = {'%s:%d' % h: a
                                       for h, a in answers.items()}
        lines = ['Checking quarantine']
        for kind in ('objects', 'containers', 'accounts'):
            values = [a[kind] for a in answers.values() if a]
            lines.append(stats_line('quarantined_%s' % kind, values, failed,
                                    len(self.hosts)))
        return lines

    def check_unmounted(self) -> List[str]:
        answers, _, _ = self._values('unmounted')
        self.results['unmounted'] = {'%s:%d' % h: a
                                     for h, a in answers.items()}
        lines = ['Getting unmounted drives from %d hosts...'
                 % len(self.hosts)]
        for host, answer in sorted(answers.items()):
            for device in answer or []:
                self.problems += 1
                lines.append('Not mounted: %s on %s:%d' % (
                    device['device'], host[0], host[1]))
        return lines

    def check_md5(self) -> List[str]:
        local = {}
        for name in os.listdir(self.swift_dir):
            if name.endswith('.ring.gz'):
                local[name] = file_md5(os.path.join(self.swift_dir, name))
        answers = ask_all(self.hosts, 'ringmd5', self.timeout)
        self.unanswered.update(h for h, a in answers.items() if a is None)
        matched = errors = 0
        lines = ['Checking ring md5sums']
        for host, answer in sorted(answers.items()):
            if answer is None:
                errors += 1
                continue
            theirs = {os.path.basename(k): v for k, v in answer.items()}
            wrong = [n for n, md5 in local.items()
                     if n in theirs and theirs[n] != md5]
            if wrong:
                lines.append('!! %s:%d (%s) doesn\'t match on disk md5sum'
                             % (host[0], host[1], ', '.join(wrong)))
            else:
                matched += 1
        self.problems += len(self.hosts) - errors - matched
        self.results['md5'] = {'matched': matched, 'errors': errors,
                               'hosts': len(self.hosts)}
        lines.append('%d/%d hosts matched, %d error[s] while checking hosts.'
                     % (matched, len(self.hosts), errors))
        return lines

    def check_loadstats(self) -> List[str]:
        lines = ['Checking load averages']
        for key in ('1m', '5m', '15m'):
            _, values, failed = self._values('load', key)
            lines.append(stats_line('%s_load_avg' % key, values, failed,
                                    len(self.hosts)))
        return lines

    def check_auditor(self) -> List[str]:
        answers, _, failed = self._values('auditor/%ss' % self.server)
        self.results['auditor'] = {'%s:%d' % h: a
                                   for h, a in answers.items()}
        good = [a for a in answers.values() if a]
        lines = ['Checking auditor stats']
        if self.server == 'object':
            for mode in ('ALL', 'ZBF'):
                passes = [a.get('object_auditor_stats_%s' % mode) or {}
                          for a in good]
                for key in ('audit_time', 'quarantined', 'errors', 'passes',
                            'bytes_processed'):
                    values = [p[key] for p in passes if p.get(key) is not None]
                    lines.append(stats_line('%s_%s_last_path' % (mode, key),
                                            values, failed, len(self.hosts)))
            return lines
        prefix = self.server + '_'
        since = [float(a[prefix + 'audits_since']) for a in good
                 if a.get(prefix + 'audits_since')]
        if since:
            lines.append('[last_pass] oldest: %s ago, newest: %s ago' % (
                _ago(min(since)), _ago(max(since))))
        for key in ('audits_passed', 'audits_failed',
                    'auditor_pass_completed'):
            values = [a[prefix + key] for a in good
                      if a.get(prefix + key) is not None]
            lines.append(stats_line(prefix + key, values, failed,
                                    len(self.hosts)))
        return lines

    def check_updater(self) -> List[str]:
        key = '%s_updater_sweep' % self.server
        _, values, failed = self._values('updater/%s' % self.server, key)
        return ['Checking updater times',
                stats_line(key, values, failed, len(self.hosts))]

    def check_expirer(self) -> List[str]:
        _, values, failed = self._values('expirer/object',
                                         'expired_last_pass')
        return ['Checking on expirers',
                stats_line('expired_last_pass', values, failed,
                           len(self.hosts))]


def _ago(stamp: float) -> str:
    seconds = max(0, time.time() - stamp)
    return '%ds' % seconds if seconds < 120 else '%dm' % (seconds // 60)


CHECKS = ('async', 'replication', 'diskusage', 'quarantined', 'md5',
          'unmounted', 'loadstats', 'auditor', 'updater', 'expirer')


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(
        prog='swiftlike-recon',
        description='Ask every storage node of a ring for its recon '
                    'figures.')
    parser.add_argument('server', nargs='?', default='object',
                        choices=('object', 'container', 'account'))
    for check in CHECKS:
        parser.add_argument('--' + check, action='store_true')
    parser.add_argument('--all', action='store_true', help='every check')
    parser.add_argument('--swiftdir', default='/etc/swift')
    parser.add_argument('--timeout', type=float, default=5.0)
    parser.add_argument('--json', action='store_true',
                        help='one JSON document instead of the report')
    args = parser.parse_args(argv)
    chosen = [c for c in CHECKS if args.all or getattr(args, c)]
    if not chosen:
        parser.error('choose at least one check (or --all)')
    prefer_swift_conf_in(args.swiftdir)
    try:
        recon = Recon(args.server, args.swiftdir, args.timeout)
    except (RingLoadError, ConfigError, OSError) as err:
        print('Error: %s' % err, file=sys.stderr)
        return 1
    report = [RULE, '--> Starting reconnaissance on %d hosts (%s)'
              % (len(recon.hosts), args.server), RULE]
    for check in chosen:
        lines = getattr(recon, 'check_' + check)()
        report.append('[%s] %s' % (time.strftime('%Y-%m-%d %H:%M:%S'),
                                   lines[0]))
        report += lines[1:] + [RULE]
    for host in sorted(recon.unanswered):
        report.append('-> %s:%d did not answer' % host)
    if args.json:
        print(json.dumps(recon.results, sort_keys=True))
    else:
        print('\n'.join(report))
    return 1 if recon.problems or recon.unanswered else 0


if __name__ == '__main__':
    sys.exit(main())

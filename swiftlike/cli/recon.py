"""swiftlike-recon [object|container|account] [checks]: asks every storage
node of a ring for its recon figures and sums them up (Swift's swift-recon).

Checks (with swift-recon's option names): ``-a`` async pendings, ``-r``
replication, ``-l`` load, ``-d`` disk usage, ``-q`` quarantined counts,
``--md5`` (each node's rings against this machine's), ``-u`` unmounted
drives, ``--auditor``, ``--updater``, ``--expirer``, ``-T`` clocks,
``--swift-versions``, ``--validate-servers``; ``--all`` for every one;
``--region`` / ``-z`` to ask only part of the cluster. ``--json`` prints
one JSON document for scripts. The exit status is 1 when a node did not
answer, a drive is unmounted, a ring, clock or version differs or a
healthcheck fails, so a cron job can alert on it.
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


def fetch(host: Host, path: str, timeout: float,
          parse: bool = True) -> Optional[Any]:
    """GET ``path`` on one node: the JSON it answers (the raw body without
    ``parse``); None when it does not answer 200."""
    try:
        conn = http.client.HTTPConnection(host[0], host[1], timeout=timeout)
        conn.request('GET', path)
        resp = conn.getresponse()
        body = resp.read()
        conn.close()
        if resp.status != 200:
            return None
        return json.loads(body) if parse else body
    except (OSError, ValueError, http.client.HTTPException):
        return None


def ask_all(hosts: List[Host], path: str, timeout: float,
            parse: bool = True) -> Dict[Host, Optional[Any]]:
    with ThreadPoolExecutor(max_workers=min(32, len(hosts) or 1)) as pool:
        answers = pool.map(lambda h: fetch(h, path, timeout, parse), hosts)
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
    def __init__(self, server: str, swift_dir: str, timeout: float,
                 region: Optional[int] = None,
                 zone: Optional[int] = None) -> None:
        self.server = server
        self.swift_dir = swift_dir
        self.timeout = timeout
        ring = Ring(swift_dir, ring_name=server)
        self.hosts: List[Host] = sorted({
            (d['ip'], d['port']) for d in ring.devs
            if d and region in (None, d['region']) and
            zone in (None, d['zone'])})
        self.results: Dict[str, Any] = {}
        self.problems = 0
        self.unanswered: set = set()

    def _ask(self, path: str, parse: bool = True):
        answers = ask_all(self.hosts, path, self.timeout, parse)
        self.unanswered.update(h for h, a in answers.items() if a is None)
        return answers

    def _values(self, path: str, key: Optional[str] = None):
        answers = self._ask('/recon/' + path)
        failed = sum(1 for a in answers.values() if a is None)
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
        answers = self._ask('/recon/ringmd5')
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

    def check_time(self) -> List[str]:
        """Each node's clock against this machine's: replication and
        expiry compare timestamps made on different machines."""
        before = time.time()
        answers = self._ask('/recon/time')
        after = time.time()
        lines = ['Checking time-sync']
        matched = 0
        for host, stamp in sorted(answers.items()):
            if stamp is None:
                continue
            if before - TIME_JITTER <= stamp <= after + TIME_JITTER:
                matched += 1
                continue
            self.problems += 1
            lines.append('!! %s:%d current time is %s but remote is %s, '
                         'differs by %.4f sec' % (
                             host[0], host[1], _utc(after), _utc(stamp),
                             abs(stamp - after)))
        lines.append('%d/%d hosts matched, %d error[s] while checking '
                     'hosts.' % (matched, len(self.hosts),
                                 sum(a is None for a in answers.values())))
        return lines

    def check_swift_versions(self) -> List[str]:
        answers = self._ask('/recon/version')
        versions = {h: a.get('version') for h, a in answers.items() if a}
        lines = ['Checking versions']
        if len(set(versions.values())) == 1:
            lines.append('Versions matched (%s), %d error[s] while checking '
                         'hosts.' % (next(iter(versions.values())),
                                     len(answers) - len(versions)))
        else:
            self.problems += bool(versions)
            lines += ['Versions not matched (%s) on %s:%d' % (v, h[0], h[1])
                      for h, v in sorted(versions.items())]
        return lines

    def check_validate_servers(self) -> List[str]:
        answers = self._ask('/healthcheck', parse=False)
        healthy = sum(1 for a in answers.values() if a == b'OK')
        self.problems += sum(1 for a in answers.values()
                             if a is not None and a != b'OK')
        return ['Validating server type \'%s\' on %d hosts...' % (
                    self.server, len(self.hosts)),
                '%d/%d hosts ok, %d error[s] while checking hosts.' % (
                    healthy, len(self.hosts), len(self.hosts) - healthy)]


def _utc(stamp: float) -> str:
    return time.strftime('%Y-%m-%d %H:%M:%S', time.gmtime(stamp))


def _ago(stamp: float) -> str:
    seconds = max(0, time.time() - stamp)
    return '%ds' % seconds if seconds < 120 else '%dm' % (seconds // 60)


#: (check, short option or None, help), in the order --all runs them
CHECKS = (
    ('async', '-a', 'async pendings'),
    ('replication', '-r', 'replication times and stats'),
    ('diskusage', '-d', 'disk usage'),
    ('quarantined', '-q', 'quarantined objects and databases'),
    ('md5', None, 'every node\'s rings against this machine\'s'),
    ('unmounted', '-u', 'unmounted drives'),
    ('loadstats', '-l', 'load averages'),
    ('auditor', None, 'auditor figures'),
    ('updater', None, 'updater sweep times'),
    ('expirer', None, 'expirer figures'),
    ('time', '-T', 'every node\'s clock against this machine\'s'),
    ('swift_versions', None, 'the software version of every node'),
    ('validate_servers', None, 'that every node answers its healthcheck'),
)
#: seconds a node's clock may differ from this machine's
TIME_JITTER = 1.0


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(
        prog='swiftlike-recon',
        description='Ask every storage node of a ring for its recon '
                    'figures.')
    parser.add_argument('server', nargs='?', default='object',
                        choices=('object', 'container', 'account'))
    for check, short, text in CHECKS:
        flags = ['--' + check.replace('_', '-')] + ([short] if short else [])
        parser.add_argument(*flags, dest=check, action='store_true',
                            help=text)
    parser.add_argument('--all', action='store_true', help='every check')
    parser.add_argument('--region', type=int, help='only this region')
    parser.add_argument('-z', '--zone', type=int, help='only this zone')
    parser.add_argument('--swiftdir', default='/etc/swift',
                        help='where the rings are (/etc/swift)')
    parser.add_argument('-t', '--timeout', type=float, default=5.0,
                        help='seconds to wait for each node (5)')
    parser.add_argument('--json', action='store_true',
                        help='one JSON document instead of the report')
    args = parser.parse_args(argv)
    chosen = [c for c, _, _ in CHECKS if args.all or getattr(args, c)]
    if not chosen:
        parser.error('choose at least one check (or --all)')
    prefer_swift_conf_in(args.swiftdir)
    try:
        recon = Recon(args.server, args.swiftdir, args.timeout,
                      args.region, args.zone)
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

"""rsync for the replicators: module names and command lines (pure), and
running one transfer with a deadline."""
from __future__ import annotations

import subprocess
from typing import Dict, List, Sequence, Tuple

from swiftlike.common.concurrency import in_thread

#: rsync's temporary files (``.<name>.XXXXXX``) are never sent on
TEMP_FILE_EXCLUDE = '--exclude=.*.' + '[0-9a-zA-Z]' * 6


def _bracketed(ip: str) -> str:
    return '[%s]' % ip if ':' in ip else ip


def format_module(template: str, node: Dict) -> str:
    """``rsync_module`` with a node's placeholders filled in, e.g.
    ``{replication_ip}::object`` -> ``10.0.0.1::object``."""
    values = {
        'ip': _bracketed(node['ip']), 'port': node['port'],
        'replication_ip': _bracketed(node.get('replication_ip') or
                                     node['ip']),
        'replication_port': node.get('replication_port') or node['port'],
        'region': node.get('region', ''), 'zone': node.get('zone', ''),
        'device': node['device'], 'meta': node.get('meta', '')}
    return template.rstrip('/').format(**values)


def object_rsync_command(sources: Sequence[str], destination: str,
                         io_timeout: int, bwlimit: str,
                         compress: bool = False) -> List[str]:
    """Swift's object-replicator rsync: whole files with xattrs, never
    overwriting what the peer has."""
    args = ['rsync', '--recursive', '--whole-file', '--human-readable',
            '--xattrs', '--itemize-changes', '--ignore-existing',
            '--timeout=%d' % io_timeout, '--contimeout=%d' % io_timeout,
            '--bwlimit=%s' % bwlimit, TEMP_FILE_EXCLUDE]
    if compress:
        args.append('--compress')
    return args + list(sources) + [destination]


def run_rsync(args: List[str], timeout: float) -> Tuple[int, str]:
    """(exit status, output); 124-style -1 when it ran past ``timeout``.
    Runs in a real thread so green threads go on meanwhile."""
    def call() -> Tuple[int, str]:
        try:
            done = subprocess.run(args, stdout=subprocess.PIPE,
                                  stderr=subprocess.STDOUT, timeout=timeout)
        except subprocess.TimeoutExpired:
            return -1, 'rsync ran past %ss' % timeout
        except OSError as err:
            return -2, str(err)
        return done.returncode, done.stdout.decode('utf-8', 'replace')
    return in_thread(call)

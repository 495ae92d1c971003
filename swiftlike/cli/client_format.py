"""What the ``swiftlike`` client prints for ``stat`` and ``list --long``,
laid out as python-swiftclient's ``swift`` lays it out, so scripts that
read one read the other. Pure functions: headers and rows in, lines out.
"""
from __future__ import annotations

import time
from typing import Dict, List, Mapping, Optional, Tuple

Rows = List[Tuple[str, Optional[str]]]
POLICY_PREFIX = 'x-account-storage-policy-'
UNITS = 'KMGTPEZY'
#: the length is shown as a row of its own (objects) or means nothing
#: (a HEAD's), the rest are about the connection, not the data
NOT_SHOWN = ('content-length', 'date', 'connection', 'keep-alive',
             'transfer-encoding')


def size_text(value, human: bool) -> str:
    """A byte count: right-aligned in 12 columns, or with ``human`` as
    ``ls -lh`` does (``999``, ``1.5K``, `` 12M``)."""
    if not human:
        return '%12s' % value
    number = float(value)
    unit = ''
    for candidate in UNITS:
        if number <= 1023:
            break
        number /= 1024.0
        unit = candidate
    if not unit:
        return '%4s' % value
    return '%3d%s' % (number, unit) if number >= 10 else \
        '%.1f%s' % (number, unit)


def _lower(headers: Mapping[str, str]) -> Dict[str, str]:
    return {k.lower(): v for k, v in headers.items()}


def _other_rows(headers: Dict[str, str], meta_prefix: str,
                shown: Tuple[str, ...]) -> Rows:
    """Metadata first (``Meta Color``), then every other header not shown
    already, in the order the cluster sent them."""
    meta, other = [], []
    for key, value in headers.items():
        if key in shown or key in NOT_SHOWN:
            continue
        if key.startswith(meta_prefix):
            meta.append(('Meta %s' % key[len(meta_prefix):].title(), value))
        else:
            other.append((key.title(), value))
    return meta + other


def account_rows(account: str, headers: Mapping[str, str],
                 human: bool = False) -> Rows:
    h = _lower(headers)

    def size(key):
        return size_text(h.get(key, 0), human).lstrip()
    rows: Rows = [('Account', account),
                  ('Containers', h.get('x-account-container-count', '0')),
                  ('Objects', size('x-account-object-count')),
                  ('Bytes', size('x-account-bytes-used'))]
    policies = []
    for key in h:
        if key.startswith(POLICY_PREFIX):
            name = key[len(POLICY_PREFIX):].rsplit('-', 2)[0]
            if name not in policies:
                policies.append(name)
    for name in policies:
        base = POLICY_PREFIX + name
        if base + '-container-count' in h:
            rows.append(('Containers in policy "%s"' % name,
                         size(base + '-container-count')))
        rows.append(('Objects in policy "%s"' % name,
                     size(base + '-object-count')))
        rows.append(('Bytes in policy "%s"' % name,
                     size(base + '-bytes-used')))
    shown = tuple(k for k in h if k.startswith(POLICY_PREFIX)) + (
        'x-account-container-count', 'x-account-object-count',
        'x-account-bytes-used')
    return rows + _other_rows(h, 'x-account-meta-', shown)


def container_rows(account: str, container: str,
                   headers: Mapping[str, str], human: bool = False) -> Rows:
    h = _lower(headers)
    rows: Rows = [
        ('Account', account), ('Container', container),
        ('Objects', size_text(h.get('x-container-object-count', 0),
                              human).lstrip()),
        ('Bytes', size_text(h.get('x-container-bytes-used', 0),
                            human).lstrip()),
        ('Read ACL', h.get('x-container-read', '')),
        ('Write ACL', h.get('x-container-write', '')),
        ('Sync To', h.get('x-container-sync-to', '')),
        ('Sync Key', h.get('x-container-sync-key', ''))]
    shown = ('x-container-object-count', 'x-container-bytes-used',
             'x-container-read', 'x-container-write', 'x-container-sync-to',
             'x-container-sync-key')
    return rows + _other_rows(h, 'x-container-meta-', shown)


def object_rows(account: str, container: str, obj: str,
                headers: Mapping[str, str], human: bool = False) -> Rows:
    h = _lower(headers)
    rows: Rows = [
        ('Account', account), ('Container', container), ('Object', obj),
        ('Content Type', h.get('content-type')),
        ('Content Length', size_text(h.get('content-length', 0),
                                     human).lstrip()),
        ('Last Modified', h.get('last-modified')),
        ('ETag', h.get('etag')),
        ('Manifest', h.get('x-object-manifest'))]
    shown = ('content-type', 'last-modified', 'etag', 'x-object-manifest')
    return rows + _other_rows(h, 'x-object-meta-', shown)


def format_rows(rows: Rows, skip_missing: bool = False) -> List[str]:
    """``Label: value`` lines, labels right-aligned to the longest."""
    if skip_missing:
        rows = [(k, v) for k, v in rows if v]
    width = max((len(k) for k, _ in rows), default=0)
    return [('%*s: %s' % (width, k, v)) if v not in (None, '') else
            '%*s:' % (width, k) for k, v in rows]


def _stamp(last_modified: Optional[str]) -> Tuple[str, str]:
    """('2026-11-24', '14:41:01') from a listing's ``last_modified``."""
    if not last_modified:
        return '????-??-??', '??:??:??'
    day, _, clock = last_modified.partition('T')
    return day, clock.split('.')[0]


def container_line(row: Mapping, human: bool,
                   head: Mapping[str, str]) -> str:
    """One container of ``list --long``: ``head`` is the container's HEAD
    answer, for when it was made and its policy (as swift shows them)."""
    h = _lower(head)
    try:
        made = time.strftime('%Y-%m-%d %H:%M:%S',
                             time.gmtime(float(h['x-timestamp'])))
    except (KeyError, ValueError):
        made = '????-??-?? ??:??:??'
    return '%12s %s %s %-15s %s' % (
        row.get('count', 0), size_text(row.get('bytes', 0), human), made,
        h.get('x-storage-policy', ''), row['name'])


def object_line(row: Mapping, human: bool) -> str:
    """One object (or subdirectory) of ``list --long``."""
    if 'subdir' in row:  # (swift shows the missing type as None)
        return '%s %10s %8s %24s %s' % (size_text(0, human), '', '', None,
                                        row['subdir'])
    day, _, clock = (row.get('last_modified') or '').partition('T')
    return '%s %10s %8s %24s %s' % (size_text(row.get('bytes', 0), human),
                                    day, clock.split('.')[0],
                                    row.get('content_type', ''), row['name'])


def totals_line(count: int, total: int, in_container: bool,
                human: bool) -> str:
    if in_container:
        return size_text(total, human)
    return '%12s %s' % (count, size_text(total, human))

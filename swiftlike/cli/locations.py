"""Where an account, container or object lives: partition, hash, primary
and handoff nodes, and the curl / ssh lines to look at each copy (as
swift-get-nodes and the *-info tools print them)."""
from __future__ import annotations

from typing import List, Optional
from urllib.parse import quote

from swiftlike.common.hashing import hash_path
from swiftlike.common.ring import Ring
from swiftlike.common.storage_policy import get_policy_string

DEFAULT_HANDOFFS = 2


def location_lines(ring: Ring, account: str, container: Optional[str] = None,
                   obj: Optional[str] = None, policy: int = 0,
                   handoffs: Optional[int] = DEFAULT_HANDOFFS) -> List[str]:
    """The report; ``handoffs`` None lists every handoff."""
    part, nodes = ring.get_nodes(account, container, obj)
    digest = hash_path(account, container, obj)
    more = ring.get_more_nodes(part)
    extra = list(more) if handoffs is None else \
        [h for h, _ in zip(more, range(handoffs))]
    lines = ['Partition\t%d' % part, 'Hash     \t%s' % digest, '']
    for node in nodes:
        lines.append('Server:Port Device\t%s:%s %s' % (
            node['ip'], node['port'], node['device']))
    for node in extra:
        lines.append('Server:Port Device\t%s:%s %s\t [Handoff]' % (
            node['ip'], node['port'], node['device']))
    lines.append('')
    path = '/' + '/'.join(quote(p) for p in (account, container, obj) if p)
    policy_header = ' -H "X-Backend-Storage-Policy-Index: %d"' % policy \
        if obj else ''
    for node in nodes + extra:
        lines.append('curl -g -I -XHEAD "http://%s:%s/%s/%s%s"%s%s' % (
            node['ip'], node['port'], node['device'], part, path,
            policy_header, ' # [Handoff]' if node in extra else ''))
    lines.append('')
    datadir = get_policy_string('objects', policy) if obj else \
        'containers' if container else 'accounts'
    for node in nodes + extra:
        lines.append('ssh %s "ls -lah ${DEVICE:-/srv/node*}/%s/%s/%d/%s/%s"'
                     '%s' % (node['ip'], node['device'], datadir, part,
                             digest[-3:], digest,
                             ' # [Handoff]' if node in extra else ''))
    lines.append('note: `/srv/node*` is the default `devices`; the real '
                 'value is in each storage node\'s config.')
    return lines

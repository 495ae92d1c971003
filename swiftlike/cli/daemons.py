"""Entry points of the consistency daemons: ``swiftlike-<daemon> CONF
[--once] [--verbose]``, each reading the ``[<daemon>]`` section of its
server's config (as Swift's do)."""
from __future__ import annotations

import importlib
from typing import List, Optional

#: executable suffix -> "module:class"
DAEMONS = {
    'object-replicator': 'swiftlike.obj.replicator:ObjectReplicator',
    'object-updater': 'swiftlike.obj.updater:ObjectUpdater',
    'object-auditor': 'swiftlike.obj.auditor:ObjectAuditor',
    'object-expirer': 'swiftlike.obj.expirer:ObjectExpirer',
    'container-updater': 'swiftlike.container.updater:ContainerUpdater',
    'container-replicator':
        'swiftlike.container.replicator:ContainerReplicator',
    'account-replicator': 'swiftlike.account.replicator:AccountReplicator',
    'account-reaper': 'swiftlike.account.reaper:AccountReaper',
    'container-auditor': 'swiftlike.container.auditor:ContainerAuditor',
    'account-auditor': 'swiftlike.account.auditor:AccountAuditor',
}


def run(name: str, argv: Optional[List[str]] = None) -> int:
    from swiftlike.common.daemon import run_daemon
    module, _, cls = DAEMONS[name].partition(':')
    return run_daemon(getattr(importlib.import_module(module), cls), argv)

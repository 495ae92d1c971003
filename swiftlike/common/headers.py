"""Which headers are user metadata, system metadata, or transient: pure."""
from __future__ import annotations

from typing import Tuple


def _prefix(server_type: str, kind: str) -> str:
    return 'x-%s-%s-' % (server_type, kind)


def is_user_meta(server_type: str, key: str) -> bool:
    return key.lower().startswith(_prefix(server_type, 'meta')) and \
        len(key) > len(_prefix(server_type, 'meta'))


def is_sys_meta(server_type: str, key: str) -> bool:
    return key.lower().startswith(_prefix(server_type, 'sysmeta')) and \
        len(key) > len(_prefix(server_type, 'sysmeta'))


def is_object_transient_sysmeta(key: str) -> bool:
    prefix = 'x-object-transient-sysmeta-'
    return key.lower().startswith(prefix) and len(key) > len(prefix)


def strip_meta_prefix(server_type: str, key: str) -> Tuple[str, str]:
    """(prefix as sent, name after it) for a user metadata header."""
    cut = len(_prefix(server_type, 'meta'))
    return key[:cut], key[cut:]

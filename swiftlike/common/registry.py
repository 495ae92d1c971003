"""What this proxy offers, as ``GET /info`` publishes it.

The proxy registers the ``swift`` section and each middleware its own
(``tempauth: {"account_acls": true}``, later ``slo``, ``tempurl``...) when
it is built; the registry is per process, as every worker builds the same
pipeline. Admin-only entries are shown only in the signed admin view.
"""
from __future__ import annotations

import copy
from typing import Any, Dict, Iterable

_INFO: Dict[str, Dict[str, Any]] = {}
_ADMIN_INFO: Dict[str, Dict[str, Any]] = {}


def register_swift_info(name: str = 'swift', admin: bool = False,
                        **kwargs: Any) -> None:
    """Add ``kwargs`` to section ``name`` (merged with earlier calls)."""
    if '.' in name:
        raise ValueError('Cannot use "." in a swift_info key: %s' % name)
    target = _ADMIN_INFO if admin else _INFO
    target.setdefault(name, {}).update(kwargs)


def get_swift_info(admin: bool = False,
                   disallowed_sections: Iterable[str] = ()) -> Dict[str, Any]:
    """The public info minus ``disallowed_sections`` (``section`` or
    ``section.key``); with ``admin``, also the admin-only entries and what
    was hidden."""
    disallowed = list(disallowed_sections)
    info = copy.deepcopy(_INFO)
    for entry in disallowed:
        section, _, key = entry.partition('.')
        if not key:
            info.pop(section, None)
        elif section in info:
            info[section].pop(key, None)
    if admin:
        full = copy.deepcopy(_ADMIN_INFO)
        full['disallowed_sections'] = disallowed
        info['admin'] = full
    return info


def reset_swift_info() -> None:
    """Forget every registration (tests build several pipelines)."""
    _INFO.clear()
    _ADMIN_INFO.clear()

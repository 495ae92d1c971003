"""Which backend answer the proxy sends: quorum and best response (pure).

spec/backend.md 10: for 2xx, 3xx, 4xx in turn, the first class holding at
least a quorum of the replicas' answers wins.
"""
from __future__ import annotations

from typing import Dict, List, Optional, Tuple

#: Status classes best_response considers, in order of preference.
STATUS_CLASSES = (200, 300, 400)


def best_response(statuses: List[int], quorum: int,
                  overrides: Optional[Dict[int, int]] = None
                  ) -> Optional[Tuple[int, int]]:
    """(index of the answer to send, status to send), or None for a 503.

    For 2xx, 3xx, 4xx in turn, the first class with at least ``quorum``
    answers wins and its highest status is chosen. ``overrides`` (object
    DELETE's 404 -> 204) apply only when no class has a quorum as is, and
    an overridden answer never supplies the body when a real one can.
    """
    for attempt in (statuses, [(overrides or {}).get(s, s)
                               for s in statuses]):
        for klass in STATUS_CLASSES:
            members = [i for i, s in enumerate(attempt)
                       if klass <= s < klass + 100]
            if len(members) >= quorum:
                index = max(members, key=lambda i: (
                    attempt[i], attempt[i] == statuses[i]))
                return index, attempt[index]
        if not overrides:
            break
    return None

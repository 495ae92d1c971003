"""Small protocol helpers with no I/O: path splitting, validation, quorum."""
from __future__ import annotations

from typing import List, Optional
from urllib.parse import quote

from swiftlike.common.exceptions import PathError


def quorum_size(n: int) -> int:
    """How many of ``n`` replicas must succeed for the proxy to report
    success: half, rounded up (3 -> 2, 2 -> 1, 4 -> 2), as Swift counts."""
    return (n + 1) // 2


def split_path(path: str, minsegs: int = 1, maxsegs: Optional[int] = None,
               rest_with_last: bool = False) -> List[Optional[str]]:
    """Split ``/a/c/o`` into segments, validating their count.

    ``minsegs`` segments must be present and non-empty; up to ``maxsegs``
    are returned, missing ones as None. With ``rest_with_last`` the last
    segment takes the rest of the path, slashes included (object names).
    Raises PathError (a ValueError) for anything else, as Swift does.
    """
    maxsegs = maxsegs or minsegs
    if minsegs > maxsegs:
        raise PathError('minsegs > maxsegs: %d > %d' % (minsegs, maxsegs))
    if rest_with_last:
        segs = path.split('/', maxsegs)
        valid = (not segs[0] and minsegs + 1 <= len(segs) <= maxsegs + 1
                 and '' not in segs[1:minsegs + 1])
    else:
        segs = path.split('/', maxsegs + 1)
        count = len(segs)
        valid = (not segs[0] and minsegs + 1 <= count <= maxsegs + 2
                 and '' not in segs[1:minsegs + 1]
                 and not (count == maxsegs + 2 and segs[maxsegs + 1]))
    if not valid:
        raise PathError('Invalid path: %s' % quote(path))
    result: List[Optional[str]] = list(segs[1:maxsegs + 1])
    result.extend([None] * (maxsegs - len(result)))
    return result


def validate_device_partition(device: str, partition: str) -> None:
    """Refuse device and partition names that could escape the devices dir."""
    for kind, value in (('device', device), ('partition', partition)):
        if not value or '/' in value or value in ('.', '..'):
            raise PathError('Invalid %s: %s' % (kind, quote(value or '')))

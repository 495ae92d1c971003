"""Listing queries shared by the brokers: pages by marker, prefix and
delimiter that use the ``(deleted, name)`` index, whatever the row count.

A delimiter roll-up does not scan the names under a subdir: the indexed
range query restarts just past them.
"""
from __future__ import annotations

from typing import Any, Callable, List, Optional, Sequence, Tuple

Row = Sequence[Any]
#: query(where_sql, args, limit, reverse) -> rows, name first
Query = Callable[[str, List[Any], int, bool], List[Row]]


def prefix_upper(prefix: str) -> str:
    """The smallest string above every string that starts with ``prefix``.
    """
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


class _Bounds:
    """The name range still to list: (value, inclusive) at each end."""

    def __init__(self, lower: str, upper: str, prefix: str) -> None:
        self.lower: Tuple[str, bool] = (lower, False)
        self.upper: Tuple[str, bool] = (upper, False)
        self.prefix = prefix

    def where(self) -> Tuple[str, List[Any]]:
        clauses, args = ['deleted = 0'], []
        for (value, inclusive), ops in ((self.lower, ('>=', '>')),
                                        (self.upper, ('<=', '<'))):
            if value:
                clauses.append('name %s ?' % ops[0 if inclusive else 1])
                args.append(value)
        if self.prefix:
            clauses.append('name >= ? AND name < ?')
            args.extend([self.prefix, prefix_upper(self.prefix)])
        return ' AND '.join(clauses), args


def list_rows(query: Query, limit: int, marker: str = '',
              end_marker: str = '', prefix: str = '', delimiter: str = '',
              path: Optional[str] = None, reverse: bool = False,
              make_subdir: Callable[[str], Row] = lambda name: (name,)
              ) -> List[Row]:
    """Up to ``limit`` rows and subdir entries, in byte-wise name order.

    ``reverse`` walks downwards and swaps the roles of the markers.
    ``path`` lists one "directory": prefix ``path/``, delimiter ``/``,
    no subdir entries, and not the entry named ``path/`` itself.
    ``query`` may return a lazy cursor: rows are read one at a time and
    reading stops at the first roll-up, so a page costs what it lists.
    """
    if path is not None:
        prefix = path.rstrip('/') + '/' if path else ''
        delimiter = '/'
    bounds = _Bounds(end_marker if reverse else marker,
                     marker if reverse else end_marker, prefix)
    results: List[Row] = []
    while len(results) < limit:
        want = limit - len(results)
        where, args = bounds.where()
        subdir, read, last = _take(query(where, args, want, reverse),
                                   results, limit, prefix, delimiter, path)
        if subdir is None:
            if read < want or len(results) >= limit:
                break
            if reverse:
                bounds.upper = (last, False)
            else:
                bounds.lower = (last, False)
            continue
        if path is None and subdir != marker:
            results.append(make_subdir(subdir))
        if reverse:
            bounds.upper = (subdir, False)
        else:
            bounds.lower = (prefix_upper(subdir), True)
    return results[:limit]


def _take(rows, results: List[Row], limit: int, prefix: str,
          delimiter: str, path: Optional[str]
          ) -> Tuple[Optional[str], int, Optional[str]]:
    """Append rows until the limit or the first name to roll up.

    Returns (subdir to roll up or None, rows read, last name read).
    """
    read, name = 0, None
    for row in rows:
        if len(results) >= limit:
            break
        read += 1
        name = row[0]
        if path is not None and name == prefix:
            continue
        if delimiter:
            end = name.find(delimiter, len(prefix))
            if end >= 0:
                return name[:end + len(delimiter)], read, name
        results.append(row)
    return None, read, name

"""Conditional request evaluation (If-Match and friends), pure.

Swift evaluates these on the object server in a fixed order, and the proxy
relies on it; keeping the logic here lets every server share it.
"""
from __future__ import annotations

from typing import Mapping, Optional, Set

from swiftlike.common.http import parse_http_date


def parse_etag_list(value: Optional[str]) -> Optional[Set[str]]:
    """Comma separated ETags with quotes removed; ``*`` kept as is."""
    if value is None:
        return None
    tags = set()
    for item in value.split(','):
        item = item.strip()
        if item.startswith('W/'):
            item = item[2:]
        if len(item) >= 2 and item[0] == item[-1] == '"':
            item = item[1:-1]
        if item:
            tags.add(item)
    return tags


def evaluate(headers: Mapping[str, str], etag: Optional[str],
             last_modified: Optional[int], exists: bool = True
             ) -> Optional[int]:
    """304 or 412 when a condition fails, else None (serve normally).

    Order: If-None-Match, If-Match, If-Modified-Since, If-Unmodified-Since.
    ``last_modified`` is whole seconds, as Last-Modified shows.
    """
    none_match = parse_etag_list(headers.get('If-None-Match'))
    if none_match is not None and exists and \
            ('*' in none_match or etag in none_match):
        return 304
    match = parse_etag_list(headers.get('If-Match'))
    if match is not None and (not exists or
                              ('*' not in match and etag not in match)):
        return 412
    if not exists:
        return None
    since = headers.get('If-Modified-Since')
    if since:
        when = parse_http_date(since)
        if when is not None and last_modified is not None and \
                last_modified <= when:
            return 304
    unmodified = headers.get('If-Unmodified-Since')
    if unmodified:
        when = parse_http_date(unmodified)
        if when is not None and last_modified is not None and \
                last_modified > when:
            return 412
    return None

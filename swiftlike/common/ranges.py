"""HTTP Range parsing with Swift's rules, and multipart/byteranges framing.

Pure. A malformed Range header is ignored (the whole object is served); a
well-formed one that selects nothing, or looks like an abuse (too many or
overlapping ranges), is refused with 416.
"""
from __future__ import annotations

import re
from typing import Iterator, List, Optional, Tuple

MAX_RANGES = 50
MAX_OVERLAPPING = 2
MAX_NONASCENDING = 8
_PIECE_RE = re.compile(r'^(\d*)-(\d*)$')

#: (first, last) byte offsets, inclusive.
ByteRange = Tuple[int, int]


class UnsatisfiableRange(ValueError):
    """The Range header is valid but must be answered with 416."""


def _parse_pieces(header: str) -> Optional[List[Tuple[str, str]]]:
    header = header.replace(' ', '').replace('\t', '')
    if not header.startswith('bytes='):
        return None
    pieces = []
    for piece in header[len('bytes='):].split(','):
        match = _PIECE_RE.match(piece)
        if not match or piece == '-':
            return None
        start, end = match.groups()
        if start and end and int(end) < int(start):
            return None
        pieces.append((start, end))
    return pieces or None


def parse_range(header: Optional[str], length: int
                ) -> Optional[List[ByteRange]]:
    """Ranges to serve for ``header`` on an object of ``length`` bytes.

    None means "serve the whole object with 200" (no header, malformed
    header, or a suffix range on an empty object). Raises
    UnsatisfiableRange for 416.
    """
    if not header:
        return None
    pieces = _parse_pieces(header)
    if pieces is None:
        return None
    ranges: List[ByteRange] = []
    for start, end in pieces:
        if not start:  # suffix: the last N bytes
            suffix = int(end)
            if suffix == 0:
                continue
            if length == 0:
                return None
            ranges.append((max(length - suffix, 0), length - 1))
            continue
        first = int(start)
        if first >= length:
            continue
        last = length - 1 if not end else min(int(end), length - 1)
        ranges.append((first, last))
    _check_sane(ranges)
    return ranges


def _check_sane(ranges: List[ByteRange]) -> None:
    if not ranges or len(ranges) > MAX_RANGES:
        raise UnsatisfiableRange()
    ordered = sorted(ranges)
    overlaps = sum(1 for (_, last), (first, _) in zip(ordered, ordered[1:])
                   if first <= last)
    if overlaps > MAX_OVERLAPPING:
        raise UnsatisfiableRange()
    descents = sum(1 for (a, _), (b, _) in zip(ranges, ranges[1:]) if b < a)
    if descents >= MAX_NONASCENDING:
        raise UnsatisfiableRange()


def content_range(first: int, last: int, length: int) -> str:
    return 'bytes %d-%d/%d' % (first, last, length)


def multipart_parts(ranges: List[ByteRange], length: int,
                    content_type: str, boundary: str
                    ) -> List[Tuple[bytes, ByteRange]]:
    """Each range's part header (with its leading boundary line)."""
    return [(('--%s\r\nContent-Type: %s\r\nContent-Range: %s\r\n\r\n' % (
        boundary, content_type, content_range(first, last, length))
    ).encode('utf-8'), (first, last)) for first, last in ranges]


def multipart_length(parts: List[Tuple[bytes, ByteRange]],
                     boundary: str) -> int:
    """Exact body length: headers, data, CRLF after each part, closing."""
    total = sum(len(head) + (last - first + 1) + 2
                for head, (first, last) in parts)
    return total + len(closing_boundary(boundary))


def closing_boundary(boundary: str) -> bytes:
    return ('--%s--' % boundary).encode('ascii')


def multipart_body(parts: List[Tuple[bytes, ByteRange]], boundary: str,
                   read_range: callable) -> Iterator[bytes]:
    """Frame the parts; ``read_range(first, last)`` yields each range's data.
    """
    for head, (first, last) in parts:
        yield head
        yield from read_range(first, last)
        yield b'\r\n'
    yield closing_boundary(boundary)


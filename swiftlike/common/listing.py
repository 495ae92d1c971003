"""Listing requests and bodies, pure: parameters, format negotiation, and
JSON / XML / plain rendering exactly as Swift writes them."""
from __future__ import annotations

import json
from typing import Any, Dict, List, Optional, Sequence, Tuple
from xml.sax.saxutils import escape, quoteattr

from swiftlike.common.config import config_true_value
from swiftlike.common.timestamps import Timestamp, decode_timestamps

JSON_TYPE = 'application/json'
XML_TYPES = ('application/xml', 'text/xml')
PLAIN_TYPE = 'text/plain'
#: Accept preference order when the client states no format.
OFFERED = (PLAIN_TYPE, JSON_TYPE) + XML_TYPES
FORMAT_TYPES = {'json': JSON_TYPE, 'xml': 'application/xml',
                'plain': PLAIN_TYPE}
XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>'
SWIFT_BYTES = ';swift_bytes='


class ListingError(ValueError):
    """Bad listing parameters: ``status`` and the body Swift sends."""

    def __init__(self, status: int, body: Optional[str] = None) -> None:
        super().__init__(body or str(status))
        self.status = status
        self.body = body


def _param(params: Dict[str, str], name: str) -> str:
    value = params.get(name, '')
    try:
        return value.encode('latin-1').decode('utf-8')
    except (UnicodeEncodeError, UnicodeDecodeError):
        raise ListingError(400, '"%s" parameter not valid UTF-8'
                           % name) from None


def listing_params(params: Dict[str, str], max_limit: int
                   ) -> Dict[str, Any]:
    """limit, marker, end_marker, prefix, delimiter, reverse, path.

    ``params`` are WSGI strings from the query string.
    """
    limit = max_limit
    given = params.get('limit', '')
    if given.isdigit():
        limit = int(given)
        if limit > max_limit:
            raise ListingError(412, 'Maximum limit is %d' % max_limit)
    parsed = {'limit': limit,
              'reverse': config_true_value(params.get('reverse', ''))}
    for name in ('marker', 'end_marker', 'prefix', 'delimiter'):
        parsed[name] = _param(params, name)
    parsed['path'] = _param(params, 'path') if 'path' in params else None
    if parsed['delimiter'] and len(parsed['delimiter']) > 1:
        raise ListingError(412, 'Bad delimiter')
    return parsed


def _parse_accept(header: str) -> List[Tuple[str, float]]:
    choices = []
    for item in header.split(','):
        item = item.strip()
        if not item:
            continue
        media, *params = [p.strip() for p in item.split(';')]
        if '/' not in media:
            raise ListingError(400, 'Invalid Accept header')
        quality = 1.0
        for param in params:
            key, _, value = param.partition('=')
            if key.strip() == 'q':
                try:
                    quality = float(value)
                except ValueError:
                    raise ListingError(400, 'Invalid Accept header') \
                        from None
        choices.append((media.lower(), quality))
    return choices


def _matches(pattern: str, offered: str) -> bool:
    if pattern == '*/*':
        return True
    major, minor = pattern.split('/', 1)
    return (minor == '*' and offered.startswith(major + '/')) or \
        pattern == offered


def choose_format(params: Dict[str, str], accept: Optional[str]) -> str:
    """The response media type: ``format=`` wins, else the Accept header.
    """
    fmt = params.get('format')
    if fmt is not None:
        return FORMAT_TYPES.get(fmt.lower(), PLAIN_TYPE)
    if not accept:
        return PLAIN_TYPE
    best = None
    for offered_rank, offered in enumerate(OFFERED):
        for media, quality in _parse_accept(accept):
            if quality > 0 and _matches(media, offered):
                specificity = 0 if media == offered else 1
                key = (-quality, specificity, offered_rank)
                if best is None or key < best[0]:
                    best = (key, offered)
    if best is None:
        raise ListingError(406)
    return best[1]


def _split_bytes(content_type: str, size: int) -> Tuple[str, int]:
    head, sep, tail = content_type.rpartition(SWIFT_BYTES)
    if sep and tail.isdigit():
        return head, int(tail)
    return content_type, size


def object_record(row: Sequence[Any]) -> Dict[str, Any]:
    """A container listing entry from (name, created_at, size, type, etag).
    """
    name, created_at, size, content_type, etag = row[:5]
    if content_type is None:
        return {'subdir': name}
    content_type, size = _split_bytes(content_type, size)
    modified = decode_timestamps(created_at)[2]
    return {'bytes': size, 'hash': etag, 'name': name,
            'content_type': content_type,
            'last_modified': modified.isoformat}


def container_record(row: Sequence[Any], policy_names: Dict[int, str]
                     ) -> Dict[str, Any]:
    """An account listing entry from (name, count, bytes, put_ts, is_subdir,
    policy index)."""
    name, count, nbytes, put_timestamp, is_subdir = row[:5]
    if is_subdir:
        return {'subdir': name}
    record = {'name': name, 'count': count, 'bytes': nbytes,
              'last_modified': Timestamp(put_timestamp).isoformat}
    if len(row) > 5 and row[5] is not None and row[5] in policy_names:
        record['storage_policy'] = policy_names[row[5]]
    return record


def render_json(records: List[Dict[str, Any]]) -> bytes:
    return json.dumps(records).encode('ascii')


def render_plain(records: List[Dict[str, Any]]) -> bytes:
    return b''.join((r.get('subdir') or r['name']).encode('utf-8') + b'\n'
                    for r in records)


def _xml_fields(record: Dict[str, Any], keys: Sequence[str]) -> str:
    return ''.join('<%s>%s</%s>' % (k, escape(str(record[k])), k)
                   for k in keys if k in record)


def render_container_xml(name: str, records: List[Dict[str, Any]]
                         ) -> bytes:
    if not records:
        return ('%s\n<container name=%s />' % (
            XML_DECLARATION, quoteattr(name))).encode('utf-8')
    parts = []
    for record in records:
        if 'subdir' in record:
            parts.append('<subdir name=%s><name>%s</name></subdir>' % (
                quoteattr(record['subdir']), escape(record['subdir'])))
        else:
            parts.append('<object>%s</object>' % _xml_fields(
                record, ('name', 'hash', 'bytes', 'content_type',
                         'last_modified')))
    return ('%s\n<container name=%s>%s</container>' % (
        XML_DECLARATION, quoteattr(name), ''.join(parts))).encode('utf-8')


def render_account_xml(name: str, records: List[Dict[str, Any]]) -> bytes:
    lines = [XML_DECLARATION, '<account name=%s>' % quoteattr(name)]
    for record in records:
        if 'subdir' in record:
            lines.append('<subdir name=%s />' % quoteattr(record['subdir']))
        else:
            lines.append('<container>%s</container>' % _xml_fields(
                record, ('name', 'count', 'bytes', 'last_modified',
                         'storage_policy')))
    lines.append('</account>')
    return '\n'.join(lines).encode('utf-8')


def render(media_type: str, kind: str, name: str,
           records: List[Dict[str, Any]]) -> bytes:
    """Body of a listing in ``media_type``; ``kind`` account/container."""
    if media_type == JSON_TYPE:
        return render_json(records)
    if media_type in XML_TYPES:
        xml = render_account_xml if kind == 'account' else \
            render_container_xml
        return xml(name, records)
    return render_plain(records)

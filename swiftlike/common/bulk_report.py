"""The report bulk operations answer with (bulk delete, archive
extraction, SLO segment problems and deletes): plain text by default,
JSON or XML as the Accept header asks. Pure."""
from __future__ import annotations

import json
from typing import Any, Dict, List, Optional, Sequence, Tuple
from xml.sax.saxutils import escape

Error = Tuple[str, str]


def report_format(accept: Optional[str]) -> str:
    accept = (accept or '').lower()
    if 'application/json' in accept:
        return 'json'
    if 'xml' in accept:
        return 'xml'
    return 'plain'


def report_body(accept: Optional[str], data: Dict[str, Any],
                errors: Sequence[Error], root_tag: str = 'delete') -> str:
    fmt = report_format(accept)
    if fmt == 'json':
        return json.dumps(dict(data, Errors=[list(e) for e in errors]))
    if fmt == 'xml':
        fields = ''.join('<%s>%s</%s>' % (_tag(k), escape(str(v)), _tag(k))
                         for k, v in sorted(data.items()))
        objects = ''.join('<object><name>%s</name><status>%s</status>'
                          '</object>' % (escape(name), escape(status))
                          for name, status in errors)
        return ('<?xml version="1.0" encoding="UTF-8"?>\n<%s>%s<errors>%s'
                '</errors></%s>\n' % (root_tag, fields, objects, root_tag))
    lines: List[str] = ['%s: %s' % (k, v) for k, v in sorted(data.items())]
    lines.append('Errors:')
    lines += ['%s, %s' % error for error in errors]
    return '\n'.join(lines)


def _tag(key: str) -> str:
    return key.lower().replace(' ', '_')

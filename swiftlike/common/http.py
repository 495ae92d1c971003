"""HTTP facts shared by every server: reasons, Swift's error bodies, dates.

Pure: the same status must carry the same body on every server, because
clients compare them byte for byte.
"""
from __future__ import annotations

import email.utils
from http import HTTPStatus
from typing import Dict, Optional, Tuple

#: Title and explanation of Swift's HTML error bodies.
ERROR_BODIES: Dict[int, Tuple[str, str]] = {
    400: ('Bad Request', 'The server could not comply with the request '
          'since it is either malformed or otherwise incorrect.'),
    401: ('Unauthorized', 'This server could not verify that you are '
          'authorized to access the document you requested.'),
    403: ('Forbidden', 'Access was denied to this resource.'),
    404: ('Not Found', 'The resource could not be found.'),
    405: ('Method Not Allowed', 'The method is not allowed for this '
          'resource.'),
    406: ('Not Acceptable', 'The resource is not available in a format '
          'acceptable to your browser.'),
    408: ('Request Timeout', 'The server has waited too long for the '
          'request to be sent by the client.'),
    409: ('Conflict', 'There was a conflict when trying to complete your '
          'request.'),
    410: ('Gone', 'This resource is no longer available.'),
    411: ('Length Required', 'Content-Length header required.'),
    412: ('Precondition Failed', 'A precondition for this request was not '
          'met.'),
    413: ('Request Entity Too Large', 'The body of your request was too '
          'large for this server.'),
    416: ('Requested Range Not Satisfiable', 'The Range requested is not '
          'available.'),
    422: ('Unprocessable Entity', 'Unable to process the contained '
          'instructions'),
    499: ('Client Disconnect', 'The client was disconnected during '
          'request.'),
    500: ('Internal Error', 'The server has either erred or is incapable of '
          'performing the requested operation.'),
    503: ('Service Unavailable', 'The server is currently unavailable. '
          'Please try again at a later time.'),
    507: ('Insufficient Storage', 'There was not enough space to save the '
          'resource. Drive: %(drive)s'),
}
ACCEPTED_BODY = b'<html><h1>Accepted</h1><p>The request is accepted for ' \
    b'processing.</p></html>'
#: Statuses whose default body is empty.
EMPTY_BODY_STATUSES = frozenset((200, 201, 202, 204, 206, 304))
_EXTRA_REASONS = {499: 'Client Disconnect', 498: 'Rate Limited',
                  507: 'Insufficient Storage', 416:
                  'Requested Range Not Satisfiable'}


def reason(status: int) -> str:
    if status in _EXTRA_REASONS:
        return _EXTRA_REASONS[status]
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return 'Unknown'


def status_line(status: int) -> str:
    return '%d %s' % (status, reason(status))


def error_body(status: int, drive: Optional[str] = None) -> bytes:
    """Swift's default HTML body for ``status`` (empty if it has none)."""
    if status not in ERROR_BODIES:
        return b''
    title, explanation = ERROR_BODIES[status]
    if '%(drive)s' in explanation:
        explanation = explanation % {'drive': drive or ''}
    return ('<html><h1>%s</h1><p>%s</p></html>' % (
        title, explanation)).encode('utf-8')


def http_date(seconds: float) -> str:
    """RFC 7231 date (``Wed, 11 Jun 2014 05:31:18 GMT``)."""
    return email.utils.formatdate(seconds, usegmt=True)


def parse_http_date(value: str) -> Optional[float]:
    """Seconds since the epoch, or None when the date does not parse."""
    try:
        parsed = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if parsed is None:
        return None
    return parsed.timestamp()

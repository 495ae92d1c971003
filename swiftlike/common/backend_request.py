"""Parsing and answering backend requests, shared by the storage servers.

Handlers raise :class:`HTTPError` with Swift's status and body; the server
turns it into the response. Paths arrive as WSGI strings and are checked
for valid UTF-8 here, once.
"""
from __future__ import annotations

from typing import Dict, List, Optional
from urllib.parse import parse_qsl

from webob import Request, Response

from swiftlike.common.config import config_true_value
from swiftlike.common.exceptions import InvalidTimestamp, PathError
from swiftlike.common.http import error_body, status_line
from swiftlike.common.timestamps import Timestamp
from swiftlike.common.utils import split_path, validate_device_partition

POLICY_INDEX_HEADER = 'X-Backend-Storage-Policy-Index'


class HTTPError(Exception):
    """Stop handling: answer ``status`` with ``body`` and ``headers``."""

    def __init__(self, status: int, body: Optional[bytes] = None,
                 headers: Optional[Dict[str, str]] = None,
                 drive: Optional[str] = None) -> None:
        super().__init__(status)
        self.status = status
        self.body = body
        self.headers = headers or {}
        self.drive = drive

    def response(self) -> Response:
        return make_response(self.status, self.body, self.headers,
                             drive=self.drive)


def make_response(status: int, body: Optional[bytes] = None,
                  headers: Optional[Dict[str, str]] = None,
                  content_type: Optional[str] = None,
                  drive: Optional[str] = None) -> Response:
    """A response with Swift's default body for the status when none given.
    """
    if body is None:
        body = error_body(status, drive=drive)
        if body and content_type is None:
            content_type = 'text/html; charset=UTF-8'
    elif isinstance(body, str):
        body = body.encode('utf-8')
    resp = Response(status=status_line(status), body=body)
    resp.headers.pop('Content-Type', None)
    if content_type or body:
        # set verbatim: WebOb would append a charset to text types
        resp.headers['Content-Type'] = content_type or 'text/plain'
    for key, value in (headers or {}).items():
        resp.headers[key] = value
    # WebOb drops it for 304s; Swift always sends the length, even 0
    resp.headers['Content-Length'] = str(len(body))
    return resp


def text_error(status: int, text: str) -> HTTPError:
    """An error whose body is Swift's plain-text reason."""
    return HTTPError(status, text.encode('utf-8'),
                     {'Content-Type': 'text/plain'})


def native_path(req: Request) -> str:
    """The request path as real text; 412 if not UTF-8 or holding NUL."""
    try:
        path = req.environ['PATH_INFO'].encode('latin-1').decode('utf-8')
    except (UnicodeEncodeError, UnicodeDecodeError):
        raise text_error(412, 'Invalid UTF8 or contains NULL') from None
    if '\x00' in path:
        raise text_error(412, 'Invalid UTF8 or contains NULL')
    return path


def split_backend_path(req: Request, minsegs: int, maxsegs: int,
                       rest_with_last: bool = False) -> List[Optional[str]]:
    """Device, partition and names; 400 with Swift's text when invalid."""
    path = native_path(req)
    try:
        segs = split_path(path, minsegs, maxsegs, rest_with_last)
    except PathError as err:
        raise text_error(400, str(err)) from None
    try:
        validate_device_partition(segs[0], segs[1])
    except PathError as err:
        raise text_error(400, str(err)) from None
    return segs


def request_timestamp(req: Request) -> Timestamp:
    value = req.headers.get('X-Timestamp')
    if value is None:
        raise text_error(400, 'Missing X-Timestamp header')
    try:
        return Timestamp(value)
    except InvalidTimestamp:
        raise text_error(400, 'Invalid X-Timestamp header') from None


def policy_index(req: Request, policies) -> int:
    """X-Backend-Storage-Policy-Index (absent: 0); 503 when unknown."""
    value = req.headers.get(POLICY_INDEX_HEADER)
    policy = policies.get_by_index(value)
    if policy is None:
        raise text_error(503, 'No policy with index %s' % value)
    return policy.idx


def query_params(req: Request) -> Dict[str, str]:
    """Query parameters as WSGI strings (latin-1), so callers can tell
    invalid UTF-8 apart; WebOb's ``req.GET`` has already decoded them."""
    return dict(parse_qsl(req.environ.get('QUERY_STRING', ''),
                          keep_blank_values=True, encoding='latin-1'))


def header_value(req: Request, name: str) -> Optional[str]:
    """A header's value, None when absent or empty.

    WSGI servers present a missing Content-Type as an empty CONTENT_TYPE.
    """
    return req.headers.get(name) or None


def header_true(req: Request, name: str) -> bool:
    return config_true_value(req.headers.get(name, ''))

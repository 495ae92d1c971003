"""listing_formats: account and container listings in the format asked.

The request's ``format=`` parameter or Accept header picks plain text, JSON
or XML (406 when nothing offered is acceptable); what follows in the
pipeline always sees, and answers, a JSON listing. Middleware after this
one (symlinks, versioning, large objects...) therefore parses one format
only, and this filter renders the client's choice at the end.
"""
from __future__ import annotations

import json
from typing import Dict
from urllib.parse import parse_qsl, urlencode

from webob import Request, Response

from swiftlike.common.backend_request import make_response
from swiftlike.common.listing import (
    JSON_TYPE,
    PLAIN_TYPE,
    ListingError,
    choose_format,
    render,
)
from swiftlike.common.utils import split_path

LISTING_METHODS = ('GET', 'HEAD')


def _listing_target(req: Request):
    """('account'|'container', name) for a listing request, else None."""
    if req.method not in LISTING_METHODS:
        return None
    try:
        version, account, container, obj = split_path(
            req.path_info, 2, 4, True)
    except ValueError:
        return None
    if obj:
        return None
    return ('container', container) if container else ('account', account)


def split_hash_params(record):
    """A row whose stored etag carries parameters (an SLO's
    ``<md5>; slo_etag=<etag>``) shows the plain hash and the parameters as
    fields, as Swift's listings do."""
    value = record.get('hash') or ''
    if ';' not in value:
        return record
    record = dict(record)
    record['hash'], *params = [p.strip() for p in value.split(';')]
    found = dict(p.partition('=')[::2] for p in params)
    if 'slo_etag' in found:
        record['slo_etag'] = '"%s"' % found['slo_etag']
    if 'symlink_target' in found:
        record['symlink_path'] = '/v1/%s/%s' % (
            found.get('symlink_target_account', ''),
            found['symlink_target'])
        if 'symlink_target_etag' in found:
            record['symlink_etag'] = found['symlink_target_etag']
            record['symlink_bytes'] = int(found.get(
                'symlink_target_bytes') or 0)
    return record


class ListingFormatsMiddleware:
    def __init__(self, app, conf: Dict[str, str]) -> None:
        self.app = app

    def __call__(self, environ, start_response):
        req = Request(environ)
        target = _listing_target(req)
        if target is None:
            return self.app(environ, start_response)
        params = dict(parse_qsl(req.query_string, keep_blank_values=True))
        try:
            media = choose_format(params, req.headers.get('Accept'))
        except ListingError as err:
            body = err.body.encode() if err.body else None
            return make_response(err.status, body)(environ, start_response)
        asked_format = 'format' in params
        params['format'] = 'json'
        req.query_string = urlencode(params)
        req.headers['Accept'] = JSON_TYPE
        resp = req.get_response(self.app)
        return self._render(req, resp, media, target, asked_format)(
            environ, start_response)

    @staticmethod
    def _render(req: Request, resp: Response, media: str, target,
                asked_format: bool) -> Response:
        content_type = resp.headers.get('Content-Type', '')
        if resp.status_int // 100 != 2 or \
                not content_type.startswith(JSON_TYPE):
            return resp
        if not asked_format:
            resp.headers['Vary'] = 'Accept'
        resp.headers['Content-Type'] = '%s; charset=utf-8' % media
        if req.method == 'HEAD':
            return resp
        try:
            records = json.loads(resp.body)
        except ValueError:
            return make_response(500)
        if target[0] == 'container' and any(
                ';' in (r.get('hash') or '') for r in records):
            records = [split_hash_params(r) for r in records]
            if media == JSON_TYPE:
                resp.body = json.dumps(records).encode('ascii')
        if media == JSON_TYPE:
            return resp
        body = render(media, target[0], target[1], records)
        if media == PLAIN_TYPE and not records:
            resp.status = 204  # Content-Type stays, as Swift sends it
            resp.body = b''
            return resp
        resp.body = body
        return resp


def filter_factory(global_conf: Dict[str, str], **local_conf: str):
    conf = dict(global_conf, **local_conf)
    return lambda app: ListingFormatsMiddleware(app, conf)

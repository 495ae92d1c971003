"""``/info``: what the cluster offers (constraints, policies, middleware).

Public by default (``expose_info``); ``admin_key`` enables a signed admin
view with the hidden sections and admin-only entries: ``?swiftinfo_sig=
<hex HMAC-SHA1 of "GET\\n<expires>\\n/info">&swiftinfo_expires=<unix>``.
"""
from __future__ import annotations

import hmac
import json
import time
from hashlib import sha1
from typing import List
from urllib.parse import parse_qs

from webob import Request, Response

from swiftlike.common.backend_request import make_response
from swiftlike.common.registry import get_swift_info

ALLOWED = 'HEAD, GET, OPTIONS'


def info_signature(key: str, method: str, expires: str) -> str:
    message = '%s\n%s\n/info' % (method, expires)
    return hmac.new(key.encode('utf-8'), message.encode('utf-8'),
                    sha1).hexdigest()


class InfoController:
    def __init__(self, expose_info: bool, admin_key: str,
                 disallowed_sections: List[str]) -> None:
        self.expose_info = expose_info
        self.admin_key = admin_key
        self.disallowed_sections = disallowed_sections

    def handle(self, req: Request) -> Response:
        if req.method == 'OPTIONS':
            return make_response(200, b'', {'Allow': ALLOWED})
        if req.method not in ('GET', 'HEAD'):
            return make_response(405, headers={'Allow': ALLOWED})
        params = parse_qs(req.query_string)
        signed = 'swiftinfo_sig' in params or 'swiftinfo_expires' in params
        if not self.expose_info and not signed:
            return make_response(403)
        admin = False
        if signed:
            if not self._valid_signature(req, params):
                return make_response(401)
            admin = True
        body = json.dumps(get_swift_info(
            admin=admin, disallowed_sections=self.disallowed_sections),
            sort_keys=True).encode()
        resp = make_response(200, body,
                             content_type='application/json; charset=UTF-8')
        if req.method == 'HEAD':
            resp.app_iter = [b'']
            resp.headers['Content-Length'] = str(len(body))
        return resp

    def _valid_signature(self, req: Request, params) -> bool:
        if not self.admin_key:
            return False
        sig = params.get('swiftinfo_sig', [''])[0]
        expires = params.get('swiftinfo_expires', [''])[0]
        try:
            if int(expires) < time.time():
                return False
        except ValueError:
            return False
        methods = ('HEAD', 'GET') if req.method == 'HEAD' else ('GET',)
        return any(hmac.compare_digest(
            sig, info_signature(self.admin_key, method, expires))
            for method in methods)

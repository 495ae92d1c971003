"""Account requests: HEAD/GET (stats, listings) and POST (metadata)."""
from __future__ import annotations

from webob import Request, Response

from swiftlike.common.backend_request import make_response
from swiftlike.common.config import config_true_value
from swiftlike.common.timestamps import Timestamp
from swiftlike.proxy.controllers.base import (
    ACCOUNT_ACL_SYSMETA,
    Controller,
    client_headers,
    is_owner,
)


class AccountController(Controller):
    server_type = 'Account'

    def _path(self) -> str:
        return '/%s' % self.account

    def GETorHEAD(self, req: Request) -> Response:
        denied = self.authorize(req)
        if denied is not None:
            return denied
        if self.app.account_autocreate:
            self.autocreate_account(req)
        part = self.app.account_ring.get_part(self.account)
        status, headers, body = self.first_good(
            req.method, self.app.account_ring, part, self._path(),
            self.backend_headers(req), req.query_string,
            newest=config_true_value(req.headers.get('X-Newest', '')))
        owner = is_owner(req)
        out = client_headers(headers, owner)
        if 200 <= status < 300:
            out['Accept-Ranges'] = 'bytes'
        if owner and headers.get(ACCOUNT_ACL_SYSMETA):
            out['X-Account-Access-Control'] = headers[ACCOUNT_ACL_SYSMETA]
        return make_response(status, body or None, out,
                             content_type=headers.get('Content-Type'))

    GET = HEAD = GETorHEAD

    def backend_headers(self, req: Request, extra=None):
        """An owner's X-Account-Access-Control (already checked by the
        auth middleware) is stored as account sysmeta."""
        headers = super().backend_headers(req, extra)
        acl = req.headers.get('X-Account-Access-Control')
        if acl is None and 'X-Remove-Account-Access-Control' in req.headers:
            acl = ''
        if acl is not None and is_owner(req):
            headers[ACCOUNT_ACL_SYSMETA] = acl
        return headers

    def POST(self, req: Request) -> Response:
        denied = self.authorize(req)
        if denied is not None:
            return denied
        self.check_metadata(req)
        if self.app.account_autocreate:
            self.autocreate_account(req)
        part, nodes = self.app.account_ring.get_nodes(self.account)
        headers = self.backend_headers(req, {
            'X-Timestamp': Timestamp.now().internal})
        results = self.make_requests(self.app.account_ring, part, 'POST',
                                     self._path(), [headers] * len(nodes))
        self.forget_info(req)
        return self.best(results, len(nodes))

    def PUT(self, req: Request) -> Response:
        return self._management(req)

    def DELETE(self, req: Request) -> Response:
        return self._management(req)

    def _management(self, req: Request) -> Response:
        if not self.app.allow_account_management:
            return make_response(405, headers={'Allow': 'GET, HEAD, POST'})
        denied = self.authorize(req)
        if denied is not None:
            return denied
        if req.method == 'PUT':
            self.check_metadata(req)
        part, nodes = self.app.account_ring.get_nodes(self.account)
        headers = self.backend_headers(req, {
            'X-Timestamp': Timestamp.now().internal})
        results = self.make_requests(self.app.account_ring, part,
                                     req.method, self._path(),
                                     [headers] * len(nodes))
        self.forget_info(req)
        return self.best(results, len(nodes))

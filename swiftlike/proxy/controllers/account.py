"""Account requests: HEAD/GET (stats, listings) and POST (metadata)."""
from __future__ import annotations

from webob import Request, Response

from swiftlike.common.backend_request import make_response
from swiftlike.common.timestamps import Timestamp
from swiftlike.proxy.controllers.base import Controller, client_headers


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
            self.backend_headers(req), req.query_string)
        return make_response(status, body or None, client_headers(headers),
                             content_type=headers.get('Content-Type'))

    GET = HEAD = GETorHEAD

    def POST(self, req: Request) -> Response:
        denied = self.authorize(req)
        if denied is not None:
            return denied
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
        part, nodes = self.app.account_ring.get_nodes(self.account)
        headers = self.backend_headers(req, {
            'X-Timestamp': Timestamp.now().internal})
        results = self.make_requests(self.app.account_ring, part,
                                     req.method, self._path(),
                                     [headers] * len(nodes))
        self.forget_info(req)
        return self.best(results, len(nodes))

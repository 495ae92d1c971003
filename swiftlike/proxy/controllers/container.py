"""Container requests: create (and tell the account), read, update,
delete."""
from __future__ import annotations

from typing import Dict, List

from webob import Request, Response

from swiftlike.common import constraints
from swiftlike.common.backend_http import spread_nodes
from swiftlike.common.backend_request import make_response, text_error
from swiftlike.common.config import config_true_value
from swiftlike.common.middleware.acl import ACLError, clean_acl
from swiftlike.common.timestamps import Timestamp
from swiftlike.proxy.controllers.base import (
    Controller,
    client_headers,
    is_owner,
)

POLICY_HEADER = 'X-Backend-Storage-Policy-Index'
DEFAULT_POLICY_HEADER = 'X-Backend-Storage-Policy-Default'


class ContainerController(Controller):
    server_type = 'Container'

    def _path(self) -> str:
        return '/%s/%s' % (self.account, self.container)

    def GETorHEAD(self, req: Request) -> Response:
        denied = self.authorize(req, self.container_info(req).get(
            'read_acl'))
        if denied is not None:
            return denied
        part = self.app.container_ring.get_part(self.account,
                                                self.container)
        status, headers, body = self.first_good(
            req.method, self.app.container_ring, part, self._path(),
            self.backend_headers(req), req.query_string,
            newest=config_true_value(req.headers.get('X-Newest', '')))
        out = client_headers(headers, is_owner(req))
        if 200 <= status < 300:
            out['Accept-Ranges'] = 'bytes'
            policy = self.app.policies.get_by_index(
                headers.get(POLICY_HEADER))
            if policy is not None:
                out['X-Storage-Policy'] = policy.name
        return make_response(status, body or None, out,
                             content_type=headers.get('Content-Type'))

    GET = HEAD = GETorHEAD

    def _account_update_headers(self, count: int) -> List[Dict[str, str]]:
        part, nodes = self.app.account_ring.get_nodes(self.account)
        return spread_nodes(nodes, part, count, 'Account')

    def _write(self, req: Request, method: str) -> Response:
        denied = self.authorize(req)
        if denied is not None:
            return denied
        policy_headers = {}
        if method == 'PUT':
            self.check_metadata(req)
            policy_headers = self._policy_headers(req)
        self._clean_acls(req)
        part, nodes = self.app.container_ring.get_nodes(self.account,
                                                        self.container)
        timestamp = Timestamp.now().internal
        headers_list = [self.backend_headers(req, dict(
            update, **{'X-Timestamp': timestamp}, **policy_headers))
            for update in self._account_update_headers(len(nodes))]
        results = self.make_requests(self.app.container_ring, part, method,
                                     self._path(), headers_list)
        self.forget_info(req)
        return self.best(results, len(nodes))

    def PUT(self, req: Request) -> Response:
        name_length = len(self.container.encode('utf-8'))
        if name_length > constraints.MAX_CONTAINER_NAME_LENGTH:
            raise text_error(400, 'Container name length of %d longer than '
                             '%d' % (name_length,
                                     constraints.MAX_CONTAINER_NAME_LENGTH))
        if not self.autocreate_account(req):
            return make_response(404)
        return self._write(req, 'PUT')

    def DELETE(self, req: Request) -> Response:
        if self.account_info(req)['status'] // 100 != 2:
            return make_response(404)
        return self._write(req, 'DELETE')

    def _policy_headers(self, req: Request) -> Dict[str, str]:
        """``X-Storage-Policy: <name>`` chooses the container's policy
        (the cluster's default otherwise)."""
        headers = {DEFAULT_POLICY_HEADER: str(
            self.app.policies.default.idx)}
        name = req.headers.get('X-Storage-Policy')
        if name is None:
            return headers
        policy = self.app.policies.get_by_name(name.strip())
        if policy is None:
            raise text_error(400, 'Invalid X-Storage-Policy %r' % name)
        if policy.is_deprecated:
            raise text_error(400, 'Storage Policy %r is deprecated'
                             % policy.name)
        headers[POLICY_HEADER] = str(policy.idx)
        return headers

    def _clean_acls(self, req: Request) -> None:
        """Normalize X-Container-Read/-Write; 400 for bad ACLs."""
        for name in ('X-Container-Read', 'X-Container-Write'):
            if name in req.headers:
                try:
                    req.headers[name] = clean_acl(name, req.headers[name])
                except ACLError as err:
                    raise text_error(400, str(err)) from None

    def POST(self, req: Request) -> Response:
        denied = self.authorize(req)
        if denied is not None:
            return denied
        self.check_metadata(req)
        self._clean_acls(req)
        part, nodes = self.app.container_ring.get_nodes(self.account,
                                                        self.container)
        headers = self.backend_headers(req, {
            'X-Timestamp': Timestamp.now().internal})
        results = self.make_requests(self.app.container_ring, part, 'POST',
                                     self._path(), [headers] * len(nodes))
        self.forget_info(req)
        return self.best(results, len(nodes))

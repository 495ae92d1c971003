"""The account server: account DBs and their container rows.

``/<device>/<partition>/<account>`` for the account itself;
``.../<container>`` for container rows reported by container servers and
the container-updater.
"""
from __future__ import annotations

from typing import Dict

from webob import Request, Response

from swiftlike.account.backend import AccountBroker
from swiftlike.common import constraints
from swiftlike.common.backend_request import (
    HTTPError,
    header_true,
    make_response,
    request_timestamp,
    split_backend_path,
    text_error,
)
from swiftlike.common.db_server import DBStorageServer
from swiftlike.common.exceptions import DatabaseAlreadyExists
from swiftlike.common.listing import (
    container_record,
)
from swiftlike.common.timestamps import Timestamp

POLICY_HEADER = 'X-Backend-Storage-Policy-Index'
ROW_HEADERS = ('X-Put-Timestamp', 'X-Delete-Timestamp', 'X-Object-Count',
               'X-Bytes-Used')


class AccountController(DBStorageServer):
    """WSGI app of the account server."""

    server_type = 'account-server'
    db_type = 'account'
    broker_class = AccountBroker

    def _target(self, req: Request):
        device, partition, account, container = split_backend_path(
            req, 3, 4, True)
        broker = self.broker(self.dev_path(device), partition, account,
                             stale_reads_ok=req.method in ('GET', 'HEAD'))
        return broker, account, container

    def _stat_headers(self, broker: AccountBroker) -> Dict[str, str]:
        info = broker.get_info()
        headers = {
            'X-Account-Container-Count': str(info['container_count']),
            'X-Account-Object-Count': str(info['object_count']),
            'X-Account-Bytes-Used': str(info['bytes_used']),
            'X-Timestamp': Timestamp(info['created_at']).normal,
            'X-PUT-Timestamp': Timestamp(info['put_timestamp']).normal,
        }
        for index, stats in sorted(broker.get_policy_stats().items()):
            policy = self.policies.get_by_index(index)
            if policy is None:
                continue
            prefix = 'X-Account-Storage-Policy-%s-' % policy.name
            headers[prefix + 'Container-Count'] = \
                str(stats['container_count'])
            headers[prefix + 'Object-Count'] = str(stats['object_count'])
            headers[prefix + 'Bytes-Used'] = str(stats['bytes_used'])
        headers.update(self.metadata_headers(broker.metadata))
        return headers

    def PUT(self, req: Request) -> Response:
        broker, account, container = self._target(req)
        if container:
            return self._put_container_row(req, broker, account, container)
        timestamp = request_timestamp(req)
        updates = self.metadata_updates(req, timestamp)  # validates first
        created = False
        if not broker.exists:
            try:
                broker.initialize(timestamp.internal)
                created = True
            except DatabaseAlreadyExists:
                pass
        if not created:
            if broker.is_status_deleted():
                raise HTTPError(403, b'Recently deleted',
                                {'Content-Type': 'text/plain'})
            created = broker.is_deleted()
            broker.update_put_timestamp(timestamp.internal)
            if broker.is_deleted():
                raise HTTPError(409)
        broker.update_metadata(updates)
        return make_response(201 if created else 202)

    def _put_container_row(self, req: Request, broker: AccountBroker,
                           account: str, container: str) -> Response:
        missing = [h for h in ROW_HEADERS if h not in req.headers]
        if missing:
            raise text_error(400, 'Missing %s header' % missing[0])
        if not broker.exists:
            if not account.startswith(self.auto_create_prefix):
                raise HTTPError(404)
            try:
                broker.initialize(Timestamp(
                    req.headers.get('X-Timestamp') or
                    req.headers['X-Put-Timestamp']).internal)
            except DatabaseAlreadyExists:
                pass
        if broker.is_deleted() and \
                not header_true(req, 'X-Account-Override-Deleted'):
            raise HTTPError(404)
        policy = self.policies.get_by_index(req.headers.get(POLICY_HEADER))
        put_ts = Timestamp(req.headers['X-Put-Timestamp']).internal
        delete_ts = Timestamp(req.headers['X-Delete-Timestamp']).internal
        broker.put_container(container, put_ts, delete_ts,
                             int(req.headers['X-Object-Count']),
                             int(req.headers['X-Bytes-Used']),
                             policy.idx if policy else 0)
        if Timestamp(delete_ts) > Timestamp(put_ts):
            return make_response(204)
        return make_response(201)

    def DELETE(self, req: Request) -> Response:
        broker, _, container = self._target(req)
        if container:
            raise text_error(400, 'Invalid path')
        timestamp = request_timestamp(req)
        if not broker.exists or broker.is_deleted():
            raise HTTPError(404)
        broker.delete_db(timestamp.internal)
        return make_response(204)

    def _live_account(self, req: Request):
        """(broker, account) of an account that exists; else the answer
        (404, with X-Account-Status for a deleted one) is raised."""
        broker, account, container = self._target(req)
        if container:
            raise text_error(400, 'Invalid path')
        if not broker.exists:
            raise HTTPError(404)
        if broker.is_deleted():
            raise HTTPError(404, headers={'X-Account-Status': 'Deleted'}
                            if broker.is_status_deleted() else {})
        return broker, account

    def HEAD(self, req: Request) -> Response:
        broker, _ = self._live_account(req)
        return make_response(204, b'', self._stat_headers(broker),
                             content_type='%s; charset=utf-8' %
                             self.listing_media(req))

    def GET(self, req: Request) -> Response:
        broker, account = self._live_account(req)
        params = self.listing_params(req, constraints.ACCOUNT_LISTING_LIMIT)
        rows = broker.list_containers_iter(
            params['limit'], params['marker'], params['end_marker'],
            params['prefix'], params['delimiter'], params['reverse'])
        names = {p.idx: p.name for p in self.policies}
        return self.listing_response(
            req, 'account', account,
            [container_record(r, names) for r in rows],
            self._stat_headers(broker))

    def POST(self, req: Request) -> Response:
        broker, _, container = self._target(req)
        if container:
            raise text_error(400, 'Invalid path')
        timestamp = request_timestamp(req)
        if not broker.exists or broker.is_deleted():
            raise HTTPError(404)
        broker.update_metadata(self.metadata_updates(req, timestamp))
        return make_response(204)


def app_factory(global_conf: Dict[str, str], **local_conf: str
                ) -> AccountController:
    """paste.deploy entry point (``use = egg:swiftlike#account``)."""
    conf = dict(global_conf)
    conf.update(local_conf)
    return AccountController(conf)

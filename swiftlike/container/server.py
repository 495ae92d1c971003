"""The container server: container DBs and their object rows.

``/<device>/<partition>/<account>/<container>`` for the container itself;
``.../<object>`` for object rows sent by object servers. After creating or
deleting a container it reports the container's stats to the account
servers named in the request.
"""
from __future__ import annotations

import json
import math
import os
from typing import Dict, Optional

from webob import Request, Response

from swiftlike.common import constraints
from swiftlike.common.backend_http import (
    BackendError,
    backend_request,
    split_host,
)
from swiftlike.common.backend_request import (
    HTTPError,
    header_true,
    make_response,
    request_timestamp,
    split_backend_path,
    text_error,
)
from swiftlike.common.concurrency import GreenPool
from swiftlike.common.db_server import DBStorageServer
from swiftlike.common.exceptions import DatabaseAlreadyExists
from swiftlike.common.http import http_date
from swiftlike.common.listing import (
    object_record,
)
from swiftlike.common.timestamps import Timestamp
from swiftlike.container.backend import ContainerBroker

SHARDS_ACCOUNT_PREFIX = '.shards_'
CONTAINER_METADATA = ('X-Container-Read', 'X-Container-Write',
                      'X-Container-Sync-Key', 'X-Container-Sync-To',
                      'X-Versions-Location', 'X-History-Location')
POLICY_HEADER = 'X-Backend-Storage-Policy-Index'
DEFAULT_POLICY_HEADER = 'X-Backend-Storage-Policy-Default'


class ContainerController(DBStorageServer):
    """WSGI app of the container server."""

    server_type = 'container-server'
    db_type = 'container'
    broker_class = ContainerBroker
    extra_metadata = CONTAINER_METADATA
    methods = ('GET', 'HEAD', 'PUT', 'POST', 'DELETE', 'REPLICATE',
               'UPDATE')

    # -- helpers -----------------------------------------------------------
    def _target(self, req: Request):
        device, partition, account, container, obj = split_backend_path(
            req, 4, 5, True)
        broker = self.broker(self.dev_path(device), partition, account,
                             container,
                             stale_reads_ok=req.method in ('GET', 'HEAD'))
        return broker, account, container, obj

    def _policy_index(self, req: Request, header: str = POLICY_HEADER
                      ) -> Optional[int]:
        value = req.headers.get(header)
        if value is None:
            return None
        policy = self.policies.get_by_index(value)
        if policy is None:
            raise text_error(400, 'Invalid %s %s' % (header, value))
        return policy.idx

    def _auto_create(self, req: Request, account: str) -> bool:
        if 'X-Backend-Auto-Create' in req.headers:
            return header_true(req, 'X-Backend-Auto-Create')
        return account.startswith(self.auto_create_prefix) and \
            not account.startswith(SHARDS_ACCOUNT_PREFIX)

    def _stat_headers(self, broker: ContainerBroker) -> Dict[str, str]:
        info = broker.get_info()
        headers = {
            'X-Backend-Timestamp': Timestamp(info['created_at']).internal,
            'X-Backend-PUT-Timestamp':
                Timestamp(info['put_timestamp']).internal,
            'X-Backend-DELETE-Timestamp':
                Timestamp(info['delete_timestamp']).internal,
            'X-Backend-Status-Changed-At':
                Timestamp(info['status_changed_at']).internal,
            POLICY_HEADER: str(info['storage_policy_index']),
        }
        if not broker.is_deleted():
            headers.update({
                'X-Container-Object-Count': str(info['object_count']),
                'X-Container-Bytes-Used': str(info['bytes_used']),
                'X-Timestamp': Timestamp(info['created_at']).normal,
                'X-PUT-Timestamp': Timestamp(info['put_timestamp']).normal,
                'Last-Modified': http_date(math.ceil(float(
                    info['put_timestamp']))),
                'X-Backend-Sharding-State': 'unsharded',
            })
            headers.update(self.metadata_headers(broker.metadata))
        return headers

    # -- account updates ---------------------------------------------------
    def account_update(self, req: Request, account: str, container: str,
                       broker: ContainerBroker) -> Optional[Response]:
        """Tell the account servers; 404 if every one of them said 404."""
        hosts = [h.strip() for h in
                 req.headers.get('X-Account-Host', '').split(',') if h]
        devices = [d.strip() for d in
                   req.headers.get('X-Account-Device', '').split(',') if d]
        partition = req.headers.get('X-Account-Partition')
        if not hosts or partition is None:
            return None
        if len(hosts) != len(devices):
            return text_error(400, 'Account update failed: different '
                              'numbers of hosts and devices in request: '
                              '"%s" vs "%s"' % (
                                  req.headers.get('X-Account-Host', ''),
                                  req.headers.get('X-Account-Device', ''))
                              ).response()
        info = broker.get_info()
        headers = {
            'X-Put-Timestamp': info['put_timestamp'],
            'X-Delete-Timestamp': info['delete_timestamp'],
            'X-Object-Count': str(info['object_count']),
            'X-Bytes-Used': str(info['bytes_used']),
            POLICY_HEADER: str(info['storage_policy_index']),
            'X-Trans-Id': req.headers.get('X-Trans-Id', '-'),
            'User-Agent': 'container-server %d' % os.getpid(),
            'Referer': '%s %s' % (req.method, req.url)}
        if header_true(req, 'X-Account-Override-Deleted'):
            headers['X-Account-Override-Deleted'] = 'yes'
        path = '/%s/%s' % (account, container)
        pool = GreenPool(len(hosts))
        results = [pool.spawn(self._send_account_update, host, device,
                              partition, path, headers)
                   for host, device in zip(hosts, devices)]
        statuses = [r.wait() for r in results]
        if statuses and all(s == 404 for s in statuses):
            return make_response(404)
        return None

    def _send_account_update(self, host: str, device: str, partition: str,
                             path: str, headers: Dict[str, str]) -> int:
        try:
            ip, port = split_host(host)
            status, _, _ = backend_request(
                ip, port, 'PUT', '/%s/%s%s' % (device, partition, path),
                headers, conn_timeout=self.conn_timeout,
                node_timeout=self.node_timeout)
        except (BackendError, ValueError) as err:
            self.logger.error('ERROR account update failed with %s/%s '
                              '(will retry later): %s', host, device, err)
            return 0
        if not 200 <= status < 300:
            self.logger.error('ERROR account update failed with %s/%s '
                              '(will retry later): status %d', host, device,
                              status)
        return status

    # -- verbs -------------------------------------------------------------
    def PUT(self, req: Request) -> Response:
        broker, account, container, obj = self._target(req)
        timestamp = request_timestamp(req)
        if obj:
            return self._put_object_row(req, broker, account, obj, timestamp)
        updates = self.metadata_updates(req, timestamp)  # validates first
        requested = self._policy_index(req)
        default = self._policy_index(req, DEFAULT_POLICY_HEADER)
        created = self._create_or_update(broker, timestamp, requested,
                                         default)
        broker.update_metadata(updates)
        not_found = self.account_update(req, account, container, broker)
        if not_found is not None:
            return not_found
        status = 201 if created else 202
        return make_response(status, headers={
            POLICY_HEADER: str(broker.get_info()['storage_policy_index'])})

    def _create_or_update(self, broker: ContainerBroker,
                          timestamp: Timestamp, requested: Optional[int],
                          default: Optional[int]) -> bool:
        policy = requested if requested is not None else (default or 0)
        if not broker.exists:
            try:
                broker.initialize(timestamp.internal,
                                  storage_policy_index=policy)
                return True
            except DatabaseAlreadyExists:
                pass
        info = broker.get_info()
        recreated = broker.is_deleted()
        if not recreated and requested is not None and \
                requested != info['storage_policy_index']:
            raise HTTPError(409, headers={
                POLICY_HEADER: str(info['storage_policy_index'])})
        if recreated and requested is not None and \
                requested != info['storage_policy_index']:
            with broker.get() as conn:
                conn.execute('UPDATE container_stat SET '
                             'storage_policy_index = ?', (requested,))
                conn.execute('INSERT OR IGNORE INTO policy_stat '
                             '(storage_policy_index) VALUES (?)',
                             (requested,))
        broker.update_put_timestamp(timestamp.internal)
        if broker.is_deleted():
            raise HTTPError(409, headers={
                POLICY_HEADER: str(info['storage_policy_index'])})
        if recreated:
            broker.update_status_changed_at(timestamp.internal)
        return recreated

    def _put_object_row(self, req: Request, broker: ContainerBroker,
                        account: str, obj: str,
                        timestamp: Timestamp) -> Response:
        if not broker.exists:
            if not self._auto_create(req, account):
                raise HTTPError(404)
            try:
                broker.initialize(
                    timestamp.internal,
                    storage_policy_index=self._policy_index(req) or 0)
            except DatabaseAlreadyExists:
                pass
        for required in ('X-Size', 'X-Content-Type', 'X-Etag'):
            if required not in req.headers:
                raise text_error(400, 'Missing %s header' % required)
        broker.put_object(
            obj, timestamp.internal, int(req.headers['X-Size']),
            req.headers['X-Content-Type'], req.headers['X-Etag'], 0,
            self._policy_index(req) or 0,
            req.headers.get('X-Content-Type-Timestamp'),
            req.headers.get('X-Meta-Timestamp'))
        return make_response(201)

    def DELETE(self, req: Request) -> Response:
        broker, account, container, obj = self._target(req)
        timestamp = request_timestamp(req)
        if obj:
            if not broker.exists:
                raise HTTPError(404)
            broker.delete_object(obj, timestamp.internal,
                                 self._policy_index(req) or 0)
            return make_response(204)
        if not broker.exists:
            raise HTTPError(404)
        if not broker.empty():
            raise HTTPError(409)
        existed = Timestamp(broker.get_info()['put_timestamp']) < \
            timestamp and not broker.is_deleted()
        broker.delete_db(timestamp.internal)
        not_found = self.account_update(req, account, container, broker)
        if not_found is not None:
            return not_found
        return make_response(204 if existed else 404)

    def HEAD(self, req: Request) -> Response:
        broker, _, _, obj = self._target(req)
        if obj or not broker.exists:
            raise HTTPError(404 if not obj else 400)
        headers = self._stat_headers(broker)
        status = 404 if broker.is_deleted() else 204
        if status == 404:
            return make_response(404, None, headers)
        return make_response(204, b'', headers, content_type='%s; '
                             'charset=utf-8' % self.listing_media(req))

    def GET(self, req: Request) -> Response:
        broker, _, container, obj = self._target(req)
        if obj:
            raise text_error(400, 'Invalid path')
        if not broker.exists:
            raise HTTPError(404)
        headers = self._stat_headers(broker)
        if broker.is_deleted():
            return make_response(404, headers=headers)
        params = self.listing_params(req,
                                     constraints.CONTAINER_LISTING_LIMIT)
        rows = broker.list_objects_iter(
            params['limit'], params['marker'], params['end_marker'],
            params['prefix'], params['delimiter'], params['path'],
            self._policy_index(req) or broker.get_info()[
                'storage_policy_index'],
            params['reverse'])
        headers['X-Backend-Record-Type'] = 'object'
        headers['X-Backend-Record-Storage-Policy-Index'] = \
            headers[POLICY_HEADER]
        return self.listing_response(req, 'container', container,
                                     [object_record(r) for r in rows],
                                     headers)

    def POST(self, req: Request) -> Response:
        broker, _, _, obj = self._target(req)
        if obj:
            raise text_error(400, 'Invalid path')
        timestamp = request_timestamp(req)
        if not broker.exists or broker.is_deleted():
            raise HTTPError(404)
        broker.update_metadata(self.metadata_updates(req, timestamp))
        if not header_true(req, 'X-Backend-No-Timestamp-Update'):
            broker.update_put_timestamp(timestamp.internal)
        return make_response(204)

    def UPDATE(self, req: Request) -> Response:
        """Private: a JSON list of object rows to merge (sharding)."""
        broker, _, _, _ = self._target(req)
        if not broker.exists:
            raise HTTPError(404)
        try:
            rows = json.loads(req.body)
        except ValueError:
            raise text_error(400, 'Invalid UPDATE body') from None
        broker.merge_items(rows)
        return make_response(202)


def app_factory(global_conf: Dict[str, str], **local_conf: str
                ) -> ContainerController:
    """paste.deploy entry point (``use = egg:swiftlike#container``)."""
    conf = dict(global_conf)
    conf.update(local_conf)
    return ContainerController(conf)

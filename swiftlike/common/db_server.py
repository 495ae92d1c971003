"""What the account and container servers share on top of StorageServer:
devices, brokers, metadata headers, listings and the REPLICATE RPC."""
from __future__ import annotations

import os
from typing import Any, Dict, List, Optional, Tuple

from webob import Request, Response

from swiftlike.common import constraints
from swiftlike.common.backend_request import (
    HTTPError,
    make_response,
    query_params,
    split_backend_path,
    text_error,
)
from swiftlike.common.base_server import StorageServer
from swiftlike.common.db import DatabaseBroker, db_path
from swiftlike.common.db_rpc import ReplicatorRpc, RpcError, info_json
from swiftlike.common.exceptions import (
    DatabaseConnectionError,
    DatabaseNotFound,
    LockTimeout,
)
from swiftlike.common.hashing import get_hash_affixes, hash_path
from swiftlike.common.headers import is_sys_meta, is_user_meta
from swiftlike.common.listing import (
    ListingError,
    choose_format,
    listing_params,
    render,
)
from swiftlike.common.storage_policy import load_storage_policies
from swiftlike.common.timestamps import Timestamp

DEFAULT_DEVICES = '/srv/node'


def wsgi_to_str(value: str) -> str:
    """A header's WSGI string as real text (400 when not UTF-8)."""
    try:
        return value.encode('latin-1').decode('utf-8')
    except (UnicodeEncodeError, UnicodeDecodeError):
        raise text_error(400, 'Metadata must be valid UTF-8') from None


def str_to_wsgi(value: str) -> str:
    return value.encode('utf-8').decode('latin-1')


class DBStorageServer(StorageServer):
    """Base of the account and container servers."""

    db_type = 'db'
    broker_class = DatabaseBroker
    #: headers stored as metadata besides X-<type>-Meta-* and sysmeta
    extra_metadata: Tuple[str, ...] = ()

    def __init__(self, conf, logger=None) -> None:
        super().__init__(conf, logger)
        get_hash_affixes()  # refuse to start without them
        constraints.reload_constraints()
        self.policies = load_storage_policies()
        self.devices = self.conf.get('devices', DEFAULT_DEVICES)
        self.mount_check = self.conf.get_bool('mount_check', True)
        self.conn_timeout = self.conf.get_float('conn_timeout', 0.5,
                                                minimum=0)
        self.node_timeout = self.conf.get_float('node_timeout', 3.0,
                                                minimum=0)
        self.auto_create_prefix = self.conf.get(
            'auto_create_account_prefix',
            constraints.AUTO_CREATE_ACCOUNT_PREFIX)
        self.rpc = ReplicatorRpc(self.db_type, self._broker_for_file)

    # -- devices and brokers ----------------------------------------------
    def dev_path(self, device: str) -> str:
        path = os.path.join(self.devices, device)
        ok = os.path.ismount(path) if self.mount_check \
            else os.path.isdir(path)
        if not ok:
            raise HTTPError(507, drive=device)
        return path

    def _broker_for_file(self, db_file: str, **kwargs) -> DatabaseBroker:
        return self.broker_class(db_file, **kwargs)

    def broker(self, dev_path: str, partition: str, account: str,
               container: Optional[str] = None,
               stale_reads_ok: bool = False) -> DatabaseBroker:
        name_hash = hash_path(account, container)
        return self.broker_class(
            db_path(dev_path, self.db_type, partition, name_hash),
            account=account, container=container,
            stale_reads_ok=stale_reads_ok)

    def translate_error(self, req: Request, err: Exception
                        ) -> Optional[Response]:
        if isinstance(err, (DatabaseConnectionError, DatabaseNotFound)):
            # corrupt (now quarantined) or vanished: not found
            self.logger.error('%s: %s', req.path_qs, err)
            return make_response(404)
        if isinstance(err, LockTimeout):
            self.logger.error('Lock timeout on %s: %s', req.path_qs, err)
            return make_response(500, str(err).encode(),
                                 content_type='text/plain')
        return None

    # -- metadata ----------------------------------------------------------
    def metadata_updates(self, req: Request, timestamp: Timestamp
                         ) -> Dict[str, Tuple[str, str]]:
        """``{header: (value, timestamp)}`` for every metadata header."""
        problem = constraints.check_metadata(req.headers, self.db_type)
        if problem:
            raise text_error(400, problem)
        updates = {}
        for key, value in req.headers.items():
            if is_user_meta(self.db_type, key) or \
                    is_sys_meta(self.db_type, key) or \
                    key.title() in self.extra_metadata:
                updates[key.title() if key.title() in self.extra_metadata
                        else key] = (wsgi_to_str(value), timestamp.internal)
        return updates

    @staticmethod
    def metadata_headers(metadata: Dict[str, List[str]]) -> Dict[str, str]:
        return {key: str_to_wsgi(value)
                for key, (value, _) in metadata.items() if value != ''}

    # -- listings -------------------------------------------------------
    @staticmethod
    def listing_params(req: Request, max_limit: int) -> Dict[str, Any]:
        try:
            return listing_params(query_params(req), max_limit)
        except ListingError as err:
            raise text_error(err.status, err.body) from None

    @staticmethod
    def listing_media(req: Request) -> str:
        """The listing's media type (HEAD answers carry it too)."""
        try:
            return choose_format(query_params(req), req.headers.get('Accept'))
        except ListingError as err:
            raise HTTPError(err.status, err.body.encode()
                            if err.body else None) from None

    def listing_response(self, req: Request, kind: str, name: str,
                         records: List[Dict[str, Any]],
                         headers: Dict[str, str]) -> Response:
        media = self.listing_media(req)
        body = render(media, kind, name, records)
        if media == 'text/plain' and not records:
            return make_response(204, headers=headers,
                                 content_type='text/plain; charset=utf-8')
        headers = dict(headers)
        if 'format' not in query_params(req):
            headers['Vary'] = 'Accept'
        return make_response(200, body, headers,
                             content_type='%s; charset=utf-8' % media)

    # -- replication ------------------------------------------------------
    def REPLICATE(self, req: Request) -> Response:
        device, partition, name_hash = split_backend_path(req, 3, 3)
        path = os.path.join(self.devices, device)
        if self.mount_check and not os.path.ismount(path) or \
                not os.path.isdir(path):
            raise HTTPError(507, ('%s is not mounted' % device).encode(),
                            {'Content-Type': 'text/plain'})
        try:
            status, answer = self.rpc.dispatch(path, partition, name_hash,
                                               req.body)
        except RpcError as err:
            return make_response(err.status, err.body.encode()
                                 if err.body else None)
        if answer is None:
            return make_response(status)
        return make_response(status, info_json(answer),
                             content_type='application/json')

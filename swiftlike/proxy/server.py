"""The proxy server application: the public /v1 API over the rings.

Routes ``/v1/<account>[/<container>[/<object>]]`` to the account,
container or object controller and serves ``/info``. Middleware (auth,
logging, error catching...) wraps it in the paste pipeline.
"""
from __future__ import annotations

import logging
import traceback
from typing import Dict, Optional

from webob import Request, Response

import swiftlike
from swiftlike.common import constraints
from swiftlike.common.backend_request import (
    HTTPError,
    make_response,
    native_path,
    text_error,
)
from swiftlike.common.base_server import as_conf_section
from swiftlike.common.exceptions import PathError
from swiftlike.common.expiring import ACCOUNT_NAME as EXPIRING_ACCOUNT
from swiftlike.common.expiring import DEFAULT_DIVISOR as EXPIRER_DIVISOR
from swiftlike.common.hashing import get_hash_affixes
from swiftlike.common.logs import get_logger, txn_id
from swiftlike.common.middleware.catch_errors import (
    TRANS_ID_KEY,
    make_trans_id,
)
from swiftlike.common.registry import register_swift_info
from swiftlike.common.ring import ObjectRings, Ring
from swiftlike.common.storage_policy import (
    load_storage_policies,
)
from swiftlike.common.ttl_cache import TTLCache
from swiftlike.common.utils import split_path
from swiftlike.proxy.controllers.account import AccountController
from swiftlike.proxy.controllers.container import ContainerController
from swiftlike.proxy.controllers.info import InfoController
from swiftlike.proxy.controllers.obj import ObjectController
from swiftlike.proxy.error_limiter import ErrorLimiter

DEFAULT_SWIFT_DIR = '/etc/swift'
#: /info entries hidden unless an operator says otherwise
DEFAULT_DISALLOWED_SECTIONS = ('swift.valid_api_versions, '
                               'swift.auto_create_account_prefix')


class Application:
    """WSGI app of the proxy server."""

    def __init__(self, conf: Dict[str, str],
                 logger: Optional[logging.Logger] = None) -> None:
        conf = as_conf_section(conf, 'app:proxy-server')
        self.logger = logger or get_logger(conf, 'proxy-server')
        get_hash_affixes()
        constraints.reload_constraints()
        self.policies = load_storage_policies()
        self.swift_dir = conf.get('swift_dir', DEFAULT_SWIFT_DIR)
        self.account_ring = Ring(self.swift_dir, ring_name='account')
        self.container_ring = Ring(self.swift_dir, ring_name='container')
        self.object_ring = ObjectRings(self.swift_dir)
        self.conn_timeout = conf.get_float('conn_timeout', 0.5, minimum=0)
        self.node_timeout = conf.get_float('node_timeout', 10.0, minimum=0)
        #: once a quorum of object servers answered a PUT, the rest get
        #: this long
        self.post_quorum_timeout = conf.get_float('post_quorum_timeout',
                                                  0.5, minimum=0)
        #: reads of a GET body: a node silent this long is replaced
        self.recoverable_node_timeout = conf.get_float(
            'recoverable_node_timeout', self.node_timeout, minimum=0)
        self.client_timeout = conf.get_float('client_timeout', 60.0,
                                             minimum=0)
        self.object_chunk_size = conf.get_int('object_chunk_size', 65536,
                                              minimum=1)
        self.client_chunk_size = conf.get_int('client_chunk_size', 65536,
                                              minimum=1)
        #: the expirer queue the object servers are told to update
        self.expiring_account = constraints.AUTO_CREATE_ACCOUNT_PREFIX + \
            conf.get('expiring_objects_account_name', EXPIRING_ACCOUNT)
        self.expirer_divisor = conf.get_int(
            'expiring_objects_container_divisor', EXPIRER_DIVISOR,
            minimum=1)
        self.allow_account_management = conf.get_bool(
            'allow_account_management', False)
        self.account_autocreate = conf.get_bool('account_autocreate', False)
        self._request_node_count = conf.get('request_node_count',
                                            '2 * replicas')
        self.limiter = ErrorLimiter(
            conf.get_int('error_suppression_limit', 10, minimum=0),
            conf.get_float('error_suppression_interval', 60.0, minimum=0))
        self.recheck_account_existence = conf.get_float(
            'recheck_account_existence', 60.0, minimum=0)
        self.recheck_container_existence = conf.get_float(
            'recheck_container_existence', 60.0, minimum=0)
        self.info_controller = InfoController(
            conf.get_bool('expose_info', True), conf.get('admin_key', ''),
            [s.strip() for s in conf.get(
                'disallowed_sections', DEFAULT_DISALLOWED_SECTIONS
            ).split(',') if s.strip()])
        self._register_info(conf)
        #: used when no memcache middleware puts a shared cache in environ
        self.info_cache = TTLCache(self.recheck_container_existence)

    def request_node_count(self, replicas: int) -> int:
        """``request_node_count``: a number or ``<n> * replicas``."""
        value = str(self._request_node_count).replace(' ', '')
        if value.endswith('*replicas'):
            return int(value[:-len('*replicas')] or 1) * replicas
        return int(value)

    # -- WSGI ----------------------------------------------------------------
    def __call__(self, environ, start_response):
        req = Request(environ)
        trans_id = environ.setdefault(TRANS_ID_KEY, make_trans_id())
        token = txn_id.set(trans_id)
        try:
            resp = self.handle(req)
        finally:
            txn_id.reset(token)
        return resp(environ, start_response)

    def handle(self, req: Request) -> Response:
        try:
            controller = self._controller(req)
            if isinstance(controller, Response):
                return controller
            handler = getattr(controller, req.method, None)
            if handler is None or req.method.startswith('_'):
                return make_response(405, headers={
                    'Allow': 'DELETE, GET, HEAD, POST, PUT'})
            return handler(req)
        except HTTPError as err:
            return err.response()
        except Exception:
            self.logger.exception('ERROR Unhandled exception in request')
            self.logger.debug('%s', traceback.format_exc())
            return make_response(500)

    def _controller(self, req: Request):
        path = native_path(req)
        if path == '/info':
            return self.info_controller.handle(req)
        try:
            version, account, container, obj = split_path(path, 1, 4,
                                                          True)
        except PathError:
            return make_response(404)
        if account and version not in constraints.VALID_API_VERSIONS:
            return make_response(400)
        if not account:
            raise text_error(412, 'Bad URL')
        problem = constraints.check_account_name(account)
        if problem:
            raise text_error(400, problem)
        req.environ.update({'swift.account': account,
                            'swift.container': container,
                            'swift.object': obj})
        if obj:
            return ObjectController(self, account, container, obj)
        if container:
            return ContainerController(self, account, container)
        return AccountController(self, account)

    def _register_info(self, conf) -> None:
        """The ``swift`` section of /info."""
        policies = []
        for policy in self.policies:
            entry = {'name': policy.name, 'aliases': policy.aliases}
            if policy.is_default:
                entry['default'] = True
            if policy.is_deprecated:
                entry['deprecated'] = True
            policies.append(entry)
        register_swift_info(
            'swift', version=swiftlike.__version__, policies=policies,
            allow_account_management=self.allow_account_management,
            account_autocreate=self.account_autocreate,
            strict_cors_mode=conf.get_bool('strict_cors_mode', True),
            allow_open_expired=conf.get_bool('allow_open_expired', False),
            **constraints.EFFECTIVE_CONSTRAINTS)


def app_factory(global_conf: Dict[str, str], **local_conf: str
                ) -> Application:
    """paste.deploy entry point (``use = egg:swiftlike#proxy``)."""
    conf = dict(global_conf)
    conf.update(local_conf)
    return Application(conf)


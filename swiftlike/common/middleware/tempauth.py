"""tempauth: Swift's built-in authentication for test and small clusters.

``GET /auth/v1.0`` with ``X-Auth-User: <account>:<user>`` and
``X-Auth-Key`` returns a token and the storage URL; requests then carry
``X-Auth-Token``. Users come from ``user_<account>_<user> = <key> [groups]
[storage url]`` lines. Owners (``.admin``), reseller admins and container
ACLs decide access; the proxy asks (``swift.authorize``) once it knows the
container's ACLs.
"""
from __future__ import annotations

import base64
import time
import uuid
from typing import Dict, List, Optional, Tuple

from webob import Request, Response

from swiftlike.common.backend_request import make_response
from swiftlike.common.config import ConfSection
from swiftlike.common.middleware.acl import (
    ACLError,
    account_acl_level,
    format_account_acl,
    parse_account_acl,
    parse_acl,
    referrer_allowed,
)
from swiftlike.common.registry import register_swift_info
from swiftlike.common.ttl_cache import TTLCache

DEFAULT_TOKEN_LIFE = 86400
DEFAULT_AUTH_PREFIX = '/auth/'
DEFAULT_RESELLER_PREFIX = 'AUTH'


class User:
    def __init__(self, account: str, name: str, key: str,
                 groups: List[str], url: Optional[str]) -> None:
        self.account = account
        self.name = name
        self.key = key
        self.groups = groups
        self.url = url


def _b64(text: str) -> str:
    return base64.urlsafe_b64decode(text + '=' * (-len(text) % 4)).decode()


def load_users(conf: Dict[str, str]) -> Dict[str, User]:
    """``account:user`` -> User from ``user_*`` and ``user64_*`` options."""
    users = {}
    for option, value in conf.items():
        if option.startswith('user64_'):
            account, _, name = option[len('user64_'):].partition('_')
            account, name = _b64(account), _b64(name)
        elif option.startswith('user_'):
            account, _, name = option[len('user_'):].partition('_')
        else:
            continue
        words = value.split()
        if not words:
            continue
        url = words[-1] if '://' in words[-1] else None
        groups = [w for w in words[1:] if w != url]
        users['%s:%s' % (account, name)] = User(account, name, words[0],
                                                groups, url)
    return users


class TempAuth:
    def __init__(self, app, conf: Dict[str, str]) -> None:
        self.app = app
        conf = conf if isinstance(conf, ConfSection) else ConfSection(
            conf, path=conf.get('__file__', '<config>'),
            section='filter:tempauth')
        prefixes = [p.strip() for p in conf.get(
            'reseller_prefix', DEFAULT_RESELLER_PREFIX).split(',')]
        self.reseller_prefixes = [p + ('_' if p and not p.endswith('_')
                                       else '') for p in prefixes if p]
        #: <PREFIX>_require_group: owners of such accounts must also show
        #: a service token of a user in that group (X-Service-Token)
        self.require_groups = {
            prefix: conf.get('%s_require_group' % prefix.rstrip('_'), '')
            for prefix in self.reseller_prefixes}
        self.auth_prefix = '/' + conf.get(
            'auth_prefix', DEFAULT_AUTH_PREFIX).strip('/') + '/'
        self.token_life = conf.get_int('token_life', DEFAULT_TOKEN_LIFE,
                                       minimum=1)
        self.storage_url_scheme = conf.get('storage_url_scheme', 'default')
        self.users = load_users(conf)
        register_swift_info('tempauth', account_acls=True)
        #: tokens when no memcache middleware shares them between workers
        self.local_cache = TTLCache(ttl=self.token_life)

    # -- the auth endpoint --------------------------------------------------
    def __call__(self, environ, start_response):
        req = Request(environ)
        if environ.get('PATH_INFO', '').startswith(self.auth_prefix):
            return self.handle_auth(req)(environ, start_response)
        if environ.get('swift.authorize_override'):
            # already authorized (a temp URL, an internal info request)
            return self.app(environ, start_response)
        token = environ.get('HTTP_X_AUTH_TOKEN') or \
            environ.get('HTTP_X_STORAGE_TOKEN')
        if token:
            groups = self.get_groups(environ, token)
            if groups is None:
                environ['swift.authorize'] = self.denied
            else:
                service = environ.get('HTTP_X_SERVICE_TOKEN')
                service_groups = service and self.get_groups(environ,
                                                             service)
                if service_groups:
                    groups += ',' + service_groups
                environ['REMOTE_USER'] = groups
                environ['swift.authorize'] = self.authorize
                if '.reseller_admin' in groups.split(','):
                    environ['reseller_request'] = True
        else:
            environ['swift.authorize'] = self.authorize
        environ['swift.clean_acl'] = True
        problem = self._clean_account_acl(environ)
        if problem is not None:
            return problem(environ, start_response)
        return self.app(environ, start_response)

    @staticmethod
    def _clean_account_acl(environ) -> Optional[Response]:
        """Validate and normalize X-Account-Access-Control (400 if bad)."""
        value = environ.get('HTTP_X_ACCOUNT_ACCESS_CONTROL')
        is_account = len(environ.get('PATH_INFO', '').strip('/').split(
            '/')) == 2
        if value is None or not is_account:
            return None
        try:
            acl = parse_account_acl(value)
        except ACLError as err:
            body = ('X-Account-Access-Control invalid: %s' % err).encode()
            return make_response(400, body, content_type='text/plain')
        environ['HTTP_X_ACCOUNT_ACCESS_CONTROL'] = format_account_acl(acl)
        return None

    def handle_auth(self, req: Request) -> Response:
        if req.method != 'GET':
            return make_response(405, headers={'Allow': 'GET'})
        path = req.environ['PATH_INFO'][len(self.auth_prefix) - 1:]
        user_header = req.headers.get('X-Auth-User') or \
            req.headers.get('X-Storage-User')
        key = req.headers.get('X-Auth-Key') or \
            req.headers.get('X-Storage-Pass')
        if path.startswith('/v1/') and path.endswith('/auth'):
            account = path[len('/v1/'):-len('/auth')]
            if user_header and ':' not in user_header:
                user_header = '%s:%s' % (account, user_header)
        elif path not in ('/v1.0', '/auth', '/v1.0/'):
            return make_response(400)
        user = self.users.get(user_header or '')
        realm = (user_header or '').split(':')[0] or 'unknown'
        if user is None or key != user.key or ':' not in user_header:
            return make_response(401, headers={
                'Www-Authenticate': 'Swift realm="%s"' % realm})
        token, expires = self._token_for(req.environ, user)
        return make_response(200, b'', {
            'X-Auth-Token': token, 'X-Storage-Token': token,
            'X-Auth-Token-Expires': str(int(expires - time.time())),
            'X-Storage-Url': self._storage_url(req, user)})

    def _groups_of(self, user: User) -> str:
        groups = [user.account, '%s:%s' % (user.account, user.name)]
        for group in user.groups:
            if group == '.admin':
                groups.extend(prefix + user.account
                              for prefix in self.reseller_prefixes)
            else:
                groups.append(group)
        return ','.join(groups)

    def _cache(self, environ: Dict):
        return environ.get('swift.cache') or self.local_cache

    def _token_key(self, token: str) -> str:
        return '%s/token/%s' % (self.reseller_prefixes[0], token)

    def _token_for(self, environ: Dict, user: User) -> Tuple[str, float]:
        """The user's live token, or a new one; kept in the cache shared
        by every worker (memcache) so any of them accepts it."""
        cache = self._cache(environ)
        user_key = '%s/user/%s:%s' % (self.reseller_prefixes[0],
                                      user.account, user.name)
        token = cache.get(user_key)
        if token:
            entry = cache.get(self._token_key(token))
            if entry and entry[0] > time.time() and \
                    entry[1] == self._groups_of(user):
                return token, entry[0]
        token = '%stk%s' % (self.reseller_prefixes[0], uuid.uuid4().hex)
        expires = time.time() + self.token_life
        cache.set(self._token_key(token), [expires, self._groups_of(user)],
                  self.token_life)
        cache.set(user_key, token, self.token_life)
        return token, expires

    def _storage_url(self, req: Request, user: User) -> str:
        if user.url:
            return user.url
        scheme = req.scheme if self.storage_url_scheme == 'default' \
            else self.storage_url_scheme
        return '%s://%s/v1/%s%s' % (scheme, req.host,
                                    self.reseller_prefixes[0], user.account)

    def get_groups(self, environ: Dict, token: str) -> Optional[str]:
        entry = self._cache(environ).get(self._token_key(token))
        if not entry or entry[0] < time.time():
            return None
        return entry[1]

    # -- authorization ------------------------------------------------------
    @staticmethod
    def denied(req: Request) -> Response:
        """403 for a known user, 401 for an anonymous one."""
        if req.environ.get('REMOTE_USER'):
            return make_response(403)
        return make_response(401, headers={
            'Www-Authenticate': 'Swift realm="%s"' % (
                req.environ.get('swift.account') or 'unknown')})

    def _account_prefix(self, account: str) -> Optional[str]:
        matches = [p for p in self.reseller_prefixes
                   if account.startswith(p)]
        return max(matches, key=len) if matches else None

    def authorize(self, req: Request) -> Optional[Response]:
        """None to allow, or the 401/403 answer. Owners are marked with
        ``swift_owner`` so the proxy shows and accepts their privileged
        headers (ACLs, temp URL keys)."""
        env = req.environ
        account = env.get('swift.account', '')
        container = env.get('swift.container')
        obj = env.get('swift.object')
        prefix = self._account_prefix(account)
        if prefix is None:
            return self.denied(req)
        groups = [g for g in env.get('REMOTE_USER', '').split(',') if g]
        reading = req.method in ('GET', 'HEAD')
        if '.reseller_admin' in groups and not account.startswith('.'):
            env['swift_owner'] = True
            return None
        if '.reseller_reader' in groups and reading:
            return None
        required = self.require_groups.get(prefix)
        if account in groups and (container or req.method not in
                                  ('PUT', 'DELETE')) and \
                (not required or required in groups):
            env['swift_owner'] = True
            return None
        referrers, acl_groups = parse_acl(env.get('swift.acl'))
        if container and referrer_allowed(req.referer, referrers) and \
                (obj or '.rlistings' in acl_groups):
            return None
        if any(group in acl_groups for group in groups):
            return None
        if groups and self._account_acl_allows(req, groups, container):
            return None
        return self.denied(req)

    @staticmethod
    def _account_acl_allows(req: Request, groups: List[str],
                            container: Optional[str]) -> bool:
        """The account ACL: admin = owner, read-write = everything in the
        account plus reading it, read-only = reading."""
        get_info = req.environ.get('swift.get_account_info')
        if get_info is None:
            return False
        info = get_info()
        try:
            acl = parse_account_acl(info.get('sysmeta', {}).get(
                'core-access-control', ''))
        except ACLError:
            return False
        level = account_acl_level(acl, groups)
        reading = req.method in ('GET', 'HEAD')
        if level == 'admin':
            req.environ['swift_owner'] = True
            return True
        if level == 'read-write':
            return bool(container) or reading
        return level == 'read-only' and reading


def filter_factory(global_conf: Dict[str, str], **local_conf: str):
    conf = dict(global_conf, **local_conf)
    return lambda app: TempAuth(app, conf)

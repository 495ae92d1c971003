"""The HTTP side of the ``swiftlike`` client: v1.0 auth and requests to
the storage URL with the token (one re-authentication on a 401)."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Callable, Dict, Iterable, Iterator, List, Optional, Tuple
from urllib.parse import quote, urlencode, urlparse

import requests

CHUNK = 1024 * 1024


def in_threads(work: Callable, items: Iterable, threads: int) -> List:
    """``work(item)`` for every item, ``threads`` at a time (at least
    one); the results in the items' order. Every transfer of the client
    and the dispersion tools runs through here."""
    with ThreadPoolExecutor(max_workers=max(1, threads)) as pool:
        return list(pool.map(work, items))


class ClientError(Exception):
    """A request failed; ``status`` is the HTTP status (0: no answer)."""

    def __init__(self, message: str, status: int = 0) -> None:
        super().__init__(message)
        self.status = status


def failure_message(method: str, url: str, resp: requests.Response,
                    container: Optional[str], obj: Optional[str],
                    stream: bool = False) -> str:
    """What a user is told of a refused request: what was not found, as
    ``swift`` says it, otherwise the request and the server's answer."""
    if resp.status_code == 404:
        if obj is not None:
            return 'Object %r not found' % ('%s/%s' % (container, obj))
        if container is not None:
            return 'Container %r not found' % container
        return 'Account not found'
    body = '' if stream else resp.text[:200]  # (a stream may be endless)
    return '%s %s failed: %d %s %s' % (method, url, resp.status_code,
                                       resp.reason, body)


class Connection:
    """Requests to one account. With ``storage_url`` and ``token`` given
    (a token from an earlier ``swiftlike auth``) no authentication is made
    until the token is refused, and then only when there are
    credentials."""

    def __init__(self, auth_url: Optional[str], user: Optional[str],
                 key: Optional[str], timeout: float = 60.0,
                 storage_url: Optional[str] = None,
                 token: Optional[str] = None) -> None:
        self.auth_url = auth_url
        self.user = user
        self.key = key
        self.timeout = timeout
        self.session = requests.Session()
        preauth = bool(storage_url and token)
        self.url: Optional[str] = storage_url if preauth else None
        self.token: Optional[str] = token if preauth else None

    @property
    def can_authenticate(self) -> bool:
        return bool(self.auth_url and self.user and self.key)

    def authenticate(self) -> Tuple[str, str]:
        if not self.can_authenticate:
            raise ClientError('the token was refused and there are no '
                              'credentials to get another', 401)
        try:
            resp = self.session.get(self.auth_url, headers={
                'X-Auth-User': self.user, 'X-Auth-Key': self.key},
                timeout=self.timeout)
        except requests.RequestException as err:
            raise ClientError('Auth failed: %s' % err) from None
        if resp.status_code // 100 != 2:
            raise ClientError('Auth GET failed: %s %d %s' % (
                self.auth_url, resp.status_code, resp.reason),
                resp.status_code)
        self.url = resp.headers['X-Storage-Url']
        self.token = resp.headers['X-Auth-Token']
        return self.url, self.token

    def path_url(self, container: Optional[str] = None,
                 obj: Optional[str] = None) -> str:
        if self.url is None:
            self.authenticate()
        url = self.url
        if container is not None:
            url += '/' + quote(container.encode('utf-8'), safe='')
        if obj is not None:
            url += '/' + quote(obj.encode('utf-8'), safe='/')
        return url

    def request(self, method: str, container: Optional[str] = None,
                obj: Optional[str] = None,
                headers: Optional[Dict[str, str]] = None,
                params: Optional[Dict[str, str]] = None, data=None,
                stream: bool = False, ok=(2,)) -> requests.Response:
        for attempt in (1, 2):
            url = self.path_url(container, obj)
            if params:
                url += '?' + urlencode(params)
            try:
                resp = self.session.request(
                    method, url, headers=dict(headers or {},
                                              **{'X-Auth-Token':
                                                 self.token}),
                    data=data, stream=stream, timeout=self.timeout)
            except requests.RequestException as err:
                raise ClientError('%s %s failed: %s' % (method, url, err)
                                  ) from None
            if resp.status_code == 401 and attempt == 1 and \
                    not hasattr(data, 'read'):
                self.authenticate()
                continue
            if resp.status_code // 100 not in ok:
                raise ClientError(failure_message(
                    method, url, resp, container, obj, stream),
                    resp.status_code)
            return resp
        raise ClientError('unreachable')

    def info(self) -> Dict:
        """The cluster's ``/info``, from the storage URL's host."""
        base = urlparse(self.path_url())
        url = '%s://%s/info' % (base.scheme, base.netloc)
        try:
            resp = self.session.get(url, timeout=self.timeout)
            if resp.status_code == 200:
                return resp.json()
        except (requests.RequestException, ValueError) as err:
            raise ClientError('GET %s failed: %s' % (url, err)) from None
        raise ClientError('GET %s failed: %d %s' % (
            url, resp.status_code, resp.reason), resp.status_code)

    def listing(self, container: Optional[str] = None,
                **params: str) -> Iterator[Dict]:
        """Every row of an account or container listing (JSON pages)."""
        marker = params.pop('marker', '')
        while True:
            query = dict(params, format='json', marker=marker)
            resp = self.request('GET', container, params={
                k: v for k, v in query.items() if v not in (None, '')})
            rows = resp.json() if resp.status_code == 200 else []
            if not rows:
                return
            yield from rows
            marker = rows[-1].get('name') or rows[-1].get('subdir')


def check_etag(resp, expected: str) -> None:
    """The cluster must have stored what was sent (its ETag says what it
    stored)."""
    etag = (resp.headers.get('Etag') or '').strip('"')
    if etag and etag != expected:
        raise ClientError('md5 mismatch: sent %s, the cluster stored %s'
                          % (expected, etag))

"""What the account, container and object controllers share: backend
requests to the nodes of a partition, answers chosen by quorum, reads from
the first good node, and cached account/container info."""
from __future__ import annotations

import os
import time
from typing import Any, Callable, Dict, List, Optional, Tuple

from webob import Request, Response

from swiftlike.common import constraints
from swiftlike.common.backend_http import BackendError, backend_request
from swiftlike.common.backend_request import make_response, text_error
from swiftlike.common.concurrency import Queue, QueueEmpty, spawn
from swiftlike.common.info import (
    account_cache_key,
    account_info_from_headers,
    container_cache_key,
    container_info_from_headers,
)
from swiftlike.common.timestamps import Timestamp
from swiftlike.common.utils import quorum_size
from swiftlike.proxy.error_limiter import iter_nodes, node_key
from swiftlike.proxy.quorum import best_response

Result = Tuple[int, Dict[str, str], bytes]
#: Client request headers the proxy passes on to the storage servers.
FORWARDED_PREFIXES = ('x-backend-', 'x-account-meta-', 'x-container-meta-',
                      'x-object-meta-', 'x-account-sysmeta-',
                      'x-container-sysmeta-', 'x-object-sysmeta-',
                      'x-object-transient-sysmeta-')
FORWARDED_HEADERS = ('x-container-read', 'x-container-write',
                     'x-container-sync-key', 'x-container-sync-to',
                     'x-versions-location', 'x-history-location',
                     'content-type', 'etag', 'x-delete-at', 'if-none-match',
                     'if-match', 'if-modified-since', 'if-unmodified-since',
                     'range', 'x-newest', 'content-disposition',
                     'content-encoding', 'x-object-manifest',
                     'x-static-large-object', 'cache-control',
                     'content-language', 'expires', 'x-robots-tag',
                     'accept')
#: X-Remove-<header> asks to delete <header>: sent on as an empty value.
REMOVE_PREFIX = 'x-remove-'
#: Headers only account owners may set or see (Swift's privileged
#: headers): ACLs, sync settings and temp URL keys.
PRIVILEGED_HEADERS = ('x-account-access-control',
                      'x-account-meta-temp-url-key',
                      'x-account-meta-temp-url-key-2',
                      'x-container-read', 'x-container-write',
                      'x-container-sync-key', 'x-container-sync-to',
                      'x-container-meta-temp-url-key',
                      'x-container-meta-temp-url-key-2')
#: Where the account ACL is kept on the account servers.
ACCOUNT_ACL_SYSMETA = 'X-Account-Sysmeta-Core-Access-Control'
#: Backend answer headers a client never sees.
HIDDEN_ANSWER_HEADERS = ('connection', 'date', 'transfer-encoding',
                         'server', 'content-length')


#: where a node's answer says how new its data is, most precise first
TIMESTAMP_HEADERS = ('X-Backend-Data-Timestamp', 'X-Backend-Timestamp',
                     'X-Put-Timestamp', 'X-Timestamp')


def source_timestamp(resp) -> Optional[Timestamp]:
    """How new a node's answer is (X-Newest picks the newest)."""
    if hasattr(resp, 'getheader'):
        lookup = resp.getheader
    else:
        lowered = {k.lower(): v for k, v in resp.items()}
        lookup = lambda name: lowered.get(name.lower())  # noqa: E731
    for name in TIMESTAMP_HEADERS:
        value = lookup(name)
        if value:
            try:
                return Timestamp(value)
            except ValueError:
                continue
    return None


def resumable_span(resp) -> Optional[Tuple[int, int]]:
    """(first, last) byte of the object a 200 or single-range 206 answer
    carries; None when it cannot be resumed (multipart, no length)."""
    length = resp.getheader('Content-Length')
    if resp.status == 200 and length is not None:
        return 0, int(length) - 1
    content_range = resp.getheader('Content-Range') or ''
    if resp.status == 206 and content_range.startswith('bytes '):
        first, _, rest = content_range[6:].partition('-')
        last = rest.partition('/')[0]
        if first.isdigit() and last.isdigit():
            return int(first), int(last)
    return None


def collect_answers(calls: List[Callable[[], Any]], quorum: int,
                    grace: float, status_of: Callable[[Any], int]
                    ) -> List[Any]:
    """Run ``calls`` at once and gather what they return (None results are
    dropped); once ``quorum`` answers share a status class, the others get
    ``grace`` more seconds (post_quorum_timeout) and are left behind after.
    """
    queue = Queue()

    def run(call: Callable[[], Any]) -> None:
        try:
            queue.put(call())
        except Exception:  # a straggler must never kill the request
            queue.put(None)
            raise

    for call in calls:
        spawn(run, call)
    answers: List[Any] = []
    deadline = None
    for _ in calls:
        timeout = None if deadline is None else \
            max(0.0, deadline - time.monotonic())
        try:
            answer = queue.get(timeout=timeout)
        except QueueEmpty:
            break
        if answer is not None:
            answers.append(answer)
        classes = [status_of(a) // 100 for a in answers]
        if deadline is None and any(classes.count(c) >= quorum
                                    for c in classes):
            deadline = time.monotonic() + grace
    return answers


def client_headers(headers: Dict[str, str], owner: bool = True
                   ) -> Dict[str, str]:
    """Backend answer headers fit for a client (no X-Backend-*, and no
    privileged headers unless the client owns the account)."""
    return {k: v for k, v in headers.items()
            if not k.lower().startswith('x-backend-') and
            k.lower() not in HIDDEN_ANSWER_HEADERS and
            (owner or k.lower() not in PRIVILEGED_HEADERS)}


def is_owner(req: Request) -> bool:
    """Set by the auth middleware; with none in the pipeline, everyone
    is (Swift's rule)."""
    return bool(req.environ.get('swift_owner')) or \
        'swift.authorize' not in req.environ


class Controller:
    server_type = 'Base'

    def __init__(self, app, account: str, container: Optional[str] = None,
                 obj: Optional[str] = None) -> None:
        self.app = app
        self.account = account
        self.container = container
        self.obj = obj

    # -- requests to storage nodes ----------------------------------------
    def backend_headers(self, req: Request,
                        extra: Optional[Dict[str, str]] = None
                        ) -> Dict[str, str]:
        """The client's forwardable headers plus the proxy's own."""
        owner = is_owner(req)

        def forwarded(name: str) -> bool:
            name = name.lower()
            return (name.startswith(FORWARDED_PREFIXES) or
                    name in FORWARDED_HEADERS) and \
                (owner or name not in PRIVILEGED_HEADERS)

        headers = {k: v for k, v in req.headers.items() if forwarded(k)}
        for key in req.headers:
            if key.lower().startswith(REMOVE_PREFIX):
                target = 'X-' + key[len(REMOVE_PREFIX):]
                if forwarded(target):
                    headers[target] = ''
        headers.update({
            'X-Trans-Id': req.environ.get('swift.trans_id', '-'),
            'Connection': 'close',
            'User-Agent': 'proxy-server %d' % os.getpid(),
            'Referer': '%s %s' % (req.method, req.path_url)})
        headers.update(extra or {})
        return headers

    def node_request(self, node: Dict, part: int, method: str, path: str,
                     headers: Dict[str, str], body: bytes = b'',
                     query: str = '') -> Optional[Result]:
        """One backend request; None (and the node's error counted) when
        the node cannot be reached or answers 5xx."""
        try:
            result = backend_request(
                node['ip'], node['port'], method,
                '/%s/%d%s' % (node['device'], part, path), headers, body,
                self.app.conn_timeout, self.app.node_timeout, query)
        except BackendError as err:
            self.app.logger.error('ERROR with %s server %s: %s',
                                  self.server_type, node_key(node), err)
            self.app.limiter.error_occurred(node)
            return None
        status = result[0]
        if status == 507:
            self.app.limiter.insufficient_storage(node)
        elif status >= 500:
            self.app.limiter.error_occurred(node)
        return result

    def node_iter(self, ring, part: int):
        primaries = ring.get_part_nodes(part)
        return iter_nodes(primaries, ring.get_more_nodes(part),
                          self.app.limiter,
                          self.app.request_node_count(len(primaries)))

    def make_requests(self, ring, part: int, method: str, path: str,
                      headers_list: List[Dict[str, str]], body: bytes = b''
                      ) -> List[Result]:
        """One request per header set (one per primary), in parallel, each
        walking the shared node iterator until it gets a non-5xx answer;
        a request that runs out of nodes counts as a 503."""
        nodes = self.node_iter(ring, part)

        def one(headers: Dict[str, str]) -> Result:
            for node in nodes:
                result = self.node_request(node, part, method, path,
                                           headers, body)
                if result is not None and result[0] < 500:
                    return result
            return 503, {}, b''

        results = collect_answers(
            [lambda headers=headers: one(headers)
             for headers in headers_list],
            quorum_size(len(headers_list)), self.app.post_quorum_timeout,
            lambda result: result[0])
        return results + [(503, {}, b'')] * (len(headers_list) -
                                             len(results))

    def best(self, results: List[Result], replicas: int,
             overrides: Optional[Dict[int, int]] = None) -> Response:
        """The client's answer from the replicas' answers (503 without a
        quorum)."""
        choice = best_response([r[0] for r in results],
                               quorum_size(replicas), overrides)
        if choice is None:
            return make_response(503)
        index, status = choice
        _, headers, body = results[index]
        return make_response(status, body or None,
                             client_headers(headers),
                             content_type=headers.get('Content-Type'))

    def first_good(self, method: str, ring, part: int, path: str,
                   headers: Dict[str, str], query: str = '',
                   newest: bool = False) -> Result:
        """The first answer that is not a 404 or a 5xx from the nodes in
        turn (a 412 or 400 is about the request, not the node); with
        ``newest`` (X-Newest) every node is asked and the newest good
        answer wins. Otherwise the best of what came back."""
        collected: List[Result] = []
        good: List[Result] = []
        for node in self.node_iter(ring, part):
            result = self.node_request(node, part, method, path, headers,
                                       query=query)
            if result is None:
                continue
            if result[0] < 500 and result[0] != 404:
                if not newest:
                    return result
                good.append(result)
                continue
            collected.append(result)
        if good:
            return max(good, key=lambda r: source_timestamp(r[1]) or
                       Timestamp(0))
        if not collected:
            return 503, {}, b''
        return min(collected, key=lambda r: (r[0] >= 500, r[0]))

    def check_metadata(self, req: Request) -> None:
        """Swift's metadata limits for account and container writes."""
        problem = constraints.check_metadata(req.headers,
                                             self.server_type.lower())
        if problem:
            raise text_error(400, problem)

    # -- authorization -----------------------------------------------------
    def authorize(self, req: Request, acl: Optional[str] = None
                  ) -> Optional[Response]:
        """Ask the auth middleware (if any): None means go ahead."""
        callback = req.environ.get('swift.authorize')
        if callback is None:
            return None
        req.environ['swift.acl'] = acl
        # the account ACL is fetched only if the auth middleware needs it
        req.environ['swift.get_account_info'] = \
            lambda: self.account_info(req)
        return callback(req)

    # -- account and container info ---------------------------------------
    def info_cache(self, req: Request):
        """memcache when the pipeline has it, else the worker's own cache
        (same calls, same lifetimes)."""
        return req.environ.get('swift.cache') or self.app.info_cache

    def forget_info(self, req: Request, container: bool = True) -> None:
        """Drop cached info after a write that changes it."""
        key = container_cache_key(self.account, self.container) \
            if container and self.container else \
            account_cache_key(self.account)
        self.info_cache(req).delete(key)

    def container_info(self, req: Request) -> Dict[str, Any]:
        """Status, partition, nodes, policy index, ACLs and metadata of the
        container; only 2xx answers are cached (a 404 may be created by
        another proxy any moment)."""
        part, nodes = self.app.container_ring.get_nodes(self.account,
                                                        self.container)
        key = container_cache_key(self.account, self.container)
        cache = self.info_cache(req)
        info = cache.get(key)
        if info is None:
            status, headers, _ = self._head(
                req, self.app.container_ring, part,
                '/%s/%s' % (self.account, self.container))
            info = container_info_from_headers(status, headers)
            if 200 <= status < 300:
                cache.set(key, info, self.app.recheck_container_existence)
        return dict(info, partition=part, nodes=nodes)

    def account_info(self, req: Request) -> Dict[str, Any]:
        part, nodes = self.app.account_ring.get_nodes(self.account)
        key = account_cache_key(self.account)
        cache = self.info_cache(req)
        info = cache.get(key)
        if info is None:
            status, headers, _ = self._head(req, self.app.account_ring, part,
                                            '/%s' % self.account)
            info = account_info_from_headers(status, headers)
            if 200 <= status < 300:
                cache.set(key, info, self.app.recheck_account_existence)
        return dict(info, partition=part, nodes=nodes)

    def autocreate_account(self, req: Request) -> bool:
        """With ``account_autocreate``, create a missing account (every
        request of a new user starts this way); True if it exists now."""
        info = self.account_info(req)
        if info['status'] // 100 == 2:
            return True
        if info['status'] != 404 or not self.app.account_autocreate:
            return False
        headers = {'X-Timestamp': Timestamp.now().internal,
                   'X-Trans-Id': req.environ.get('swift.trans_id', '-')}
        results = self.make_requests(self.app.account_ring, info['partition'],
                                     'PUT', '/%s' % self.account,
                                     [headers] * len(info['nodes']))
        self.forget_info(req, container=False)
        return best_response([r[0] for r in results],
                             quorum_size(len(info['nodes']))) is not None

    def _head(self, req: Request, ring, part: int, path: str) -> Result:
        """A HEAD for info, carrying only the proxy's own headers."""
        headers = {k: v for k, v in self.backend_headers(req).items()
                   if k in ('X-Trans-Id', 'Connection', 'User-Agent',
                            'Referer')}
        return self.first_good('HEAD', ring, part, path, headers)

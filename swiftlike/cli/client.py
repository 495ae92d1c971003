"""``swiftlike`` — the command-line client, with the verbs and options
users know from python-swiftclient's ``swift``.

Credentials: ``-A/--auth``, ``-U/--user``, ``-K/--key``, or ST_AUTH,
ST_USER, ST_KEY; or a token and storage URL from an earlier ``auth``
(OS_AUTH_TOKEN, OS_STORAGE_URL). Exit status 0 when everything worked, 1
otherwise (each failure on stderr), 2 for bad usage.
"""
from __future__ import annotations

import contextlib
import hashlib
import itertools
import os
import sys
import threading
import time
from typing import Dict, List, Optional
from urllib.parse import quote, unquote, urlencode, urlparse

from swiftlike.cli.client_args import parser
from swiftlike.cli.client_format import (
    account_rows,
    container_line,
    container_rows,
    format_rows,
    object_line,
    object_rows,
    totals_line,
)
from swiftlike.cli.client_http import (
    CHUNK,
    ClientError,
    Connection,
    check_etag,
    in_threads,
)
from swiftlike.cli.client_progress import Progress, ProgressReader
from swiftlike.cli.client_segments import (
    delete_segments,
    manifest_segments,
    upload_segments,
)
from swiftlike.common.fs import file_md5
from swiftlike.common.tempurl_signing import (
    SignatureError,
    parse_expires,
    signature,
)


def headers_from(pairs: List[str], prefix: str = '') -> Dict[str, str]:
    """``Name:value`` options -> headers (``prefix`` for -m metadata)."""
    out = {}
    for pair in pairs or []:
        name, sep, value = pair.partition(':')
        if not sep:
            raise ClientError('bad header or metadata %r (want name:value)'
                              % pair)
        out[prefix + name.strip()] = value.strip()
    return out


class Client:
    def __init__(self, conn: Connection, out=sys.stdout,
                 err=sys.stderr) -> None:
        self.conn = conn
        self.out = out
        self.err = err
        self.failures = 0
        #: transfers run in threads: one whole line at a time
        self.lock = threading.Lock()

    def say(self, text: str = '') -> None:
        with self.lock:
            self.out.write(text + '\n')

    def fail(self, text: str) -> None:
        with self.lock:
            self.failures += 1
            self.err.write(text + '\n')

    # -- verbs -----------------------------------------------------------
    def auth(self, args) -> None:
        url, token = (self.conn.url, self.conn.token) if self.conn.url \
            else self.conn.authenticate()
        self.say('export OS_STORAGE_URL=%s' % url)
        self.say('export OS_AUTH_TOKEN=%s' % token)

    def stat(self, args) -> None:
        resp = self.conn.request('HEAD', args.container, args.object)
        account = urlparse(self.conn.url).path.rstrip('/').rsplit('/', 1)[-1]
        if args.object:
            rows = object_rows(account, args.container, args.object,
                               resp.headers, args.lh)
        elif args.container:
            rows = container_rows(account, args.container, resp.headers,
                                  args.lh)
        else:
            rows = account_rows(account, resp.headers, args.lh)
        for line in format_rows(rows, skip_missing=bool(args.object)):
            self.say(line)

    def list(self, args) -> None:
        params = {'prefix': args.prefix or '',
                  'delimiter': args.delimiter or ''}
        long = args.long or args.lh or args.totals
        total_bytes = total_count = 0
        rows = self.conn.listing(args.container, **params)
        if long and not args.container and not args.totals:
            rows = self._with_heads(rows)
        for row in rows:
            total_bytes += row.get('bytes', 0)
            total_count += row.get('count', 0)
            if args.totals:
                continue
            if not long:
                self.say(row.get('name') or row.get('subdir'))
            elif args.container:
                self.say(object_line(row, args.lh))
            else:
                self.say(container_line(row, args.lh, row['head']))
        if long:
            self.say(totals_line(total_count, total_bytes,
                                 bool(args.container), args.lh))

    def _with_heads(self, rows, threads: int = 10):
        """Listing rows, each with its container's HEAD answer (``head``),
        asked ``threads`` at a time, in the listing's order."""
        def head(row):
            try:
                found = self.conn.request('HEAD', row['name']).headers
            except ClientError:
                found = {}
            return dict(row, head=found)
        rows = iter(rows)
        while True:  # a page at a time: an account may be huge
            page = list(itertools.islice(rows, 100))
            if not page:
                return
            yield from in_threads(head, page, threads)

    def upload(self, args) -> None:
        files = []
        for path in args.files:
            if os.path.isdir(path):
                for root, _, names in os.walk(path):
                    files += [os.path.join(root, n) for n in sorted(names)]
            else:
                files.append(path)
        try:
            self.conn.request('PUT', args.container)
        except ClientError as err:
            if err.status != 403:  # may exist already, made by someone
                raise
        def one(path: str) -> None:
            name = args.object_name if args.object_name and \
                len(files) == 1 else os.path.normpath(path).lstrip('/')
            try:
                if self._upload_one(args, path, name):
                    self.say(name)
            except (ClientError, OSError) as err:
                self.fail('Error uploading %s: %s' % (path, err))

        in_threads(one, files, args.object_threads)

    def _upload_one(self, args, path: str, name: str) -> bool:
        """Upload one file; False when it was already there. The segments
        of a large object it replaces are deleted afterwards."""
        size = os.path.getsize(path)
        mtime = '%f' % os.path.getmtime(path)
        current = None
        if args.skip_identical or args.changed or not args.leave_segments:
            current = self._head(args.container, name)
        if current is not None:
            etag = (current.get('Etag') or '').strip('"')
            if args.skip_identical and etag == file_md5(path):
                return False
            if args.changed and current.get('X-Object-Meta-Mtime') == \
                    mtime and int(current.get('Content-Length', -1)) == size:
                return False
        old = [] if current is None or args.leave_segments else \
            manifest_segments(self.conn, args.container, name, current)
        headers = dict(headers_from(args.header),
                       **{'X-Object-Meta-Mtime': mtime})
        progress = Progress(name, size)
        if args.segment_size and size > args.segment_size:
            new = upload_segments(self.conn, args, path, name, size,
                                  args.segment_size, progress, headers,
                                  self.say)
        else:
            new = set()
            with open(path, 'rb') as f:
                body = ProgressReader(f, progress)
                resp = self.conn.request('PUT', args.container, name,
                                         headers=headers, data=body)
            if not args.ignore_checksum:
                check_etag(resp, body.md5.hexdigest())
        for line in delete_segments(self.conn, [s for s in old
                                                if s[0] not in new]):
            self.fail(line)
        return True

    def _head(self, container: str, name: str):
        """An object's headers, or None when there is no such object."""
        try:
            return self.conn.request('HEAD', container, name).headers
        except ClientError as err:
            if err.status != 404:
                raise
            return None

    def download(self, args) -> None:
        containers = [args.container] if args.container else \
            [c['name'] for c in self.conn.listing()] if args.all else []
        if not containers:
            raise ClientError('name a container, or use --all')
        for container in containers:
            names = args.objects or [
                r['name'] for r in self.conn.listing(
                    container, prefix=args.prefix or '') if 'name' in r]

            def one(name: str, container: str = container,
                    count: int = len(names)) -> None:
                target = args.output if args.output and count == 1 \
                    else os.path.join(container, name) if args.all else name
                try:
                    self._download_one(args, container, name, target)
                    self.say(name)
                except (ClientError, OSError) as err:
                    self.fail('Error downloading %s: %s' % (name, err))
            in_threads(one, names, args.object_threads)

    def _download_one(self, args, container: str, name: str,
                      target: str) -> None:
        if args.skip_identical and os.path.isfile(target):
            head = self._head(container, name) or {}
            if (head.get('Etag') or '').strip('"') == file_md5(target):
                return
        resp = self.conn.request('GET', container, name, stream=True)
        if os.path.dirname(target):
            os.makedirs(os.path.dirname(target), exist_ok=True)
        tmp = target + '.swiftlike-part'
        try:
            self._receive(args, resp, name, tmp)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
        os.replace(tmp, target)

    @staticmethod
    def _receive(args, resp, name: str, tmp: str) -> None:
        """The body into ``tmp``, checked against the object's ETag (a
        large object's ETag is not the MD5 of its bytes, so large objects
        are not checked)."""
        progress = Progress(name, int(resp.headers.get('Content-Length', 0)))
        manifest = 'X-Static-Large-Object' in resp.headers or \
            'X-Object-Manifest' in resp.headers
        etag = (resp.headers.get('Etag') or '').strip('"')
        # hashing is most of a download's CPU: only when it is compared
        md5 = hashlib.md5(usedforsecurity=False) if etag and not (
            manifest or args.ignore_checksum) else None
        with open(tmp, 'wb') as f:
            for chunk in resp.iter_content(CHUNK):
                f.write(chunk)
                if md5 is not None:
                    md5.update(chunk)
                progress.add(len(chunk))
        if md5 is not None and md5.hexdigest() != etag:
            raise ClientError('md5sum != etag, %s != %s'
                              % (md5.hexdigest(), etag))

    def delete(self, args) -> None:
        if args.all:
            containers = [c['name'] for c in self.conn.listing()]
        elif args.container:
            containers = [args.container]
        else:
            raise ClientError('name a container, or use --all')
        bulk = self._bulk_limit()
        for container in containers:
            rows = [{'name': n} for n in args.objects] if args.objects \
                else list(self.conn.listing(container))
            one_by_one = rows
            if bulk and not args.objects:
                # in bulk: what cannot be a manifest (SLOs say so in the
                # listing; a DLO manifest is an empty object)
                plain = [r for r in rows if 'slo_etag' not in r and
                         (r.get('bytes') or args.leave_segments)]
                self._bulk_delete(container, [r['name'] for r in plain],
                                  bulk, args.object_threads)
                one_by_one = [r for r in rows if r not in plain]
            in_threads(lambda row, c=container: self._delete_object(
                args, c, row['name']), one_by_one, args.object_threads)
            if not args.objects:
                try:
                    self.conn.request('DELETE', container)
                    self.say(container)
                except ClientError as err:
                    self.fail('Error deleting container %s: %s'
                              % (container, err))

    def _delete_object(self, args, container: str, name: str) -> None:
        """One object, and the segments of a dynamic manifest (a static
        one's go with ``multipart-manifest=delete``)."""
        try:
            old = []
            if not args.leave_segments:
                current = self._head(container, name)
                if current is not None and \
                        current.get('X-Object-Manifest'):
                    old = manifest_segments(self.conn, container, name,
                                            current)
            self.conn.request('DELETE', container, name, params=None if
                              args.leave_segments else {
                                  'multipart-manifest': 'delete'})
            self.say(name)
        except ClientError as err:
            self.fail('Error deleting %s/%s: %s' % (container, name, err))
            return
        for line in delete_segments(self.conn, old):
            self.fail(line)

    def _bulk_limit(self) -> int:
        """max_deletes_per_request when the cluster offers bulk delete."""
        try:
            info = self.conn.info()
        except ClientError:
            return 0
        return int(info.get('bulk_delete', {}).get(
            'max_deletes_per_request', 0))

    def _bulk_delete(self, container: str, names: List[str],
                     limit: int, threads: int) -> None:
        """A container's objects in ?bulk-delete requests, ``threads`` of
        them at once (as swift does), so that several proxy workers share
        the work; each request at most ``limit`` objects."""
        if not names:
            return
        size = max(1, min(limit, -(-len(names) // max(1, threads))))

        def one(batch: List[str]) -> None:
            paths = {'/%s/%s' % (quote(container.encode('utf-8'), safe=''),
                                 quote(n.encode('utf-8'), safe='/')): n
                     for n in batch}
            try:
                report = self.conn.request(
                    'POST', params={'bulk-delete': ''},
                    headers={'Content-Type': 'text/plain',
                             'Accept': 'application/json'},
                    data='\n'.join(paths).encode()).json()
            except (ClientError, ValueError) as err:
                self.fail('Error deleting %d objects of %s: %s'
                          % (len(batch), container, err))
                return
            failed = set()
            for path, status in report.get('Errors', []):
                failed.add(paths.get(path, paths.get(quote(path, safe='/'))))
                self.fail('Error deleting %s: %s' % (unquote(path), status))
            for name in batch:
                if name not in failed:
                    self.say(name)
        in_threads(one, [names[i:i + size]
                         for i in range(0, len(names), size)], threads)

    def post(self, args) -> None:
        kind = 'Object' if args.object else 'Container' if args.container \
            else 'Account'
        headers = headers_from(args.meta, 'X-%s-Meta-' % kind)
        headers.update(headers_from(args.header))
        if args.read_acl is not None:
            headers['X-Container-Read'] = args.read_acl
        if args.write_acl is not None:
            headers['X-Container-Write'] = args.write_acl
        try:
            self.conn.request('POST', args.container, args.object,
                              headers=headers)
        except ClientError as err:
            if err.status != 404 or args.object or not args.container:
                raise
            self.conn.request('PUT', args.container, headers=headers)

    def copy(self, args) -> None:
        """Server-side copy; onto itself without ``-d`` (to change its
        metadata), and into a destination container made if need be (as
        swift does, saying so)."""
        headers = headers_from(args.meta, 'X-Object-Meta-')
        if args.fresh_metadata:
            headers['X-Fresh-Metadata'] = 'true'
        destination = '/%s/%s' % (args.container, args.object)
        if args.destination:
            dest_container, _, dest_object = \
                args.destination.lstrip('/').partition('/')
            destination = '/%s/%s' % (dest_container,
                                      dest_object or args.object)
            self.conn.request('PUT', dest_container)
            self.say('created container %s' % dest_container)
        headers['Destination'] = quote(destination)
        self.conn.request('COPY', args.container, args.object,
                          headers=headers)
        self.say('%s/%s copied to %s' % (args.container, args.object,
                                         destination if args.destination
                                         else '<self>'))

    def capabilities(self, args) -> None:
        """/info as swift prints it: the core's options, then each
        middleware with its own."""
        info = self.conn.info()
        self.say('Core: swift')
        self._options(info.pop('swift', {}))
        for name in sorted(info):
            self.say('Additional middleware: %s' % name)
            self._options(info[name])

    def _options(self, options) -> None:
        if options:
            self.say(' Options:')
            for key, value in sorted(options.items()):
                self.say('  %s: %s' % (key, value))


class UsageError(Exception):
    """The command line asks for something impossible (exit status 2)."""


def temp_url(args) -> str:
    """``swiftlike tempurl``: the signed path, as the tempurl middleware
    checks it (the signature is computed by the middleware's own code)."""
    try:
        expires = parse_expires(args.seconds)
    except SignatureError:
        raise UsageError('seconds must be a whole number of seconds or an '
                         'ISO 8601 time (YYYY-MM-DDTHH:MM:SSZ)') from None
    if expires < 0:
        raise UsageError('seconds must not be negative')
    if not args.absolute and args.seconds.isdigit():
        expires += int(time.time())
    parts = args.path.split('/', 4)
    if len(parts) < 5 or parts[0] or not all(parts[1:4]) or \
            not (parts[4] or args.prefix_based):
        raise UsageError('path must be the full path to an object, e.g. '
                         '/v1/AUTH_account/c/o%s' % (
                             ' (or a prefix, /v1/AUTH_account/c/p)'
                             if args.prefix_based else ''))
    signed = 'prefix:' + args.path if args.prefix_based else args.path
    sig = signature(args.key, args.method.upper(), expires, signed,
                    args.digest, args.ip_range).hex()
    query = [('temp_url_sig', sig), ('temp_url_expires', time.strftime(
        '%Y-%m-%dT%H:%M:%SZ', time.gmtime(expires)) if args.iso8601
        else str(expires))]
    if args.prefix_based:
        query.append(('temp_url_prefix', parts[4]))
    if args.ip_range:
        query.append(('temp_url_ip_range', args.ip_range))
    return '%s?%s' % (args.path, urlencode(query, safe=':'))


def connect(args) -> Connection:
    if args.auth_version not in ('1', '1.0'):
        raise UsageError('only auth version 1.0 is spoken (-V 1.0)')
    conn = Connection(args.auth_url, args.user, args.key,
                      timeout=args.timeout, storage_url=args.os_storage_url,
                      token=args.os_auth_token)
    if conn.url is None and not conn.can_authenticate:
        raise UsageError('give -A/-U/-K or set ST_AUTH, ST_USER and '
                         'ST_KEY (or OS_STORAGE_URL and OS_AUTH_TOKEN)')
    return conn


def main(argv: Optional[List[str]] = None) -> int:
    args = parser().parse_args(argv)
    try:
        if args.verb == 'tempurl':
            print(temp_url(args))
            return 0
        client = Client(connect(args))
        getattr(client, args.verb)(args)
    except UsageError as err:
        print('Error: %s' % err, file=sys.stderr)
        return 2
    except ClientError as err:
        print('Error: %s' % err, file=sys.stderr)
        return 1
    return 1 if client.failures else 0


if __name__ == '__main__':
    sys.exit(main())

"""``swiftlike`` — the command-line client, with the verbs and options
users know from python-swiftclient's ``swift``.

Credentials: ``-A/--auth``, ``-U/--user``, ``-K/--key``, or ST_AUTH,
ST_USER, ST_KEY. Exit status 0 when everything worked, 1 otherwise (each
failure on stderr), 2 for bad usage.
"""
from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import os
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Dict, List, Optional
from urllib.parse import quote, urlparse

from swiftlike.cli.client_http import CHUNK, ClientError, Connection

SEGMENT_SUFFIX = '_segments'
#: files smaller than this get no progress bar
PROGRESS_MIN = 8 * 1024 * 1024


def human(size: float) -> str:
    for unit in ('', 'K', 'M', 'G', 'T'):
        if size < 1024 or unit == 'T':
            return ('%d%s' % (size, unit)) if unit == '' else \
                ('%.1f%s' % (size, unit))
        size /= 1024.0
    return str(size)


def file_md5(path: str) -> str:
    md5 = hashlib.md5(usedforsecurity=False)
    with open(path, 'rb') as f:
        for block in iter(lambda: f.read(CHUNK), b''):
            md5.update(block)
    return md5.hexdigest()


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


class Progress:
    """A one-line progress bar on a terminal (nothing otherwise)."""

    def __init__(self, label: str, total: int, stream=sys.stderr) -> None:
        self.label = label
        self.total = max(total, 1)
        self.done = 0
        self.stream = stream
        self.active = stream.isatty() and total >= PROGRESS_MIN

    def add(self, count: int) -> None:
        if not self.active:
            return
        self.done += count
        width = 30
        filled = int(width * self.done / self.total)
        self.stream.write('\r%s [%s%s] %3d%%' % (
            self.label[-40:], '#' * filled, ' ' * (width - filled),
            100 * self.done // self.total))
        if self.done >= self.total:
            self.stream.write('\n')
        self.stream.flush()


class ProgressReader:
    """A file whose reads move a progress bar (requests streams it)."""

    def __init__(self, f, progress: Progress) -> None:
        self.f = f
        self.progress = progress
        self.len = os.fstat(f.fileno()).st_size - f.tell()

    def read(self, size: int = -1) -> bytes:
        data = self.f.read(size)
        self.progress.add(len(data))
        return data


class Client:
    def __init__(self, conn: Connection, out=sys.stdout,
                 err=sys.stderr) -> None:
        self.conn = conn
        self.out = out
        self.err = err
        self.failures = 0

    def say(self, text: str = '') -> None:
        print(text, file=self.out)

    def fail(self, text: str) -> None:
        self.failures += 1
        print(text, file=self.err)

    # -- verbs -----------------------------------------------------------
    def auth(self, args) -> None:
        url, token = self.conn.authenticate()
        self.say('export OS_STORAGE_URL=%s' % url)
        self.say('export OS_AUTH_TOKEN=%s' % token)

    def stat(self, args) -> None:
        resp = self.conn.request('HEAD', args.container, args.object)
        h = resp.headers
        if args.object:
            rows = [('Account', urlparse(self.conn.url).path.split('/')[2]),
                    ('Container', args.container), ('Object', args.object),
                    ('Content Type', h.get('Content-Type')),
                    ('Content Length', h.get('Content-Length')),
                    ('Last Modified', h.get('Last-Modified')),
                    ('ETag', (h.get('Etag') or '').strip('"'))]
            if h.get('X-Object-Manifest'):
                rows.append(('Manifest', h['X-Object-Manifest']))
        elif args.container:
            rows = [('Container', args.container),
                    ('Objects', h.get('X-Container-Object-Count')),
                    ('Bytes', h.get('X-Container-Bytes-Used')),
                    ('Read ACL', h.get('X-Container-Read', '')),
                    ('Write ACL', h.get('X-Container-Write', '')),
                    ('Storage Policy', h.get('X-Storage-Policy', ''))]
        else:
            rows = [('Account', urlparse(self.conn.url).path.split('/')[2]),
                    ('Containers', h.get('X-Account-Container-Count')),
                    ('Objects', h.get('X-Account-Object-Count')),
                    ('Bytes', h.get('X-Account-Bytes-Used'))]
        prefix = ('x-object-meta-' if args.object else 'x-container-meta-'
                  if args.container else 'x-account-meta-')
        rows += [('Meta %s' % k[len(prefix):].title(), v)
                 for k, v in h.items() if k.lower().startswith(prefix)]
        width = max(len(k) for k, _ in rows)
        for key, value in rows:
            self.say('%s: %s' % (key.rjust(width), value))

    def list(self, args) -> None:
        params = {'prefix': args.prefix or '',
                  'delimiter': args.delimiter or ''}
        rows = list(self.conn.listing(args.container, **params))
        total_bytes = total_count = 0
        for row in rows:
            name = row.get('name') or row.get('subdir')
            size = row.get('bytes', 0)
            total_bytes += size
            total_count += row.get('count', 0)
            if not (args.long or args.lh) or 'subdir' in row:
                if not args.totals:
                    self.say(name)
                continue
            shown = human(size) if args.lh else str(size)
            if args.container:
                line = '%12s %s %s %s' % (
                    shown, row.get('last_modified', '')[:19].replace(
                        'T', ' '), row.get('content_type', '')[:24].ljust(
                        24), name)
            else:
                line = '%5d %12s %s %s' % (
                    row.get('count', 0), shown,
                    row.get('last_modified', '')[:19].replace('T', ' '),
                    name)
            if not args.totals:
                self.say(line)
        if args.totals or args.long or args.lh:
            total = human(total_bytes) if args.lh else str(total_bytes)
            self.say('%12s' % total if args.container else
                     '%5d %12s' % (total_count, total))

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

        with ThreadPoolExecutor(max_workers=args.object_threads) as pool:
            list(pool.map(one, files))

    def _upload_one(self, args, path: str, name: str) -> bool:
        """Upload one file; False when it was already there."""
        size = os.path.getsize(path)
        headers = headers_from(args.header)
        if args.skip_identical or args.changed:
            try:
                current = self.conn.request('HEAD', args.container, name)
                etag = (current.headers.get('Etag') or '').strip('"')
                if args.skip_identical and etag == file_md5(path):
                    return False
                if args.changed and int(current.headers.get(
                        'Content-Length', -1)) == size and \
                        current.headers.get('X-Object-Meta-Mtime') == \
                        '%f' % os.path.getmtime(path):
                    return False
            except ClientError as err:
                if err.status != 404:
                    raise
        headers['X-Object-Meta-Mtime'] = '%f' % os.path.getmtime(path)
        segment = args.segment_size
        if segment and size > segment:
            self._upload_segments(args, path, name, size, segment, headers)
            return True
        with open(path, 'rb') as f:
            self.conn.request('PUT', args.container, name, headers=headers,
                              data=ProgressReader(f, Progress(name, size)))
        return True

    def _upload_segments(self, args, path: str, name: str, size: int,
                         segment: int, headers: Dict[str, str]) -> None:
        container = args.container + SEGMENT_SUFFIX
        self.conn.request('PUT', container, ok=(2, 4))
        prefix = '%s/%s/%d/%d/' % (name, headers['X-Object-Meta-Mtime'],
                                   size, segment)
        manifest = []
        with open(path, 'rb') as f:
            for index in range((size + segment - 1) // segment):
                data = f.read(segment)
                seg_name = '%s%08d' % (prefix, index)
                resp = self.conn.request('PUT', container, seg_name,
                                         data=data)
                manifest.append({'path': '/%s/%s' % (container, seg_name),
                                 'etag': resp.headers['Etag'].strip('"'),
                                 'size_bytes': len(data)})
        if args.use_dlo:
            headers['X-Object-Manifest'] = quote('%s/%s' % (container,
                                                            prefix))
            self.conn.request('PUT', args.container, name, headers=headers,
                              data=b'')
            return
        self.conn.request('PUT', args.container, name, headers=headers,
                          params={'multipart-manifest': 'put'},
                          data=json.dumps(manifest))

    def download(self, args) -> None:
        containers = [args.container] if args.container else \
            [c['name'] for c in self.conn.listing()] if args.all else []
        if not containers:
            raise ClientError('name a container, or use --all')
        for container in containers:
            names = args.objects or [
                r['name'] for r in self.conn.listing(
                    container, prefix=args.prefix or '') if 'name' in r]
            for name in names:
                target = args.output if args.output and len(names) == 1 \
                    else os.path.join(container, name) if args.all else name
                try:
                    self._download_one(args, container, name, target)
                    self.say(name)
                except (ClientError, OSError) as err:
                    self.fail('Error downloading %s: %s' % (name, err))

    def _download_one(self, args, container: str, name: str,
                      target: str) -> None:
        if args.skip_identical and os.path.isfile(target):
            head = self.conn.request('HEAD', container, name)
            if (head.headers.get('Etag') or '').strip('"') == \
                    file_md5(target):
                return
        resp = self.conn.request('GET', container, name, stream=True)
        if os.path.dirname(target):
            os.makedirs(os.path.dirname(target), exist_ok=True)
        tmp = target + '.swiftlike-part'
        progress = Progress(name, int(resp.headers.get('Content-Length', 0)))
        with open(tmp, 'wb') as f:
            for chunk in resp.iter_content(CHUNK):
                f.write(chunk)
                progress.add(len(chunk))
        os.replace(tmp, target)

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
            names = [r['name'] for r in rows]
            if bulk and not args.objects:
                # SLOs one by one (their segments go too); the rest in bulk
                self._bulk_delete(container, [r['name'] for r in rows
                                              if 'slo_etag' not in r], bulk)
                names = [r['name'] for r in rows if 'slo_etag' in r]
            for name in names:
                try:
                    self.conn.request('DELETE', container, name,
                                      params={'multipart-manifest':
                                              'delete'}, ok=(2,))
                    self.say(name)
                except ClientError as err:
                    self.fail('Error deleting %s/%s: %s' % (container, name,
                                                            err))
            if not args.objects:
                try:
                    self.conn.request('DELETE', container)
                    self.say(container)
                except ClientError as err:
                    self.fail('Error deleting container %s: %s'
                              % (container, err))

    def _bulk_limit(self) -> int:
        """max_deletes_per_request when the cluster offers bulk delete."""
        base = urlparse(self.conn.auth_url)
        try:
            info = self.conn.session.get('%s://%s/info' % (
                base.scheme, base.netloc), timeout=self.conn.timeout).json()
        except (ValueError, OSError):
            return 0
        return int(info.get('bulk_delete', {}).get(
            'max_deletes_per_request', 0))

    def _bulk_delete(self, container: str, names: List[str],
                     limit: int) -> None:
        """A container's objects in ?bulk-delete requests."""
        paths = ['/%s/%s' % (quote(container.encode('utf-8'), safe=''),
                             quote(n.encode('utf-8'), safe='/'))
                 for n in names]
        for start in range(0, len(paths), limit):
            resp = self.conn.request(
                'POST', params={'bulk-delete': ''},
                headers={'Content-Type': 'text/plain',
                         'Accept': 'application/json'},
                data='\n'.join(paths[start:start + limit]).encode())
            report = resp.json()
            for path, status in report.get('Errors', []):
                self.fail('Error deleting %s: %s' % (path, status))
            for path in paths[start:start + limit]:
                self.say(path.split('/', 2)[2])

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
        destination = args.destination or '/%s/%s' % (args.container,
                                                      args.object)
        headers = headers_from(args.meta, 'X-Object-Meta-')
        headers['Destination'] = quote(destination)
        if args.fresh_metadata:
            headers['X-Fresh-Metadata'] = 'true'
        self.conn.request('COPY', args.container, args.object,
                          headers=headers)
        self.say('%s/%s copied to %s' % (args.container, args.object,
                                         destination))

    def capabilities(self, args) -> None:
        base = urlparse(args.auth_url)
        url = '%s://%s/info' % (base.scheme, base.netloc)
        resp = self.conn.session.get(url, timeout=self.conn.timeout)
        if resp.status_code != 200:
            raise ClientError('GET %s failed: %d' % (url, resp.status_code),
                              resp.status_code)
        info = resp.json()
        self.say('Core: swift')
        self.say('Options:')
        for key, value in sorted(info.pop('swift', {}).items()):
            self.say(' %s: %s' % (key, value))
        self.say('Additional middleware: %s' % ', '.join(sorted(info))
                 if info else 'Additional middleware: none')

    def tempurl(self, args) -> None:
        expires = int(time.time()) + int(args.seconds) \
            if not args.absolute else int(args.seconds)
        body = '%s\n%d\n%s' % (args.method.upper(), expires, args.path)
        sig = hmac.new(args.key.encode(), body.encode(),
                       getattr(hashlib, args.digest)).hexdigest()
        self.say('%s?temp_url_sig=%s&temp_url_expires=%d' % (
            args.path, sig, expires))


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog='swiftlike', description=__doc__.
                                  splitlines()[0])
    top.add_argument('-A', '--auth', dest='auth_url',
                     default=os.environ.get('ST_AUTH'))
    top.add_argument('-U', '--user', default=os.environ.get('ST_USER'))
    top.add_argument('-K', '--key', default=os.environ.get('ST_KEY'))
    verbs = top.add_subparsers(dest='verb', required=True)
    verbs.add_parser('auth')
    p = verbs.add_parser('stat')
    p.add_argument('container', nargs='?')
    p.add_argument('object', nargs='?')
    p = verbs.add_parser('list')
    p.add_argument('container', nargs='?')
    p.add_argument('--long', '-l', action='store_true')
    p.add_argument('--lh', action='store_true')
    p.add_argument('--prefix', '-p')
    p.add_argument('--delimiter', '-d')
    p.add_argument('--totals', '-t', action='store_true')
    p = verbs.add_parser('upload')
    p.add_argument('container')
    p.add_argument('files', nargs='+')
    p.add_argument('--object-name')
    p.add_argument('--segment-size', '-S', type=int)
    p.add_argument('--use-dlo', action='store_true')
    p.add_argument('--use-slo', action='store_true',
                   help='(the default with --segment-size)')
    p.add_argument('--header', '-H', action='append')
    p.add_argument('--skip-identical', action='store_true')
    p.add_argument('--changed', '-c', action='store_true')
    p.add_argument('--object-threads', type=int, default=10,
                   help='files uploaded at once')
    p = verbs.add_parser('download')
    p.add_argument('container', nargs='?')
    p.add_argument('objects', nargs='*')
    p.add_argument('--all', '-a', action='store_true')
    p.add_argument('--prefix', '-p')
    p.add_argument('--output', '-o')
    p.add_argument('--skip-identical', action='store_true')
    p = verbs.add_parser('delete')
    p.add_argument('container', nargs='?')
    p.add_argument('objects', nargs='*')
    p.add_argument('--all', '-a', action='store_true')
    p = verbs.add_parser('post')
    p.add_argument('container', nargs='?')
    p.add_argument('object', nargs='?')
    p.add_argument('--meta', '-m', action='append')
    p.add_argument('--header', '-H', action='append')
    p.add_argument('--read-acl', '-r')
    p.add_argument('--write-acl', '-w')
    p = verbs.add_parser('copy')
    p.add_argument('container')
    p.add_argument('object')
    p.add_argument('--destination', '-d')
    p.add_argument('--meta', '-m', action='append')
    p.add_argument('--fresh-metadata', action='store_true')
    verbs.add_parser('capabilities')
    p = verbs.add_parser('tempurl')
    p.add_argument('method')
    p.add_argument('seconds')
    p.add_argument('path')
    p.add_argument('key')
    p.add_argument('--digest', default='sha256',
                   choices=('sha1', 'sha256', 'sha512'))
    p.add_argument('--absolute', action='store_true')
    return top


def main(argv: Optional[List[str]] = None) -> int:
    args = parser().parse_args(argv)
    if args.verb == 'tempurl':
        Client(None).tempurl(args)
        return 0
    if not (args.auth_url and args.user and args.key):
        print('Error: give -A/-U/-K or set ST_AUTH, ST_USER and ST_KEY',
              file=sys.stderr)
        return 2
    client = Client(Connection(args.auth_url, args.user, args.key))
    try:
        getattr(client, args.verb)(args)
    except ClientError as err:
        print('Error: %s' % err, file=sys.stderr)
        return 1
    return 1 if client.failures else 0


if __name__ == '__main__':
    sys.exit(main())

"""Real servers for tests: xattr-capable device dirs, free ports, and
server processes started through their executables."""
from __future__ import annotations

import http.client
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
import uuid
from typing import Dict, Optional
from urllib.parse import quote

from tests.conftest import REPO_ROOT, cli_command

#: Set by .ci/run to a directory on a loop-mounted XFS (or a tmpfs).
DEVICES_ENV = 'SWIFTLIKE_TEST_DEVICES'
#: Metadata this large needs several xattrs: ext4 refuses it.
BIG_XATTR = 70000
DEADLINE = 20.0


def supports_big_xattrs(directory: str) -> bool:
    probe = os.path.join(directory, '.xattr-probe-%s' % uuid.uuid4().hex)
    open(probe, 'w').close()
    try:
        os.setxattr(probe, 'user.swift.metadata', b'x' * 65536)
        os.setxattr(probe, 'user.swift.metadata1', b'x' * 4464)
        return True
    except OSError:
        return False
    finally:
        os.unlink(probe)


def xattr_base() -> Optional[str]:
    """A directory whose filesystem keeps large user xattrs, or None."""
    for candidate in (os.environ.get(DEVICES_ENV), '/dev/shm'):
        if candidate and os.path.isdir(candidate) and \
                os.access(candidate, os.W_OK) and \
                supports_big_xattrs(candidate):
            return candidate
    return None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def wait_for(predicate, deadline: float = DEADLINE, interval: float = 0.05,
             message: str = 'condition'):
    """Poll until ``predicate()`` is truthy; fail after ``deadline`` s."""
    end = time.monotonic() + deadline
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > end:
            raise AssertionError('timed out waiting for %s' % message)
        time.sleep(interval)


SWIFT_CONF = """\
[swift-hash]
swift_hash_path_prefix = vectorprefix
swift_hash_path_suffix = vectorsuffix

[storage-policy:0]
name = gold
default = yes

[storage-policy:1]
name = silver
"""


class ServerProcess:
    """One storage server, run by its executable in a subprocess."""

    def __init__(self, kind: str, root: str, devices=('sda1',),
                 filters=('healthcheck', 'recon'), **options: str) -> None:
        self.kind = kind
        self.filters = filters
        self.root = root
        self.devices_dir = os.path.join(root, 'srv')
        self.etc = os.path.join(root, 'etc')
        self.port = free_port()
        self.log_path = os.path.join(root, '%s.log' % kind)
        os.makedirs(self.etc, exist_ok=True)
        for device in devices:
            os.makedirs(os.path.join(self.devices_dir, device),
                        exist_ok=True)
        self.swift_conf = os.path.join(self.etc, 'swift.conf')
        with open(self.swift_conf, 'w') as f:
            f.write(SWIFT_CONF)
        self.options = {
            'bind_ip': '127.0.0.1', 'bind_port': str(self.port),
            'workers': '0', 'devices': self.devices_dir,
            'mount_check': 'false', 'user': '',
            'recon_cache_path': os.path.join(root, 'cache'),
            'swift_dir': self.etc, 'log_address': '/nonexistent',
        }
        self.options.update(options)
        self.conf_path = os.path.join(self.etc, '%s.conf' % kind)
        self.write_conf()
        self.proc: Optional[subprocess.Popen] = None

    def write_conf(self) -> None:
        default = ''.join('%s = %s\n' % item for item in
                          self.options.items())
        with open(self.conf_path, 'w') as f:
            f.write('[DEFAULT]\n%s\n[pipeline:main]\n'
                    'pipeline = %s %s\n\n'
                    '[app:%s]\nuse = egg:swiftlike#%s\n\n'
                    % (default, ' '.join(self.filters), self.kind,
                       self.kind, self.kind.split('-')[0]))
            for name in self.filters:
                f.write('[filter:%s]\nuse = egg:swiftlike#%s\n\n'
                        % (name, name))

    def env(self, extra: Optional[Dict[str, str]] = None) -> Dict[str, str]:
        _, cli_env = cli_command('swiftlike-%s' % self.kind)
        env = dict(cli_env or os.environ)
        env['SWIFT_CONF_FILE'] = self.swift_conf
        env.update(extra or {})
        return env

    def start(self, env: Optional[Dict[str, str]] = None,
              wait: bool = True) -> ServerProcess:
        prefix, _ = cli_command('swiftlike-%s' % self.kind)
        with open(self.log_path, 'ab') as log:
            self.proc = subprocess.Popen(
                prefix + [self.conf_path, '--verbose'], stdout=log,
                stderr=subprocess.STDOUT, env=self.env(env), cwd=REPO_ROOT)
        if wait:
            wait_for(self.healthy, message='%s to start (log: %s)'
                     % (self.kind, self.log_text()[-2000:]))
        return self

    def healthy(self) -> bool:
        if self.proc is not None and self.proc.poll() is not None:
            raise AssertionError('%s exited with %s: %s' % (
                self.kind, self.proc.returncode, self.log_text()[-3000:]))
        try:
            status, _, body = self.request('GET', '/healthcheck')
        except OSError:
            return False
        return status == 200 and body == b'OK'

    def log_text(self) -> str:
        try:
            with open(self.log_path, encoding='utf-8',
                      errors='replace') as f:
                return f.read()
        except OSError:
            return ''

    def stop(self, sig: int = signal.SIGTERM, timeout: float = DEADLINE
             ) -> Optional[int]:
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        code, self.proc = self.proc.returncode, None
        return code

    def request(self, method: str, path: str,
                headers: Optional[Dict[str, str]] = None,
                body: bytes = b'', timeout: float = 30.0):
        """(status, headers, body); header names as sent by the server."""
        conn = http.client.HTTPConnection('127.0.0.1', self.port,
                                          timeout=timeout)
        try:
            base, sep, query = path.partition('?')
            conn.request(method, quote(base, safe='/%') + sep + query,
                         body=body, headers=headers or {})
            resp = conn.getresponse()
            return resp.status, dict(resp.getheaders()), resp.read()
        finally:
            conn.close()


def make_root(base: str) -> str:
    return tempfile.mkdtemp(prefix='swiftlike-', dir=base)


def remove_root(root: str) -> None:
    shutil.rmtree(root, ignore_errors=True)


class RecordingServer:
    """A real HTTP peer that records requests and answers ``status``
    after ``delay`` seconds: the container servers of object tests."""

    def __init__(self, status: int = 201, delay: float = 0.0,
                 headers: Optional[Dict[str, str]] = None) -> None:
        import http.server
        import threading
        self.requests = []
        self.status = status
        self.delay = delay
        self.headers = headers or {}
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def _handle(self):
                length = int(self.headers.get('Content-Length') or 0)
                body = self.rfile.read(length) if length else b''
                outer.requests.append((self.command, self.path,
                                       dict(self.headers), body))
                time.sleep(outer.delay)
                self.send_response(outer.status)
                for name, value in outer.headers.items():
                    self.send_header(name, value)
                self.send_header('Content-Length', '0')
                self.end_headers()

            do_PUT = do_DELETE = do_GET = do_POST = _handle

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(('127.0.0.1', 0),
                                                     Handler)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever,
                                       daemon=True)
        self.thread.start()

    @property
    def host(self) -> str:
        return '127.0.0.1:%d' % self.port

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


class Memcached:
    """A real memcached on a free loopback port (Debian's package)."""

    def __init__(self) -> None:
        binary = shutil.which('memcached')
        if binary is None:
            import pytest
            pytest.skip('memcached is not installed (apt install memcached)')
        self.port = free_port()
        command = [binary, '-l', '127.0.0.1', '-p', str(self.port), '-U', '0',
                   '-m', '16']
        if os.geteuid() == 0:
            command += ['-u', 'root']
        self.proc = subprocess.Popen(command, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)
        wait_for(self._listening, message='memcached on %d' % self.port)

    def _listening(self) -> bool:
        try:
            socket.create_connection(('127.0.0.1', self.port), 0.5).close()
            return True
        except OSError:
            return False

    @property
    def address(self) -> str:
        return '127.0.0.1:%d' % self.port

    def raw(self, command: bytes) -> bytes:
        """One command over a fresh connection; what memcached answered."""
        with socket.create_connection(('127.0.0.1', self.port), 2) as sock:
            sock.sendall(command)
            data = b''
            while not data.endswith((b'END\r\n', b'STORED\r\n',
                                     b'DELETED\r\n', b'NOT_FOUND\r\n')):
                chunk = sock.recv(65536)
                if not chunk:
                    break
                data += chunk
            return data

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(10)


class CuttingRelay:
    """A TCP relay in front of a real server that drops a connection once
    ``limit`` bytes of its answer have passed: a node that dies mid-body.
    ``limit`` None relays everything."""

    def __init__(self, upstream_port: int = 0, limit: Optional[int] = None
                 ) -> None:
        self.upstream_port = upstream_port
        self.limit = limit
        self.cut = 0
        #: cleared: final answers are held back (a node that stalls after
        #: taking the body) until set
        self.flowing = threading.Event()
        self.flowing.set()
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(('127.0.0.1', 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(client,),
                             daemon=True).start()

    def _serve(self, client: socket.socket) -> None:
        try:
            upstream = socket.create_connection(
                ('127.0.0.1', self.upstream_port), 5)
        except OSError:
            client.close()
            return

        def pump_up():
            try:
                while True:
                    data = client.recv(65536)
                    if not data:
                        break
                    upstream.sendall(data)
            except OSError:
                pass

        threading.Thread(target=pump_up, daemon=True).start()
        passed = 0
        try:
            while True:
                data = upstream.recv(65536)
                if not data:
                    break
                if not data.startswith(b'HTTP/1.1 100 '):
                    self.flowing.wait()  # interim 100 Continue goes by
                if self.limit is not None and passed + len(data) > \
                        self.limit:
                    client.sendall(data[:self.limit - passed])
                    self.cut += 1
                    break
                client.sendall(data)
                passed += len(data)
        except OSError:
            pass
        finally:
            for sock in (client, upstream):
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                sock.close()

    def close(self) -> None:
        self.sock.close()

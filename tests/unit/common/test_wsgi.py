"""The server runner as operators meet it: signals, workers, systemd
notification, crashes mid-write and broken configs."""
import os
import signal
import socket
import subprocess
import threading
import time

import pytest

from swiftlike.common import hashing
from swiftlike.common.timestamps import Timestamp
from tests.conftest import cli_command
from tests.servers import ServerProcess, wait_for

pytestmark = pytest.mark.usefixtures('xattr_root')


def _server(xattr_root, **options):
    hashing.set_hash_affixes('vectorprefix', 'vectorsuffix')
    return ServerProcess('object-server', xattr_root, **options)


def _partial_put(server, obj, sent=b'x' * 1000, length=100000):
    sock = socket.create_connection(('127.0.0.1', server.port))
    sock.sendall(('PUT /sda1/1/a/c/%s HTTP/1.1\r\nHost: x\r\n'
                  'X-Timestamp: %s\r\nContent-Type: text/plain\r\n'
                  'Content-Length: %d\r\n\r\n' % (
                      obj, Timestamp.now().internal, length)).encode())
    sock.sendall(sent)
    return sock


def _datadir(server, obj):
    digest = hashing.hash_path('a', 'c', obj)
    return os.path.join(server.devices_dir, 'sda1', 'objects', '1',
                        digest[-3:], digest)


def test_sigkill_mid_put_leaves_nothing_visible(xattr_root):
    server = _server(xattr_root).start()
    sock = _partial_put(server, 'victim')
    wait_for(lambda: os.path.isdir(_datadir(server, 'victim')),
             message='the upload to start')
    server.stop(signal.SIGKILL)
    sock.close()
    assert os.listdir(_datadir(server, 'victim')) == []
    tmp = os.path.join(server.devices_dir, 'sda1', 'tmp')
    assert not os.path.exists(tmp) or os.listdir(tmp) == []
    # a temp file left by a writer without O_TMPFILE is removed at start-up
    os.makedirs(tmp, exist_ok=True)
    leftover = os.path.join(tmp, 'tmpabandoned')
    with open(leftover, 'wb') as f:
        f.write(b'half an object')
    os.utime(leftover, (time.time() - 7200,) * 2)
    server.options['max_upload_time'] = '3600'
    server.write_conf()
    server.start()
    try:
        assert not os.path.exists(leftover)
        assert server.request('GET', '/sda1/1/a/c/victim')[0] == 404
    finally:
        server.stop()


def test_sigterm_finishes_requests_in_flight(xattr_root):
    server = _server(xattr_root).start()
    sock = _partial_put(server, 'inflight', length=2000)
    wait_for(lambda: os.path.isdir(_datadir(server, 'inflight')),
             message='the upload to start')
    server.proc.send_signal(signal.SIGTERM)
    time.sleep(0.3)  # the server is draining; the client finishes late
    sock.sendall(b'y' * 1000)
    sock.settimeout(10)
    reply = sock.recv(4096)
    sock.close()
    assert reply.startswith(b'HTTP/1.1 201')
    assert server.proc.wait(10) == 0
    assert len(os.listdir(_datadir(server, 'inflight'))) == 1
    with pytest.raises(OSError):
        socket.create_connection(('127.0.0.1', server.port), timeout=1)


def test_sighup_reexecs_and_keeps_serving(xattr_root):
    server = _server(xattr_root).start()
    try:
        pid = server.proc.pid
        server.proc.send_signal(signal.SIGHUP)
        wait_for(lambda: server.log_text().count(
            'Started object-server') >= 2, message='the re-exec')
        wait_for(server.healthy, message='serving after SIGHUP')
        assert server.proc.pid == pid and server.proc.poll() is None
    finally:
        assert server.stop() == 0


def test_workers_are_respawned(xattr_root):
    server = _server(xattr_root, workers='2').start()
    try:
        wait_for(lambda: server.log_text().count('Started worker') >= 2,
                 message='two workers')
        pids = [int(line.rsplit(' ', 1)[1]) for line in
                server.log_text().splitlines() if 'Started worker' in line]
        os.kill(pids[0], signal.SIGKILL)
        wait_for(lambda: server.log_text().count('Started worker') >= 3,
                 message='a replacement worker')
        wait_for(server.healthy, message='serving with the new worker')
    finally:
        assert server.stop() == 0
    for pid in pids:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)


@pytest.mark.parametrize('workers', ['0', '2'])
def test_notifies_systemd_when_ready(xattr_root, workers):
    notify_path = os.path.join(xattr_root, 'notify.sock')
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    listener.bind(notify_path)
    listener.settimeout(20)
    server = _server(xattr_root, workers=workers)
    server.start(env={'NOTIFY_SOCKET': notify_path})
    try:
        assert listener.recv(100) == b'READY=1'
    finally:
        server.stop()
        assert listener.recv(100) == b'STOPPING=1'
        listener.close()


def _run_server(conf_path):
    prefix, env = cli_command('swiftlike-object-server')
    return subprocess.run(prefix + [conf_path], capture_output=True,
                          text=True, env=env, timeout=60)


def test_missing_config_is_one_clear_line(tmp_path):
    result = _run_server(str(tmp_path / 'nope.conf'))
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith('Error: ')
    assert 'nope.conf' in lines[0]


@pytest.mark.parametrize('body, expected', [
    ('[DEFAULT]\nbind_port = 6200\n', 'object-server'),
    ('[DEFAULT]\nbind_port = lots\n[app:object-server]\n'
     'use = egg:swiftlike#object\n[pipeline:main]\n'
     'pipeline = object-server\n', 'bind_port'),
    ('not a config file\n', 'object-server.conf'),
    ('[DEFAULT]\nmount_check = perhaps\n[app:object-server]\n'
     'use = egg:swiftlike#object\n[pipeline:main]\n'
     'pipeline = object-server\n', 'mount_check'),
])
def test_broken_config_is_one_clear_line(tmp_path, body, expected):
    conf = tmp_path / 'object-server.conf'
    conf.write_text(body)
    swift_conf = tmp_path / 'swift.conf'
    swift_conf.write_text('[swift-hash]\nswift_hash_path_suffix = x\n')
    prefix, env = cli_command('swiftlike-object-server')
    env = dict(env or os.environ, SWIFT_CONF_FILE=str(swift_conf))
    result = subprocess.run(prefix + [str(conf)], capture_output=True,
                            text=True, env=env, timeout=60)
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith('Error: ') and expected in lines[0]


def test_access_log_carries_the_transaction_id(xattr_root):
    server = _server(xattr_root).start()
    try:
        server.request('GET', '/sda1/1/a/c/nothing',
                       {'X-Trans-Id': 'tx1234-txn-in-log'})
        wait_for(lambda: '(txn: tx1234-txn-in-log)' in server.log_text(),
                 message='the txn id in the log')
    finally:
        server.stop()


def test_concurrent_clients_within_max_clients(xattr_root):
    server = _server(xattr_root, max_clients='4').start()
    try:
        results = []

        def get():
            results.append(server.request('GET', '/healthcheck')[0])

        threads = [threading.Thread(target=get) for _ in range(16)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert results == [200] * 16
    finally:
        server.stop()


def test_swift_conf_without_hash_affixes_refuses_to_start(tmp_path):
    conf = tmp_path / 'object-server.conf'
    conf.write_text('[DEFAULT]\nbind_port = 0\n[pipeline:main]\n'
                    'pipeline = object-server\n[app:object-server]\n'
                    'use = egg:swiftlike#object\n')
    swift_conf = tmp_path / 'swift.conf'
    swift_conf.write_text('[swift-hash]\n')
    prefix, env = cli_command('swiftlike-object-server')
    env = dict(env or os.environ, SWIFT_CONF_FILE=str(swift_conf))
    result = subprocess.run(prefix + [str(conf)], capture_output=True,
                            text=True, env=env, timeout=60)
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and 'swift_hash_path_prefix' in lines[0]

"""swiftlike-recon against a real object server whose devices are not
mount points, with quarantined files and a recon cache on disk, and a
ring that also names a node nobody runs."""
import http.server
import json
import os
import subprocess
import threading

import pytest

import swiftlike
from swiftlike.common.ring import RingBuilder
from tests.conftest import cli_command
from tests.servers import ServerProcess, free_port


@pytest.fixture
def node(tmp_path):
    server = ServerProcess('object-server', str(tmp_path / 'node'),
                           devices=('sdb1', 'sdb2'), mount_check='true')
    quarantined = os.path.join(server.devices_dir, 'sdb1', 'quarantined')
    for kind, names in (('objects', ('a' * 32, 'b' * 32)),
                        ('objects-1', ('c' * 32,)),
                        ('containers', ('d' * 32,))):
        for name in names:
            os.makedirs(os.path.join(quarantined, kind, name))
    os.makedirs(server.options['recon_cache_path'])
    with open(os.path.join(server.options['recon_cache_path'],
                           'object.recon'), 'w') as f:
        json.dump({'async_pending': 3, 'object_auditor_stats_ALL': {
            'passes': 5, 'errors': 0, 'quarantined': 1, 'audit_time': 2.5,
            'start_time': 1.0, 'bytes_processed': 4096}}, f)
    server.start()
    yield server
    server.stop()


def write_ring(swift_dir, ports):
    builder = RingBuilder(4, 1, 1)
    for zone, port in enumerate(ports, 1):
        for device in ('sdb1', 'sdb2'):
            builder.add_dev({'region': 1, 'zone': zone, 'ip': '127.0.0.1',
                             'port': port, 'device': device, 'weight': 1})
    builder.rebalance(seed=1)
    builder.get_ring().save(os.path.join(swift_dir, 'object.ring.gz'))


def recon(node, *args):
    prefix, env = cli_command('swiftlike-recon')
    env = dict(env or os.environ, SWIFT_CONF_FILE=node.swift_conf)
    return subprocess.run(prefix + list(args) + ['--swiftdir', node.etc,
                                                 '--timeout', '2'],
                          capture_output=True, text=True, env=env,
                          timeout=60)


def test_problems_are_reported_with_status_1(node):
    write_ring(node.etc, [node.port])
    done = recon(node, '--async', '--quarantined', '--md5')
    assert done.returncode == 0, done.stdout + done.stderr
    assert '[async_pending] low: 3, high: 3' in done.stdout
    assert '[quarantined_objects] low: 3, high: 3' in done.stdout
    assert '[quarantined_containers] low: 1, high: 1' in done.stdout
    assert '1/1 hosts matched, 0 error[s]' in done.stdout
    audit = recon(node, '--auditor').stdout
    assert '[ALL_passes_last_path] low: 5, high: 5' in audit
    assert '[ALL_bytes_processed_last_path] low: 4096' in audit
    assert '[ZBF_passes_last_path] - No hosts returned valid data.' in audit
    report = json.loads(recon(node, '--quarantined', '--json').stdout)
    host = '127.0.0.1:%d' % node.port
    assert report['quarantined'][host]['policies'] == {
        '0': {'objects': 2}, '1': {'objects': 1}}
    # swift-recon's short options; clocks, versions, healthchecks
    done = recon(node, '-aq', '-T', '--swift-versions',
                 '--validate-servers')
    assert done.returncode == 0, done.stdout
    assert '[async_pending] low: 3' in done.stdout
    assert '1/1 hosts matched, 0 error[s] while checking hosts.' in \
        done.stdout
    assert 'Versions matched (%s), 0 error[s]' % swiftlike.__version__ in \
        done.stdout
    assert '1/1 hosts ok, 0 error[s] while checking hosts.' in done.stdout
    # mount_check is on and neither device is a mount point
    done = recon(node, '--unmounted')
    assert done.returncode == 1
    assert 'Not mounted: sdb1 on %s' % host in done.stdout
    assert 'Not mounted: sdb2 on %s' % host in done.stdout
    # a node in the ring that does not answer
    silent = free_port()
    write_ring(node.etc, [node.port, silent])
    done = recon(node, '--async')
    assert done.returncode == 1
    assert 'no_result: 1, reported: 1' in done.stdout
    assert '-> 127.0.0.1:%d did not answer' % silent in done.stdout
    done = recon(node, '--validate-servers')
    assert done.returncode == 1
    assert '1/2 hosts ok, 1 error[s] while checking hosts.' in done.stdout
    # only the first zone: the silent node is not asked
    done = recon(node, '-a', '-z', '1')
    assert done.returncode == 0, done.stdout
    assert 'reconnaissance on 1 hosts' in done.stdout


class WrongNode:
    """A node whose clock is decades behind, running other software and
    failing its healthcheck (a clock cannot be set wrong for real)."""

    ANSWERS = {'/recon/time': b'1000.0',
               '/recon/version': b'{"version": "0.0.1"}',
               '/healthcheck': b'DISABLED BY FILE'}

    def __init__(self):
        answers = self.ANSWERS

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                body = answers.get(self.path, b'')
                self.send_response(200 if body else 404)
                self.send_header('Content-Length', str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass
        self.httpd = http.server.ThreadingHTTPServer(('127.0.0.1', 0),
                                                     Handler)
        self.port = self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever,
                         daemon=True).start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


def test_clock_version_and_health_differences(node):
    wrong = WrongNode()
    try:
        write_ring(node.etc, [node.port, wrong.port])
        done = recon(node, '-T', '--swift-versions', '--validate-servers')
    finally:
        wrong.close()
    assert done.returncode == 1
    assert '!! 127.0.0.1:%d current time is ' % wrong.port in done.stdout
    assert 'but remote is 1970-01-01 00:16:40' in done.stdout
    assert '1/2 hosts matched, 0 error[s] while checking hosts.' in \
        done.stdout
    assert 'Versions not matched (0.0.1) on 127.0.0.1:%d' % wrong.port \
        in done.stdout
    assert '1/2 hosts ok, 1 error[s] while checking hosts.' in done.stdout

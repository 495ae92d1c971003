"""doc/deployment.md followed on one machine: three storage nodes on their
own loopback addresses (127.0.0.2-4) and a proxy, set up the way the guide
says (rings with swiftlike-ring-builder, configs from the samples,
servers started with swiftlike-init), then used with the swift command
and checked with swiftlike-recon."""
import os
import re
import shutil
import socket
import subprocess
import sys

import pytest

from tests.conftest import REPO_ROOT, cli_command
from tests.servers import (
    SWIFT_CONF,
    Memcached,
    make_root,
    remove_root,
    wait_for,
    xattr_base,
)

NODES = ('127.0.0.2', '127.0.0.3', '127.0.0.4')
KINDS = ('object', 'container', 'account')


def free_on_all(count):
    """``count`` ports free on every node address."""
    found = []
    candidate = 23000 + os.getpid() % 5000
    while len(found) < count:
        candidate += 1
        try:
            socks = []
            for ip in NODES:
                sock = socket.socket()
                socks.append(sock)
                sock.bind((ip, candidate))
            found.append(candidate)
        except OSError:
            pass
        finally:
            for sock in socks:
                sock.close()
    return found


def tool(name, *args, env=None):
    prefix, cli_env = cli_command(name)
    done = subprocess.run(prefix + [str(a) for a in args],
                          capture_output=True, text=True, timeout=120,
                          env=dict(cli_env or os.environ, **(env or {})))
    assert done.returncode == 0, '%s: %s%s' % (name, done.stdout,
                                                done.stderr)
    return done.stdout


def with_options(sample, section, options):
    """The sample config with ``options`` set in ``section``."""
    with open(os.path.join(REPO_ROOT, 'etc', sample)) as f:
        text = f.read()
    header = '[%s]\n' % section
    if section == 'DEFAULT':
        marker = header
    else:
        marker = next(line + '\n' for line in text.splitlines()
                      if line.startswith('use = ') and
                      text.index(line) > text.index(header))
    lines = ''.join('%s = %s\n' % item for item in options.items())
    return text.replace(marker, marker + lines, 1)


@pytest.fixture(scope='module')
def cluster():
    base = xattr_base()
    if base is None:
        pytest.skip('no filesystem with large user xattrs')
    root = make_root(base)
    memcached = Memcached()
    ports = dict(zip(KINDS, free_on_all(3)))
    proxy_port = free_on_all(1)[0]
    rings = os.path.join(root, 'rings')
    os.makedirs(rings)
    for kind in KINDS:  # step 3 of the guide
        builder = os.path.join(rings, kind + '.builder')
        tool('swiftlike-ring-builder', builder, 'create', 10, 3, 1)
        for zone, ip in enumerate(NODES, 1):
            tool('swiftlike-ring-builder', builder, 'add',
                 'r1z%d-%s:%d/d%d' % (zone, ip, ports[kind], zone), 100)
        tool('swiftlike-ring-builder', builder, 'rebalance')
    etcs = []
    for zone, ip in enumerate(NODES, 1):  # step 4
        etc = os.path.join(root, 'node%d' % zone, 'etc')
        devices = os.path.join(root, 'node%d' % zone, 'srv')
        os.makedirs(os.path.join(devices, 'd%d' % zone))
        os.makedirs(etc)
        etcs.append(etc)
        with open(os.path.join(etc, 'swift.conf'), 'w') as f:
            f.write(SWIFT_CONF)
        for kind in KINDS:
            shutil.copy(os.path.join(rings, kind + '.ring.gz'), etc)
            with open(os.path.join(etc, kind + '-server.conf'), 'w') as f:
                f.write(with_options(kind + '-server.conf-sample', 'DEFAULT', {
                    'bind_ip': ip, 'bind_port': ports[kind], 'workers': 0,
                    'devices': devices, 'mount_check': 'false', 'user': '',
                    'swift_dir': etc, 'log_address': '/nonexistent',
                    'recon_cache_path': os.path.join(root, 'cache%d' % zone)
                }))
    proxy_etc = os.path.join(root, 'proxy', 'etc')
    os.makedirs(proxy_etc)
    with open(os.path.join(proxy_etc, 'swift.conf'), 'w') as f:
        f.write(SWIFT_CONF)
    for kind in KINDS:
        shutil.copy(os.path.join(rings, kind + '.ring.gz'), proxy_etc)
    text = with_options('proxy-server.conf-sample', 'DEFAULT', {
        'bind_ip': '127.0.0.1', 'bind_port': proxy_port, 'workers': 0,
        'user': '', 'swift_dir': proxy_etc, 'log_address': '/nonexistent'})
    path = os.path.join(proxy_etc, 'proxy-server.conf')
    with open(path, 'w') as f:
        f.write(text)
    # step 5: memcache.conf from its sample, autocreate in the proxy's
    with open(os.path.join(REPO_ROOT, 'etc', 'memcache.conf-sample')) as f:
        memcache_conf = f.read()
    assert '# memcache_servers = 127.0.0.1:11211\n' in memcache_conf
    with open(os.path.join(proxy_etc, 'memcache.conf'), 'w') as f:
        f.write(memcache_conf.replace(
            '# memcache_servers = 127.0.0.1:11211\n',
            'memcache_servers = %s\n' % memcached.address))
    text = text.replace('use = egg:swiftlike#proxy\n',
                        'use = egg:swiftlike#proxy\naccount_autocreate = '
                        'true\n', 1)
    with open(path, 'w') as f:
        f.write(text)
    for etc in etcs:
        tool('swiftlike-init', 'object', 'container', 'account', 'start',
             '--swift-dir', etc, '--run-dir', os.path.join(etc, 'run'))
    tool('swiftlike-init', 'proxy', 'start', '--swift-dir', proxy_etc,
         '--run-dir', os.path.join(proxy_etc, 'run'))
    auth_url = 'http://127.0.0.1:%d/auth/v1.0' % proxy_port

    def up():
        import http.client
        for host, port in [(ip, ports[k]) for ip in NODES for k in KINDS] + \
                [('127.0.0.1', proxy_port)]:
            try:
                conn = http.client.HTTPConnection(host, port, timeout=2)
                conn.request('GET', '/healthcheck')
                if conn.getresponse().status != 200:
                    return False
            except OSError:
                return False
        return True

    wait_for(up, deadline=60, message='every server of the deployment')
    yield {'root': root, 'auth_url': auth_url, 'proxy_etc': proxy_etc,
           'etcs': etcs, 'memcached': memcached}
    for etc in etcs:
        tool('swiftlike-init', 'object', 'container', 'account', 'stop',
             '--swift-dir', etc, '--run-dir', os.path.join(etc, 'run'))
    tool('swiftlike-init', 'proxy', 'stop', '--swift-dir', proxy_etc,
         '--run-dir', os.path.join(proxy_etc, 'run'))
    memcached.stop()
    remove_root(root)


def test_the_guides_cluster_works(cluster, tmp_path):
    swift = os.path.join(os.path.dirname(sys.executable), 'swift')
    base = [swift, '-A', cluster['auth_url'], '-U', 'test:tester', '-K',
            'testing']
    source = tmp_path / 'hello.txt'
    source.write_bytes(b'deployed\n' * 100)
    done = subprocess.run(base + ['upload', 'dep', str(source),
                                  '--object-name', 'hello.txt'],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    out = tmp_path / 'out.txt'
    done = subprocess.run(base + ['download', 'dep', 'hello.txt', '-o',
                                  str(out)], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0 and out.read_bytes() == source.read_bytes()
    # the proxy found memcached through memcache.conf: tokens are there
    stats = cluster['memcached'].raw(b'stats\r\n').decode()
    items = int(re.search(r'STAT curr_items (\d+)', stats).group(1))
    assert items >= 1
    # one copy on each node's disk
    copies = 0
    for zone in (1, 2, 3):
        srv = os.path.join(cluster['root'], 'node%d' % zone, 'srv')
        for _, _, files in os.walk(srv):
            copies += sum(1 for f in files if f.endswith('.data'))
    assert copies == 3
    # (a generous timeout: CI machines may be slow, not the nodes wrong)
    report = tool('swiftlike-recon', '--md5', '--unmounted', '--swiftdir',
                  cluster['proxy_etc'], '--timeout', 30)
    assert '3/3 hosts matched, 0 error[s] while checking hosts.' in report

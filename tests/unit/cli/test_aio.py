"""swiftlike-aio's layout: rings, configs and the memcached choice, without
starting anything."""
import configparser
import os

from swiftlike.cli.aio import MEMCACHE_OFFSET, NODES, AllInOne
from swiftlike.common.ring import Ring


def _proxy_conf(aio):
    parser = configparser.ConfigParser(interpolation=None)
    parser.read(os.path.join(aio.etc, 'proxy-server.conf'))
    return parser


def test_layout_with_memcached(tmp_path, monkeypatch):
    aio = AllInOne(str(tmp_path / 'd'), 8080, 6200, 0)
    aio.memcached = '/usr/bin/memcached'
    aio.proxy_workers = 2
    aio.prepare()
    conf = _proxy_conf(aio)
    pipeline = conf.get('pipeline:main', 'pipeline').split()
    assert pipeline == ['catch_errors', 'gatekeeper', 'healthcheck',
                        'proxy_logging', 'cache', 'listing_formats', 'bulk',
                        'tempurl', 'formpost', 'ratelimit', 'crossdomain',
                        'cors', 'tempauth', 'staticweb', 'read_only', 'copy',
                        'container_quotas', 'account_quotas', 'slo', 'dlo',
                        'versioned_writes', 'symlink', 'proxy-server']
    assert conf.get('filter:cache', 'memcache_servers') == \
        '127.0.0.1:%d' % (6200 + MEMCACHE_OFFSET)
    assert conf.get('DEFAULT', 'workers') == '2'
    assert conf.get('filter:tempauth', 'SERVICE_require_group') == 'service'
    monkeypatch.setenv('SWIFT_CONF_FILE', os.path.join(aio.etc,
                                                       'swift.conf'))
    ring = Ring(aio.etc, ring_name='object')
    assert ring.replica_count == 3 and len(ring.devs) == NODES
    assert sorted(d['port'] for d in ring.devs) == [6210, 6220, 6230, 6240]
    assert {d['zone'] for d in ring.devs} == {1, 2, 3, 4}


def test_without_memcached_one_proxy_process_keeps_tokens(tmp_path,
                                                           monkeypatch):
    monkeypatch.setenv('PATH', str(tmp_path))  # no memcached to be found
    aio = AllInOne(str(tmp_path / 'd'), 8080, 6200, 0, proxy_workers=4)
    assert aio.memcached is None and aio.proxy_workers == 0
    aio.prepare()
    conf = _proxy_conf(aio)
    assert 'cache' not in conf.get('pipeline:main', 'pipeline').split()
    assert conf.get('DEFAULT', 'workers') == '0'


def test_second_prepare_keeps_rings_and_secrets(tmp_path):
    aio = AllInOne(str(tmp_path / 'd'), 8080, 6200, 0)
    aio.prepare()
    files = ('swift.conf', 'object.ring.gz', 'account.ring.gz')
    before = {n: (tmp_path / 'd' / 'etc' / n).read_bytes() for n in files}
    AllInOne(str(tmp_path / 'd'), 8080, 6200, 0).prepare()
    after = {n: (tmp_path / 'd' / 'etc' / n).read_bytes() for n in files}
    assert before == after

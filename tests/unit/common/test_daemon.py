"""The daemon runner: recon cache merges, --once, SIGTERM between passes,
config errors as one line."""
import json
import os
import signal
import subprocess

from swiftlike.common.daemon import dump_recon_cache
from tests.conftest import cli_command
from tests.servers import SWIFT_CONF, wait_for


def test_recon_cache_merges_and_removes(tmp_path):
    cache = str(tmp_path / 'cache' / 'object.recon')
    dump_recon_cache({'a': 1, 'b': {'x': 2}}, cache)
    dump_recon_cache({'b': {'y': 3}, 'c': 4}, cache)
    dump_recon_cache({'a': {}}, cache)
    with open(cache) as f:
        assert json.load(f) == {'b': {'y': 3}, 'c': 4}


def _conf(tmp_path, interval='3600'):
    (tmp_path / 'srv').mkdir(exist_ok=True)
    (tmp_path / 'swift.conf').write_text(SWIFT_CONF)
    # a container ring is needed by the object updater
    from swiftlike.common.ring import RingBuilder
    builder = RingBuilder(4, 1, 1)
    builder.add_dev({'region': 1, 'zone': 1, 'ip': '127.0.0.1',
                     'port': 1, 'device': 'sda', 'weight': 1})
    builder.rebalance()
    builder.get_ring().save(str(tmp_path / 'container.ring.gz'))
    path = tmp_path / 'object-server.conf'
    path.write_text(
        '[DEFAULT]\ndevices = %s\nmount_check = false\nswift_dir = %s\n'
        'recon_cache_path = %s\nlog_address = /nonexistent\n\n'
        '[object-updater]\ninterval = %s\n' % (
            tmp_path / 'srv', tmp_path, tmp_path / 'cache', interval))
    return str(path)


def _run(tmp_path):
    prefix, env = cli_command('swiftlike-object-updater')
    env = dict(env or os.environ,
               SWIFT_CONF_FILE=str(tmp_path / 'swift.conf'))
    return prefix, env


def test_once_makes_one_pass_and_exits(tmp_path):
    conf = _conf(tmp_path)
    prefix, env = _run(tmp_path)
    done = subprocess.run(prefix + [conf, '--once', '--verbose'],
                          capture_output=True, text=True, env=env,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    assert 'Object update sweep completed' in done.stderr
    with open(tmp_path / 'cache' / 'object.recon') as f:
        assert json.load(f)['async_pending'] == 0


def test_sigterm_stops_a_sleeping_daemon(tmp_path):
    conf = _conf(tmp_path)
    prefix, env = _run(tmp_path)
    proc = subprocess.Popen(prefix + [conf, '--verbose'],
                            stderr=subprocess.PIPE, text=True, env=env)
    wait_for(lambda: os.path.exists(tmp_path / 'cache' / 'object.recon'),
             message='the first pass')
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(10) == 0
    assert 'object-updater stopped' in proc.stderr.read()


def test_missing_section_is_one_error_line(tmp_path):
    conf = tmp_path / 'bad.conf'
    conf.write_text('[DEFAULT]\n')
    prefix, env = _run(tmp_path)
    done = subprocess.run(prefix + [str(conf), '--once'],
                          capture_output=True, text=True, env=env,
                          timeout=60)
    assert done.returncode == 1
    assert done.stdout.strip().startswith('Error: Unable to find '
                                          'object-updater config section')

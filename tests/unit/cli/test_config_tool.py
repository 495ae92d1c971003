from tests.conftest import run_cli


def test_effective_config(tmp_path):
    conf = tmp_path / 'object-server.conf'
    conf.write_text('[DEFAULT]\ndevices = /srv/node\nbind_port = 6200\n\n'
                    '[app:object-server]\nuse = egg:swiftlike#object\n'
                    'set bind_port = 6210\n\n'
                    '[object-replicator]\nconcurrency = 4\n')
    done = run_cli('swiftlike-config', str(conf), '--section',
                   'object-replicator')
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        '[object-replicator]', 'bind_port = 6200', 'concurrency = 4',
        'devices = /srv/node']
    whole = run_cli('swiftlike-config', str(conf))
    assert '[app:object-server]' in whole.stdout
    assert 'bind_port = 6210' in whole.stdout  # "set" overrides DEFAULT
    missing = run_cli('swiftlike-config', str(conf), '-s', 'nope')
    assert missing.returncode == 1
    assert missing.stderr.startswith('Error: Unable to find nope config')

"""swiftlike-init managing a real object server through PID files."""
import os

from swiftlike.common import hashing
from tests.conftest import run_cli
from tests.servers import ServerProcess, wait_for


def test_start_status_reload_stop(xattr_root, tmp_path):
    hashing.set_hash_affixes('vectorprefix', 'vectorsuffix')
    server = ServerProcess('object-server', xattr_root)  # writes configs
    swift_dir = server.etc
    run_dir = str(tmp_path / 'run')
    args = ['--swift-dir', swift_dir, '--run-dir', run_dir]
    env_conf = os.path.join(swift_dir, 'swift.conf')
    assert os.path.exists(env_conf)

    result = run_cli('swiftlike-init', *args, 'object', 'status')
    assert result.returncode == 1 and 'No object-server running' in \
        result.stdout
    result = run_cli('swiftlike-init', *args, 'object', 'start')
    assert result.returncode == 0, result.stdout + result.stderr
    assert 'Starting object-server' in result.stdout
    wait_for(server.healthy, message='the object server')
    pid_path = os.path.join(run_dir, 'object-server.pid')
    with open(pid_path) as f:
        pid = int(f.read())
    result = run_cli('swiftlike-init', *args, 'object-server', 'status')
    assert result.returncode == 0
    assert 'object-server running (%d - ' % pid in result.stdout
    # starting again leaves the running one alone
    assert 'running' in run_cli('swiftlike-init', *args, 'object',
                                'start').stdout
    result = run_cli('swiftlike-init', *args, 'object', 'reload')
    assert result.returncode == 0 and 'signal: 1' in result.stdout
    # SIGHUP re-executes in place: same pid, serving again
    wait_for(server.healthy, message='serving after reload')
    os.kill(pid, 0)
    with open(pid_path) as f:
        assert int(f.read()) == pid
    result = run_cli('swiftlike-init', *args, 'object', 'stop')
    assert result.returncode == 0, result.stdout
    assert 'appears to have stopped' in result.stdout
    assert not os.path.exists(pid_path)
    assert run_cli('swiftlike-init', *args, 'object', 'status'
                   ).returncode == 1


def test_bad_usage(tmp_path):
    result = run_cli('swiftlike-init', 'object', 'explode')
    assert result.returncode == 2 and 'Usage' in result.stderr
    result = run_cli('swiftlike-init', 'gizmo', 'start')
    assert result.returncode == 2 and "Unknown server 'gizmo'" in \
        result.stderr
    result = run_cli('swiftlike-init', '--swift-dir', tmp_path, 'proxy',
                     'start')
    assert result.returncode == 1
    assert 'Unable to locate config for proxy-server' in result.stdout


def test_daemons_are_named_and_read_their_servers_config(tmp_path):
    from swiftlike.cli.init import configs, pid_file, server_names
    assert server_names(['main']) == ['proxy-server', 'account-server',
                                      'container-server', 'object-server']
    everything = server_names(['all'])
    assert 'object-replicator' in everything and \
        'account-reaper' in everything
    assert server_names(['object-updater', 'object']) == [
        'object-updater', 'object-server']
    (tmp_path / 'object-server.conf').write_text('[DEFAULT]\n')
    (tmp_path / 'object-server-2.conf').write_text('[DEFAULT]\n')
    found = configs(str(tmp_path), 'object-replicator')
    assert [p.rsplit('/', 1)[1] for p in found] == [
        'object-server.conf', 'object-server-2.conf']
    assert pid_file('/run', str(tmp_path), found[1],
                    'object-replicator') == '/run/object-replicator-2.pid'
    assert pid_file('/run', str(tmp_path), found[1], 'object-server') == \
        '/run/object-server-2.pid'

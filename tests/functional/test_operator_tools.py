"""swiftlike-get-nodes and the info tools against a running all-in-one."""
import json
import os
import re
import shutil
import subprocess

from swiftclient import client as swiftclient

from tests.conftest import REPO_ROOT, cli_command
from tests.servers import wait_for


def run(aio, name, *args):
    prefix, env = cli_command(name)
    env = dict(env or os.environ, SWIFT_CONF_FILE=os.path.join(
        aio.root, 'data', 'etc', 'swift.conf'))
    return subprocess.run(prefix + [str(a) for a in args],
                          capture_output=True, text=True, env=env,
                          timeout=60)


def devices_listed(output):
    return re.findall(r'Server:Port Device\t(\S+) (\S+)(\t \[Handoff\])?',
                      output)


def test_get_nodes_and_info_tools(aio):
    url, token = swiftclient.get_auth(aio.auth_url, 'test:tester', 'testing')
    swiftclient.put_container(url, token, 'ops', headers={
        'X-Container-Meta-Owner': 'ops team'})
    swiftclient.put_object(url, token, 'ops', 'thing', b'x')
    etc = os.path.join(aio.root, 'data', 'etc')
    out = run(aio, 'swiftlike-get-nodes', os.path.join(
        etc, 'object.ring.gz'), 'AUTH_test', 'ops', 'thing')
    assert out.returncode == 0, out.stderr
    assert 'Object   \tthing' in out.stdout
    part = re.search(r'Partition\t(\d+)', out.stdout).group(1)
    digest = re.search(r'Hash     \t([0-9a-f]{32})', out.stdout).group(1)
    listed = devices_listed(out.stdout)
    primaries = [dev for _, dev, handoff in listed if not handoff]
    assert len(primaries) == 3 and len(listed) == 4  # 4 devices in all
    for dev in primaries:  # the copies are where it says
        hash_dir = os.path.join(aio.root, 'data', 'srv', 'node' + dev[3:],
                                dev, 'objects', part, digest[-3:], digest)
        assert any(n.endswith('.data') for n in os.listdir(hash_dir))
    everything = run(aio, 'swiftlike-get-nodes', '-a', os.path.join(
        etc, 'object.ring.gz'), 'AUTH_test', 'ops', 'thing')
    assert devices_listed(everything.stdout) == listed
    wrong = run(aio, 'swiftlike-get-nodes', os.path.join(
        etc, 'object.ring.gz'), 'AUTH_test')
    assert wrong.returncode == 1 and 'needs 3 names' in wrong.stderr
    # the container's database, through swiftlike-container-info
    out = run(aio, 'swiftlike-get-nodes', os.path.join(
        etc, 'container.ring.gz'), 'AUTH_test', 'ops')
    part = re.search(r'Partition\t(\d+)', out.stdout).group(1)
    digest = re.search(r'Hash     \t([0-9a-f]{32})', out.stdout).group(1)
    dev = [d for _, d, h in devices_listed(out.stdout) if not h][0]
    db_file = os.path.join(aio.root, 'data', 'srv', 'node' + dev[3:], dev,
                           'containers', part, digest[-3:], digest,
                           digest + '.db')
    info = run(aio, 'swiftlike-container-info', '--swift-dir', etc, db_file)
    assert info.returncode == 0, info.stderr
    assert 'Path: /AUTH_test/ops' in info.stdout
    assert 'Object Count: 1' in info.stdout
    assert 'Storage Policy: gold (0)' in info.stdout
    assert 'X-Container-Meta-Owner: ops team' in info.stdout
    assert 'Partition\t%s' % part in info.stdout
    # and the account's
    out = run(aio, 'swiftlike-get-nodes', os.path.join(
        etc, 'account.ring.gz'), 'AUTH_test')
    part = re.search(r'Partition\t(\d+)', out.stdout).group(1)
    digest = re.search(r'Hash     \t([0-9a-f]{32})', out.stdout).group(1)
    dev = [d for _, d, h in devices_listed(out.stdout) if not h][0]
    db_file = os.path.join(aio.root, 'data', 'srv', 'node' + dev[3:], dev,
                           'accounts', part, digest[-3:], digest,
                           digest + '.db')
    info = run(aio, 'swiftlike-account-info', '--swift-dir', etc, db_file)
    assert info.returncode == 0, info.stderr
    assert 'Path: /AUTH_test' in info.stdout
    assert re.search(r'Container Count: \d+', info.stdout)
    bad = run(aio, 'swiftlike-account-info', os.path.join(etc, 'swift.conf'))
    assert bad.returncode == 1 and 'not a readable account database' in \
        bad.stderr


def test_recon_against_the_all_in_one(aio):
    etc = os.path.join(aio.root, 'data', 'etc')
    out = run(aio, 'swiftlike-recon', '--all', '--swiftdir', etc,
              '--timeout', 20)
    assert out.returncode == 0, out.stdout + out.stderr
    assert '--> Starting reconnaissance on 4 hosts (object)' in out.stdout
    assert '4/4 hosts matched, 0 error[s] while checking hosts.' in \
        out.stdout
    assert '[quarantined_objects] low: 0' in out.stdout
    assert '[disk_usage_percent]' in out.stdout
    assert '[1m_load_avg] low: ' in out.stdout

    def async_reported():
        done = run(aio, 'swiftlike-recon', '--async', '--json',
                   '--swiftdir', etc)
        answers = json.loads(done.stdout)['async']
        return len(answers) == 4 and all(a is not None
                                         for a in answers.values())
    wait_for(async_reported, deadline=60, message='async pendings')
    out = run(aio, 'swiftlike-recon', 'container', '--replication',
              '--swiftdir', etc)
    assert 'Starting reconnaissance on 4 hosts (container)' in out.stdout
    assert '[replication_time]' in out.stdout
    # a ring that differs from the nodes' is reported, with status 1
    other = os.path.join(aio.root, 'other-etc')
    os.makedirs(other, exist_ok=True)
    shutil.copy(os.path.join(etc, 'object.ring.gz'), other)
    with open(os.path.join(etc, 'account.ring.gz'), 'rb') as src, \
            open(os.path.join(other, 'account.ring.gz'), 'wb') as f:
        f.write(src.read() + b'\0')
    out = run(aio, 'swiftlike-recon', '--md5', '--swiftdir', other)
    assert out.returncode == 1
    assert "doesn't match on disk md5sum" in out.stdout


def test_dispersion_populate_and_report(aio, tmp_path):
    etc = os.path.join(aio.root, 'data', 'etc')
    conf = tmp_path / 'dispersion.conf'
    with open(os.path.join(REPO_ROOT, 'etc', 'dispersion.conf-sample')) as f:
        sample = f.read()
    for old, new in (
            ('auth_url = http://127.0.0.1:8080/auth/v1.0',
             'auth_url = ' + aio.auth_url),
            ('auth_user = dispersion:dispersion', 'auth_user = admin:admin'),
            ('auth_key = dispersion', 'auth_key = admin'),
            ('# swift_dir = /etc/swift', 'swift_dir = ' + etc),
            ('# concurrency = 25', 'concurrency = 4')):
        assert old in sample
        sample = sample.replace(old, new)
    conf.write_text(sample)
    done = run(aio, 'swiftlike-dispersion-populate', conf)
    assert done.returncode == 0, done.stderr
    assert 'Using storage policy: gold' in done.stdout
    assert 'Created 10 containers' in done.stdout
    assert 'Created 10 objects' in done.stdout
    done = run(aio, 'swiftlike-dispersion-report', conf)
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == 'Using storage policy: gold'
    assert lines[1].startswith('Queried 10 containers for dispersion '
                               'reporting, ')
    assert lines[2:4] == ['There were 10 partitions missing 0 copies.',
                          '100.00% of container copies found (30 of 30)']
    assert '100.00% of object copies found (30 of 30)' in done.stdout
    # another policy: its own objects container, its own ring
    done = run(aio, 'swiftlike-dispersion-populate', conf, '-P', 'silver')
    assert done.returncode == 0, done.stderr
    assert 'Using storage policy: silver' in done.stdout
    headers = swiftclient.head_container(*swiftclient.get_auth(
        aio.auth_url, 'admin:admin', 'admin'), 'dispersion_objects_1')
    assert headers['x-storage-policy'] == 'silver'
    done = run(aio, 'swiftlike-dispersion-report', conf, '-P', 'silver',
               '--json')
    assert done.returncode == 0, done.stdout + done.stderr
    assert json.loads(done.stdout)['object']['copies_found'] == 30
    assert run(aio, 'swiftlike-dispersion-report', conf, '-P', 'bronze'
               ).returncode == 1
    # one object copy gone: the report says so, with status 1
    out = run(aio, 'swiftlike-get-nodes', os.path.join(
        etc, 'object.ring.gz'), 'AUTH_admin', 'dispersion_objects', '0')
    part = re.search(r'Partition\t(\d+)', out.stdout).group(1)
    digest = re.search(r'Hash     \t([0-9a-f]{32})', out.stdout).group(1)
    dev = [d for _, d, h in devices_listed(out.stdout) if not h][0]
    shutil.rmtree(os.path.join(aio.root, 'data', 'srv', 'node' + dev[3:],
                               dev, 'objects', part, digest[-3:], digest))
    done = run(aio, 'swiftlike-dispersion-report', conf, '--json')
    assert done.returncode == 1
    report = json.loads(done.stdout)
    assert report['object']['copies_found'] == 29
    assert report['object']['missing_partitions'] == 1
    assert report['object']['missing_copies'] == {'1': 1}
    # (the wording of that is tests/unit/cli/test_dispersion.py's: the
    # replicators of this all-in-one may restore the copy at any moment)
    assert report['container']['copies_found'] == 30

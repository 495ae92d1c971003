"""The swiftlike client against the all-in-one: every verb, and failures."""
import os
import subprocess

import requests

from tests.conftest import cli_command


def cli(aio, *args, user='test:tester', key='testing', cwd=None):
    prefix, env = cli_command('swiftlike')
    env = dict(env or os.environ, ST_AUTH=aio.auth_url, ST_USER=user,
               ST_KEY=key)
    return subprocess.run(prefix + [str(a) for a in args],
                          capture_output=True, text=True, env=env,
                          timeout=120, cwd=cwd)


def test_every_verb(aio, tmp_path):
    work = tmp_path / 'work'
    (work / 'dir' / 'sub').mkdir(parents=True)
    (work / 'dir' / 'a.txt').write_bytes(b'aaa')
    (work / 'dir' / 'sub' / 'b.txt').write_bytes(b'bbbb')
    big = work / 'big.bin'
    big.write_bytes(os.urandom(3 * 1024 * 1024 + 5))
    assert 'export OS_AUTH_TOKEN=AUTH_tk' in cli(aio, 'auth').stdout
    up = cli(aio, 'upload', 'cli', 'dir', cwd=work)
    assert up.returncode == 0, up.stderr
    assert sorted(up.stdout.split()) == ['dir/a.txt', 'dir/sub/b.txt']
    up = cli(aio, 'upload', 'cli', 'big.bin', '--segment-size', 1048576,
             cwd=work)
    assert up.returncode == 0, up.stderr
    up = cli(aio, 'upload', 'cli', 'big.bin', '--object-name', 'dlo.bin',
             '--segment-size', 1048576, '--use-dlo', cwd=work)
    assert up.returncode == 0, up.stderr
    listing = cli(aio, 'list', 'cli')
    assert listing.stdout.split() == ['big.bin', 'dir/a.txt',
                                      'dir/sub/b.txt', 'dlo.bin']
    assert cli(aio, 'list', 'cli', '--prefix', 'dir/', '--delimiter', '/'
               ).stdout.split() == ['dir/a.txt', 'dir/sub/']
    long = cli(aio, 'list', 'cli', '--lh').stdout.splitlines()
    assert long[-1].strip() == '3.0M'  # the manifests count as what they are
    assert 'cli' in cli(aio, 'list').stdout.split()
    stat = cli(aio, 'stat', 'cli', 'big.bin').stdout
    assert 'Content Length: %d' % (3 * 1024 * 1024 + 5) in stat
    out = tmp_path / 'out'
    out.mkdir()
    for name in ('big.bin', 'dlo.bin'):
        done = cli(aio, 'download', 'cli', name, '-o', out / name)
        assert done.returncode == 0, done.stderr
        assert (out / name).read_bytes() == big.read_bytes()
    done = cli(aio, 'download', 'cli', '--prefix', 'dir/', cwd=out)
    assert (out / 'dir' / 'sub' / 'b.txt').read_bytes() == b'bbbb'
    # --skip-identical leaves an identical upload alone
    again = cli(aio, 'upload', 'cli', 'dir/a.txt', '--skip-identical',
                cwd=work)
    assert again.returncode == 0
    # metadata and ACLs
    assert cli(aio, 'post', 'cli', '-m', 'Color:blue', '-r',
               'test2:tester2').returncode == 0
    stat = cli(aio, 'stat', 'cli').stdout
    assert 'Meta Color: blue' in stat and 'test2:tester2' in stat
    assert cli(aio, 'post', 'cli', 'dir/a.txt', '-m', 'Tag:x'
               ).returncode == 0
    assert 'Meta Tag: x' in cli(aio, 'stat', 'cli', 'dir/a.txt').stdout
    # copy
    assert cli(aio, 'copy', 'cli', 'dir/a.txt', '-d', '/cli/copy.txt'
               ).returncode == 0
    url = aio.auth_url.split('/auth/')[0]
    token = cli(aio, 'auth').stdout.split('OS_AUTH_TOKEN=')[1].strip()
    assert requests.get(url + '/v1/AUTH_test/cli/copy.txt', headers={
        'X-Auth-Token': token}).content == b'aaa'
    caps = cli(aio, 'capabilities').stdout
    assert 'slo' in caps and 'tempurl' in caps
    temp = cli(aio, 'tempurl', 'GET', 60, '/v1/AUTH_test/cli/a', 'key')
    assert temp.stdout.startswith('/v1/AUTH_test/cli/a?temp_url_sig=')
    # an interrupted directory upload, resumed with --skip-identical: only
    # what is missing goes up again
    before = cli(aio, 'stat', 'cli', 'dir/a.txt').stdout
    requests.delete(url + '/v1/AUTH_test/cli/dir/sub/b.txt', headers={
        'X-Auth-Token': token})
    resumed = cli(aio, 'upload', 'cli', 'dir', '--skip-identical', cwd=work)
    assert resumed.returncode == 0, resumed.stderr
    assert resumed.stdout.split() == ['dir/sub/b.txt']
    assert cli(aio, 'stat', 'cli', 'dir/a.txt').stdout == before
    # delete: objects (in bulk), the SLO with its segments, the container
    done = cli(aio, 'delete', 'cli')
    assert done.returncode == 0, done.stderr
    assert cli(aio, 'stat', 'cli').returncode == 1
    segments = cli(aio, 'list', 'cli_segments').stdout.split()
    assert not any(s.startswith('big.bin/') for s in segments)


def test_failures_have_messages_and_status(aio, tmp_path):
    bad = cli(aio, 'stat', user='test:tester', key='wrong')
    assert bad.returncode == 1 and 'Auth GET failed' in bad.stderr
    missing = cli(aio, 'stat', 'no-such-container')
    assert missing.returncode == 1 and '404' in missing.stderr
    nothing = cli(aio, 'download', 'no-such-container', 'x', '-o',
                  tmp_path / 'x')
    assert nothing.returncode == 1 and 'Error downloading x' in \
        nothing.stderr
    prefix, env = cli_command('swiftlike')
    env = {k: v for k, v in (env or os.environ).items()
           if not k.startswith('ST_')}
    usage = subprocess.run(prefix + ['stat'], capture_output=True,
                           text=True, env=env, timeout=60)
    assert usage.returncode == 2 and 'ST_AUTH' in usage.stderr


def test_more_options(aio, tmp_path):
    work = tmp_path / 'w'
    work.mkdir()
    (work / 'f.txt').write_bytes(b'one')
    user = {'user': 'admin:admin', 'key': 'admin'}
    assert cli(aio, 'upload', 'opts', 'f.txt', '-H', 'X-Object-Meta-Kind:x',
               cwd=work, **user).returncode == 0
    assert 'Meta Kind: x' in cli(aio, 'stat', 'opts', 'f.txt',
                                 **user).stdout
    # --changed: same size and mtime -> nothing sent
    again = cli(aio, 'upload', 'opts', 'f.txt', '--changed', cwd=work,
                **user)
    assert again.returncode == 0 and again.stdout == ''
    (work / 'f.txt').write_bytes(b'two!')
    again = cli(aio, 'upload', 'opts', 'f.txt', '--changed', cwd=work,
                **user)
    assert again.stdout.split() == ['f.txt']
    totals = cli(aio, 'list', 'opts', '--totals', **user).stdout
    assert totals.split() == ['4']
    long = cli(aio, 'list', '--long', **user).stdout.splitlines()
    # (account rows hold what the container last reported)
    assert long[0].split()[-1] == 'opts' and len(long[-1].split()) == 2
    # download --all into per-container folders, --skip-identical after
    out = tmp_path / 'all'
    out.mkdir()
    done = cli(aio, 'download', '--all', cwd=out, **user)
    assert done.returncode == 0, done.stderr
    assert (out / 'opts' / 'f.txt').read_bytes() == b'two!'
    before = os.stat(out / 'opts' / 'f.txt').st_mtime_ns
    done = cli(aio, 'download', 'opts', 'f.txt', '-o', out / 'opts' /
               'f.txt', '--skip-identical', **user)
    assert done.returncode == 0
    assert os.stat(out / 'opts' / 'f.txt').st_mtime_ns == before
    # delete --all empties the account
    done = cli(aio, 'delete', '--all', **user)
    assert done.returncode == 0, done.stderr
    assert cli(aio, 'list', **user).stdout == ''

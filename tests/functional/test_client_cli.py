"""The swiftlike client against the all-in-one: every verb, and failures."""
import functools
import os
import re
import subprocess

import requests

from tests.conftest import cli_command
from tests.servers import RecordingServer, wait_for


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
    assert sorted(up.stdout.splitlines()) == [
        'big.bin'] + ['big.bin segment %d' % i for i in range(4)]
    up = cli(aio, 'upload', 'cli', 'big.bin', '--object-name', 'dlo.bin',
             '-S', '1M', '--use-dlo', cwd=work)
    assert up.returncode == 0, up.stderr
    listing = cli(aio, 'list', 'cli')
    assert listing.stdout.split() == ['big.bin', 'dir/a.txt',
                                      'dir/sub/b.txt', 'dlo.bin']
    mtime = '%f' % os.path.getmtime(big)
    assert cli(aio, 'list', 'cli_segments').stdout.split() == [
        'big.bin/slo/%s/%d/1048576/%08d' % (mtime, big.stat().st_size, i)
        for i in range(4)] + [
        'dlo.bin/%s/%d/1048576/%08d' % (mtime, big.stat().st_size, i)
        for i in range(4)]
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
    # temp URLs signed offline work against the cluster, for one object
    # and for a prefix
    assert cli(aio, 'post', '-m', 'Temp-URL-Key:sekrit').returncode == 0
    temp = cli(aio, 'tempurl', 'GET', 60, '/v1/AUTH_test/cli/dir/a.txt',
               'sekrit').stdout.strip()
    assert requests.get(url + temp).content == b'aaa'
    temp = cli(aio, 'tempurl', 'GET', 60, '/v1/AUTH_test/cli/dir/', 'sekrit',
               '--prefix-based', '--iso8601', '--digest', 'sha512'
               ).stdout.strip()
    assert 'temp_url_expires=20' in temp
    assert requests.get(url + temp.replace('/dir/?', '/dir/sub/b.txt?')
                        ).content == b'bbbb'
    wrong = cli(aio, 'tempurl', 'GET', 60, '/v1/AUTH_test/cli/dir/a.txt',
                'other').stdout.strip()
    assert requests.get(url + wrong).status_code == 401
    # an interrupted directory upload, resumed with --skip-identical: only
    # what is missing goes up again
    def stored(name):  # when the object was last written
        return [line for line in cli(aio, 'stat', 'cli', name).stdout.
                splitlines() if 'X-Timestamp' in line]
    before = stored('dir/a.txt')
    assert len(before) == 1
    requests.delete(url + '/v1/AUTH_test/cli/dir/sub/b.txt', headers={
        'X-Auth-Token': token})
    resumed = cli(aio, 'upload', 'cli', 'dir', '--skip-identical', cwd=work)
    assert resumed.returncode == 0, resumed.stderr
    assert resumed.stdout.split() == ['dir/sub/b.txt']
    assert stored('dir/a.txt') == before
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
    assert missing.returncode == 1
    assert "Container 'no-such-container' not found" in missing.stderr
    assert cli(aio, 'list', 'no-such-container').returncode == 1
    nothing = cli(aio, 'download', 'no-such-container', 'x', '-o',
                  tmp_path / 'x')
    assert nothing.returncode == 1
    assert "Error downloading x: Object 'no-such-container/x' not found" \
        in nothing.stderr
    assert not os.path.exists(tmp_path / 'x')
    # bad usage: exit status 2 and what is wrong
    for args, message in (
            (('tempurl', 'GET', 'soon', '/v1/a/c/o', 'k'), 'seconds must'),
            (('tempurl', 'GET', '60', '/v1/a/c', 'k'), 'full path'),
            (('-V', '3', 'stat'), 'auth version 1.0')):
        done = cli(aio, *args)
        assert done.returncode == 2 and message in done.stderr, done.stderr
        assert 'Traceback' not in done.stderr
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
    # delete --all empties the account (in bulk: the names printed as
    # they are, not as they travel)
    (work / 'caf\u00e9 1.txt').write_bytes(b'unicode')
    assert cli(aio, 'upload', 'opts', 'caf\u00e9 1.txt', cwd=work,
               **user).returncode == 0
    done = cli(aio, 'delete', '--all', **user)
    assert done.returncode == 0, done.stderr
    assert sorted(done.stdout.splitlines()) == ['caf\u00e9 1.txt', 'f.txt',
                                                'opts']
    assert cli(aio, 'list', **user).stdout == ''


def test_token_from_auth_is_reused(aio):
    """``eval $(swiftlike auth)`` then commands without credentials."""
    exports = cli(aio, 'auth').stdout
    env = dict(line.split(' ', 1)[1].split('=', 1)
               for line in exports.splitlines())
    prefix, base_env = cli_command('swiftlike')
    base_env = {k: v for k, v in (base_env or os.environ).items()
                if not k.startswith(('ST_', 'OS_'))}

    def run(*args, **extra):
        return subprocess.run(prefix + list(args), capture_output=True,
                              text=True, timeout=60,
                              env=dict(base_env, **extra))
    assert run('stat', **env).returncode == 0
    assert 'Account: AUTH_test' in run('stat', **env).stdout
    refused = run('stat', OS_STORAGE_URL=env['OS_STORAGE_URL'],
                  OS_AUTH_TOKEN='AUTH_tkbogus')
    assert refused.returncode == 1 and 'token was refused' in \
        refused.stderr
    # with credentials too, a refused token is replaced
    again = run('stat', OS_STORAGE_URL=env['OS_STORAGE_URL'],
                OS_AUTH_TOKEN='AUTH_tkbogus', ST_AUTH=aio.auth_url,
                ST_USER='test:tester', ST_KEY='testing')
    assert again.returncode == 0, again.stderr


def corrupt_every_copy(aio, account, container, obj):
    """Same length, other bytes, in every replica's .data file."""
    etc = os.path.join(aio.root, 'data', 'etc')
    prefix, env = cli_command('swiftlike-get-nodes')
    env = dict(env or os.environ,
               SWIFT_CONF_FILE=os.path.join(etc, 'swift.conf'))
    out = subprocess.run(prefix + [os.path.join(etc, 'object.ring.gz'),
                                   account, container, obj],
                         capture_output=True, text=True, env=env,
                         timeout=60).stdout
    digest = re.search(r'Hash\s+([0-9a-f]{32})', out).group(1)
    found = 0
    for root, _, files in os.walk(os.path.join(aio.root, 'data', 'srv')):
        if os.path.basename(root) == digest:
            for name in files:
                if name.endswith('.data'):
                    with open(os.path.join(root, name), 'r+b') as f:
                        f.write(b'X')
                    found += 1
    return found


def test_checksums_are_checked(aio, tmp_path):
    """What arrives is compared with the ETag, both ways."""
    work = tmp_path / 'w'
    work.mkdir()
    (work / 'f.txt').write_bytes(b'good bytes')
    assert cli(aio, 'upload', 'sums', 'f.txt', cwd=work).returncode == 0
    assert corrupt_every_copy(aio, 'AUTH_test', 'sums', 'f.txt') == 3
    target = tmp_path / 'got.txt'
    done = cli(aio, 'download', 'sums', 'f.txt', '-o', target)
    assert done.returncode == 1
    assert 'md5sum != etag' in done.stderr
    assert not target.exists() and os.listdir(tmp_path) == ['w']
    # a server that says it stored something else
    liar = RecordingServer(status=201, headers={
        'Etag': '"%s"' % ('0' * 32)})
    try:
        prefix, env = cli_command('swiftlike')
        env = {k: v for k, v in (env or os.environ).items()
               if not k.startswith(('ST_', 'OS_'))}
        env.update(OS_STORAGE_URL='http://%s/v1/AUTH_x' % liar.host,
                   OS_AUTH_TOKEN='AUTH_tkx')
        # (--leave-segments: no HEAD first, which this peer cannot answer)
        done = subprocess.run(prefix + ['upload', 'c', 'f.txt',
                                        '--leave-segments'], cwd=work,
                              capture_output=True, text=True, env=env,
                              timeout=60)
        assert done.returncode == 1
        assert 'md5 mismatch' in done.stderr and done.stdout == ''
        assert [r[:2] for r in liar.requests] == [
            ('PUT', '/v1/AUTH_x/c'), ('PUT', '/v1/AUTH_x/c/f.txt')]
        assert liar.requests[1][3] == b'good bytes'
    finally:
        liar.close()


def test_output_reads_as_swifts(aio, tmp_path):
    """Scripts that parse ``swift stat``, ``list --long``, ``capabilities``
    or ``copy`` read ours: the same lines (transaction ids aside)."""
    work = tmp_path / 'w'
    (work / 'd').mkdir(parents=True)
    (work / 'f.txt').write_bytes(b'x' * 3000)
    (work / 'd' / 'g.txt').write_bytes(b'y')
    user = {'user': 'test:tester', 'key': 'testing'}
    assert cli(aio, 'upload', 'same', 'f.txt', 'd', '-H',
               'X-Object-Meta-Color:blue', cwd=work, **user).returncode == 0
    assert cli(aio, 'post', 'same', '-r', '.r:*', '-m', 'Flavor:mint',
               **user).returncode == 0

    def lines(text):
        return [line for line in text.splitlines()
                if 'Trans-Id' not in line and 'Request-Id' not in line]
    def same(args):
        # (an account's figures may move between the two calls, as the
        # container updater reports: then they are asked again)
        ours = cli(aio, *args, **user)
        theirs = aio.swift(*args, **user)
        assert ours.returncode == theirs.returncode == 0, ours.stderr
        assert len(lines(ours.stdout)) >= 1
        return lines(ours.stdout) == lines(theirs.stdout)
    try:
        for args in (('stat',), ('stat', 'same'), ('stat', 'same', 'f.txt'),
                     ('stat', '--lh', 'same'), ('list', '--long'),
                     ('list', '--lh'), ('list', 'same', '--long'),
                     ('list', 'same', '--lh', '-d', '/'),
                     ('list', 'same', '--long', '--totals'),
                     ('capabilities',),
                     ('copy', 'same', 'f.txt', '-d', '/same/copied.txt'),
                     ('copy', 'same', 'f.txt', '-d', '/same'),
                     ('copy', 'same', 'f.txt', '-m', 'Kind:again')):
            wait_for(functools.partial(same, args), deadline=30,
                     message='the same output for %s' % (args,))
    finally:  # other tests list this account
        assert cli(aio, 'delete', 'same', **user).returncode == 0


def test_replaced_segments_are_removed(aio, tmp_path):
    """Overwriting or deleting a large object removes its old segments
    (as swift does), unless --leave-segments."""
    work = tmp_path / 'w'
    work.mkdir()
    big = work / 'big.bin'

    def segments():
        return cli(aio, 'list', 'segs_segments').stdout.split()

    def upload(size, *extra):
        big.write_bytes(os.urandom(size))
        done = cli(aio, 'upload', 'segs', 'big.bin', *extra, cwd=work)
        assert done.returncode == 0, done.stderr
        return [s for s in segments() if '/%d/' % size in s]
    first = upload(2 * 1024 * 1024 + 1, '-S', '1M')
    assert len(first) == 3 and segments() == first
    second = upload(1024 * 1024 + 7, '-S', '1M')
    assert len(second) == 2 and segments() == second
    # a plain object in its place: no segments left
    upload(10)
    assert segments() == []
    # the same for a dynamic manifest, and its delete
    dlo = upload(1024 * 1024 + 3, '-S', '1M', '--use-dlo')
    assert len(dlo) == 2 and segments() == dlo
    again = upload(1024 * 1024 + 5, '-S', '1M', '--use-dlo')
    assert segments() == again
    done = cli(aio, 'delete', 'segs', 'big.bin')
    assert done.returncode == 0 and done.stdout.split() == ['big.bin']
    assert segments() == []
    # --leave-segments keeps them
    kept = upload(1024 * 1024 + 9, '-S', '1M')
    upload(1024 * 1024 + 11, '-S', '1M', '--leave-segments')
    assert set(kept) < set(segments()) and len(segments()) == 4
    done = cli(aio, 'delete', 'segs', '--leave-segments')
    assert done.returncode == 0, done.stderr
    assert len(segments()) == 4
    assert cli(aio, 'delete', 'segs_segments').returncode == 0

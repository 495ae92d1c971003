"""swiftlike-object-info on files written by the object store."""
import os

from swiftlike.common import hashing
from swiftlike.common.ring import Ring, RingBuilder
from swiftlike.common.timestamps import Timestamp
from swiftlike.obj.diskfile import DiskFileManager
from tests.conftest import run_cli


def _ring(swift_dir):
    builder = RingBuilder(6, 3, 1)
    for zone in range(1, 5):
        builder.add_dev({'region': 1, 'zone': zone, 'ip': '127.0.0.%d' % zone,
                         'port': 6200 + zone, 'device': 'sdb%d' % zone,
                         'weight': 1})
    builder.rebalance(seed=1)
    builder.get_ring().save(os.path.join(swift_dir, 'object.ring.gz'))


def test_object_info(xattr_root, tmp_path, monkeypatch):
    swift_conf = tmp_path / 'swift.conf'
    swift_conf.write_text('[swift-hash]\nswift_hash_path_prefix = p\n'
                          'swift_hash_path_suffix = s\n')
    monkeypatch.setenv('SWIFT_CONF_FILE', str(swift_conf))
    hashing.set_hash_affixes('p', 's')
    _ring(str(tmp_path))
    os.makedirs(os.path.join(xattr_root, 'sda1'))
    mgr = DiskFileManager({'devices': xattr_root, 'mount_check': 'false'})
    df = mgr.diskfile('sda1', '12', 'AUTH_test', 'c', 'dir/café')
    ts = Timestamp.now()
    with df.writer(5) as writer:
        writer.write(b'hello')
        writer.put({'X-Timestamp': ts.internal, 'Content-Type': 'text/x',
                    'Content-Length': '5', 'ETag': writer.etag,
                    'X-Object-Meta-Color': 'blue',
                    'X-Object-Sysmeta-Key': 'sys', 'name': df.name})
    data_file = os.path.join(df.datadir, ts.internal + '.data')
    result = run_cli('swiftlike-object-info', data_file, '--swift-dir',
                     tmp_path)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    digest = hashing.hash_path('AUTH_test', 'c', 'dir/café')
    ring = Ring(str(tmp_path), ring_name='object')
    part, nodes = ring.get_nodes('AUTH_test', 'c', 'dir/café')
    assert 'Path: /AUTH_test/c/dir/café' in out
    assert '  Object hash: %s' % digest in out
    assert 'Timestamp: %s (%s)' % (ts.isoformat, ts.internal) in out
    assert '  X-Object-Meta-Color: blue' in out
    assert '  X-Object-Sysmeta-Key: sys' in out
    assert 'ETag: 5d41402abc4b2a76b9719d911017c592 (valid)' in out
    assert 'Content-Length: 5 (valid)' in out
    assert 'Partition\t%d' % part in out
    for node in nodes:
        assert 'Server:Port Device\t%s:%s %s\n' % (
            node['ip'], node['port'], node['device']) in out
    handoff = next(ring.get_more_nodes(part))
    assert '%s:%s %s\t [Handoff]' % (handoff['ip'], handoff['port'],
                                      handoff['device']) in out
    assert 'caf%C3%A9' in out
    # corrupt the body: the ETag check says so
    with open(data_file, 'r+b') as f:
        f.write(b'J')
    out = run_cli('swiftlike-object-info', data_file, '--swift-dir',
                  tmp_path).stdout
    assert 'ETag: 5d41402abc4b2a76b9719d911017c592 (invalid' in out


def test_object_info_errors(tmp_path):
    result = run_cli('swiftlike-object-info', tmp_path / 'missing.data')
    assert result.returncode == 1
    assert 'is not a file' in result.stderr
    plain = tmp_path / '1.data'
    plain.write_bytes(b'no xattrs')
    result = run_cli('swiftlike-object-info', plain)
    assert result.returncode == 1
    assert 'no readable object metadata' in result.stderr

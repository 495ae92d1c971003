"""DiskFile on a real xattr filesystem: layout, durability rules,
quarantine, metadata limits and the space reserve."""
import os
import pickle

import pytest

from swiftlike.common import hashing
from swiftlike.common.exceptions import (
    DiskFileDeleted,
    DiskFileDeviceUnavailable,
    DiskFileExpired,
    DiskFileNoSpace,
    DiskFileNotExist,
    DiskFileQuarantined,
)
from swiftlike.common.timestamps import Timestamp
from swiftlike.obj.diskfile import DiskFileManager, read_metadata
from swiftlike.obj.hashes import INVALID_FILE
from swiftlike.obj.metadata import split_chunks
from tests.conftest import load_vector
from tests.servers import supports_big_xattrs

VECTORS = load_vector('metadata.json')
OBJ = VECTORS['object']


@pytest.fixture
def mgr(xattr_root):
    hashing.set_hash_affixes('vectorprefix', 'vectorsuffix')
    os.makedirs(os.path.join(xattr_root, 'sda1'))
    return DiskFileManager({'devices': xattr_root, 'mount_check': 'false'})


def _df(mgr, obj=OBJ['object'], policy=0):
    return mgr.diskfile('sda1', str(OBJ['partition']), OBJ['account'],
                        OBJ['container'], obj, policy)


def _put(df, body=b'hello swift\n', timestamp='1700000000.12345',
         extra=None):
    with df.writer(len(body)) as writer:
        writer.write(body)
        metadata = {'X-Timestamp': Timestamp(timestamp).internal,
                    'Content-Type': 'text/plain',
                    'Content-Length': str(len(body)), 'ETag': writer.etag}
        metadata.update(extra or {})
        metadata['name'] = df.name
        writer.put(metadata)
    return metadata


def test_layout_and_vector_bytes(mgr, xattr_root):
    case = VECTORS['cases'][0]
    df = _df(mgr)
    assert df.datadir == os.path.join(xattr_root, 'sda1', OBJ['hash_dir'])
    with df.writer(12) as writer:
        writer.write(OBJ['body'].encode())
        writer.put(case['file']['decoded_metadata'])
    path = os.path.join(df.datadir, case['file']['file_name'])
    assert sorted(os.listdir(df.datadir)) == case['hash_dir_files_after']
    stored = {key: os.getxattr(path, key) for key in os.listxattr(path)}
    expected = {c['key']: c for c in case['file']['chunks']}
    assert set(stored) == set(case['file']['xattr_keys'])
    import base64
    for key, chunk in expected.items():
        assert stored[key] == base64.b64decode(chunk['value_b64'])
    assert os.path.getsize(path) == case['file']['file_size']
    with open(os.path.join(df.partition_dir, INVALID_FILE)) as f:
        assert f.read() == OBJ['hash'][-3:] + '\n'


def test_read_back_and_overlay_meta(mgr):
    df = _df(mgr)
    _put(df, extra={'X-Object-Meta-A': '1', 'X-Object-Sysmeta-S': 's',
                    'Content-Disposition': 'inline'})
    df.write_metadata({'X-Timestamp': Timestamp(1700000100).internal,
                       'X-Object-Meta-B': '2', 'Content-Type': 'app/x',
                       'Content-Type-Timestamp':
                           Timestamp(1700000100).internal,
                       'name': df.name})
    opened = _df(mgr).open()
    assert b''.join(opened.reader()) == b'hello swift\n'
    meta = opened.metadata
    assert meta['X-Object-Meta-B'] == '2' and 'X-Object-Meta-A' not in meta
    assert meta['X-Object-Sysmeta-S'] == 's'
    assert 'Content-Disposition' not in meta
    assert meta['Content-Type'] == 'app/x'
    assert opened.timestamp == Timestamp(1700000100)
    assert opened.data_timestamp == Timestamp('1700000000.12345')
    assert sorted(os.listdir(df.datadir)) == [
        '1700000000.12345.data', '1700000100.00000+0.meta']


def test_tombstone_and_obsolete_cleanup(mgr):
    now = Timestamp.now()
    df = _df(mgr)
    _put(df, timestamp=now)
    deleted_at = Timestamp(now, delta=100)
    df.delete(deleted_at)
    assert os.listdir(df.datadir) == [deleted_at.internal + '.ts']
    with pytest.raises(DiskFileDeleted) as err:
        _df(mgr).open()
    assert err.value.timestamp == deleted_at
    again = Timestamp(now, delta=200)
    _put(_df(mgr), b'again', again)
    assert os.listdir(df.datadir) == [again.internal + '.data']


def test_tombstone_past_reclaim_age_is_removed_at_once(mgr):
    df = _df(mgr)
    _put(df)
    df.delete(Timestamp(1700000200))  # 2023: older than reclaim_age
    assert os.listdir(df.datadir) == []


def test_missing_and_expired(mgr):
    with pytest.raises(DiskFileNotExist):
        _df(mgr, 'nothing').open()
    df = _df(mgr, 'short-lived')
    _put(df, extra={'X-Delete-At': '1700000500'})
    with pytest.raises(DiskFileExpired):
        _df(mgr, 'short-lived').open(now=1700000600)
    assert _df(mgr, 'short-lived').open(now=1700000400).content_length == 12
    assert _df(mgr, 'short-lived').open(now=1700000600, open_expired=True)


def test_device_unavailable(mgr, xattr_root):
    with pytest.raises(DiskFileDeviceUnavailable):
        mgr.diskfile('nodev', '1', 'a', 'c', 'o')
    checked = DiskFileManager({'devices': xattr_root, 'mount_check': 'true'})
    with pytest.raises(DiskFileDeviceUnavailable):
        checked.diskfile('sda1', '1', 'a', 'c', 'o')


def _quarantined(xattr_root, name):
    qdir = os.path.join(xattr_root, 'sda1', 'quarantined', 'objects')
    return name in os.listdir(qdir) if os.path.isdir(qdir) else False


def test_bad_checksum_quarantines(mgr, xattr_root):
    df = _df(mgr)
    _put(df)
    path = os.path.join(df.datadir, '1700000000.12345.data')
    os.setxattr(path, 'user.swift.metadata_checksum', b'0' * 32)
    with pytest.raises(DiskFileQuarantined):
        _df(mgr).open()
    assert not os.path.exists(df.datadir)
    assert _quarantined(xattr_root, df.hash)
    with open(os.path.join(df.partition_dir, INVALID_FILE)) as f:
        assert df.hash[-3:] in f.read().split()


def test_truncated_data_quarantines(mgr, xattr_root):
    df = _df(mgr)
    _put(df)
    os.truncate(os.path.join(df.datadir, '1700000000.12345.data'), 5)
    with pytest.raises(DiskFileQuarantined):
        _df(mgr).open()
    assert _quarantined(xattr_root, df.hash)
    # a second quarantine of the same hash gets a unique name
    _put(_df(mgr))
    os.truncate(os.path.join(df.datadir, '1700000000.12345.data'), 1)
    with pytest.raises(DiskFileQuarantined):
        _df(mgr).open()
    names = os.listdir(os.path.join(xattr_root, 'sda1', 'quarantined',
                                    'objects'))
    assert len(names) == 2 and any(n.startswith(df.hash + '-')
                                   for n in names)


def test_corrupt_body_quarantined_after_full_read(mgr, xattr_root):
    df = _df(mgr)
    _put(df)
    with open(os.path.join(df.datadir, '1700000000.12345.data'), 'r+b') as f:
        f.write(b'J')
    opened = _df(mgr).open()
    assert b''.join(opened.reader()) == b'Jello swift\n'
    assert _quarantined(xattr_root, df.hash)


def test_hash_dir_that_is_a_file(mgr, xattr_root):
    df = _df(mgr)
    os.makedirs(df.suffix_dir)
    open(df.datadir, 'w').close()
    with pytest.raises(DiskFileQuarantined):
        _df(mgr).open()
    assert _quarantined(xattr_root, df.hash)


def test_large_metadata(mgr):
    df = _df(mgr)
    meta = _put(df, extra={'X-Object-Sysmeta-Big': 'x' * 70000})
    path = os.path.join(df.datadir, '1700000000.12345.data')
    assert 'user.swift.metadata1' in os.listxattr(path)
    fd = os.open(path, os.O_RDONLY)
    try:
        assert read_metadata(fd) == meta
    finally:
        os.close(fd)


def test_filesystem_refusing_large_metadata(tmp_path):
    """ext4 keeps all xattrs of an inode in one block: refused, nothing
    half-written."""
    if supports_big_xattrs(str(tmp_path)):
        pytest.skip('%s accepts large xattrs' % tmp_path)
    hashing.set_hash_affixes('vectorprefix', 'vectorsuffix')
    os.makedirs(tmp_path / 'sda1')
    small = DiskFileManager({'devices': str(tmp_path),
                             'mount_check': 'false'})
    df = small.diskfile('sda1', '1', 'a', 'c', 'o')
    with pytest.raises(DiskFileNoSpace, match='use XFS'):
        _put(df, extra={'X-Object-Sysmeta-Big': 'x' * 70000})
    assert os.listdir(df.datadir) == []
    assert os.listdir(tmp_path / 'sda1' / 'tmp') == [] \
        if (tmp_path / 'sda1' / 'tmp').exists() else True


def test_fallocate_reserve(xattr_root):
    hashing.set_hash_affixes('vectorprefix', 'vectorsuffix')
    os.makedirs(os.path.join(xattr_root, 'sda1'))
    full = DiskFileManager({'devices': xattr_root, 'mount_check': 'false',
                            'fallocate_reserve': '100%'})
    df = full.diskfile('sda1', '1', 'a', 'c', 'o')
    with pytest.raises(DiskFileNoSpace):
        df.writer(10).open()
    now = Timestamp.now()
    df.delete(now)  # tombstones need no room
    assert os.listdir(df.datadir) == [now.internal + '.ts']
    huge = DiskFileManager({'devices': xattr_root, 'mount_check': 'false',
                            'fallocate_reserve': str(10 ** 18)})
    with pytest.raises(DiskFileNoSpace):
        huge.diskfile('sda1', '1', 'a', 'c', 'o2').writer(1).open()
    with pytest.raises(DiskFileNoSpace):  # chunked: checked before a byte
        huge.diskfile('sda1', '1', 'a', 'c', 'o2').writer(None).open()


def test_mb_per_sync_and_multichunk(mgr):
    small_sync = DiskFileManager({'devices': mgr.devices,
                                  'mount_check': 'false', 'mb_per_sync': '1'})
    df = small_sync.diskfile('sda1', '1', 'a', 'c', 'big')
    body = os.urandom(3 * 1024 * 1024 + 5)
    with df.writer(len(body)) as writer:
        for offset in range(0, len(body), 65536):
            writer.write(body[offset:offset + 65536])
        writer.put({'X-Timestamp': Timestamp(5).internal,
                    'Content-Type': 'x', 'Content-Length': str(len(body)),
                    'ETag': writer.etag, 'name': df.name})
    assert b''.join(small_sync.diskfile('sda1', '1', 'a', 'c', 'big')
                    .open().reader()) == body


def test_aborted_write_leaves_nothing(mgr):
    df = _df(mgr, 'aborted')
    with df.writer(10) as writer:
        writer.write(b'12345')
    assert os.listdir(df.datadir) == []


def test_mkstemp_fallback_and_tmp_cleanup(mgr, xattr_root):
    mgr.use_linkat = False
    df = _df(mgr, 'fallback')
    _put(df)
    assert os.listdir(df.datadir) == ['1700000000.12345.data']
    tmpdir = os.path.join(xattr_root, 'sda1', 'tmp')
    assert os.listdir(tmpdir) == []
    with df.writer(10) as writer:
        writer.write(b'partial')
        stale = writer.tmppath
        assert os.path.dirname(stale) == tmpdir
    assert os.listdir(tmpdir) == []
    leftover = os.path.join(tmpdir, 'tmpdead')
    open(leftover, 'w').close()
    os.utime(leftover, (1, 1))
    fresh = os.path.join(tmpdir, 'tmplive')
    open(fresh, 'w').close()
    assert mgr.cleanup_tmp() == 1
    assert os.listdir(tmpdir) == ['tmplive']


def test_async_pending_vector(mgr, xattr_root):
    from swiftlike.obj.async_pending import write_async_pending
    case = VECTORS['async_pending_case']
    dev = os.path.join(xattr_root, 'sda1')
    path = write_async_pending(dev, 0, 'PUT', 'AUTH_test', 'photos',
                               'pending-obj', case['decoded']['headers'])
    assert os.path.relpath(path, dev) == case['relative_path']
    with open(path, 'rb') as f:
        raw = f.read()
    assert pickle.loads(raw) == case['decoded']
    assert raw.startswith(b'(dp0\nVop\n')
    import base64

    from swiftlike.common.safe_pickle import safe_loads
    swift_written = safe_loads(base64.b64decode(case['pickle_b64']),
                               encoding='utf8')
    assert swift_written == case['decoded']


def test_chunks_written_in_order(mgr):
    pickled_keys = [k for k, _ in split_chunks(b'x' * 140000)]
    assert pickled_keys == ['user.swift.metadata', 'user.swift.metadata1',
                            'user.swift.metadata2',
                            'user.swift.metadata_checksum']

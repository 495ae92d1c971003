"""ring.gz bytes: round trips, Swift's layout, v2, and corrupt input."""
import gzip
import hashlib
import os
import struct
import zlib
from array import array

import pytest

from swiftlike.common.exceptions import RingLoadError
from swiftlike.common.ring import RingData, codec
from tests.conftest import load_vector, vector_path


def _md5(path):
    with open(path, 'rb') as f:
        return hashlib.md5(f.read()).hexdigest()


@pytest.mark.parametrize('name', ['sample', 'frac', 'pp17'])
def test_round_trip_same_md5(tmp_path, name):
    vectors = load_vector('%s-ring-lookups.json' % name)
    ring_data = RingData.load(vector_path(vectors['ring_file']))
    out = tmp_path / vectors['ring_file']
    ring_data.save(str(out))
    payload = gzip.decompress(out.read_bytes())
    assert hashlib.sha256(payload).hexdigest() == \
        vectors['file']['uncompressed_sha256']
    assert len(payload) == vectors['file']['uncompressed_size']
    assert _md5(out) == vectors['file']['file_md5']
    assert oct(os.stat(out).st_mode & 0o777) == '0o644'


def test_sample_written_from_vector_table(tmp_path):
    """Write from the vectors' devs and table alone (as a builder would)."""
    vectors = load_vector('sample-ring-lookups.json')
    rows = [array('H', row) for row in vectors['ring']['replica2part2dev_id']]
    ring_data = RingData(rows, vectors['ring']['devs'], 24, version=9)
    out = tmp_path / 'sample.ring.gz'
    ring_data.save(str(out))
    head = out.read_bytes()[:10]
    assert head.hex() == vectors['file']['gzip_header_hex']
    payload = gzip.decompress(out.read_bytes())
    expected = vectors['file']
    assert payload[:16].hex() == expected['first_uncompressed_bytes_hex']
    json_len = struct.unpack_from('!I', payload, 6)[0]
    assert json_len == vectors['file']['v1_json_length']
    assert payload[10:10 + json_len].decode() == \
        vectors['file']['v1_json_text']
    assert _md5(out) == vectors['file']['file_md5']


def test_fname_is_the_target_not_the_temp_file(tmp_path):
    ring_data = RingData.load(vector_path('sample.ring.gz'))
    out = tmp_path / 'object-1.ring.gz'
    ring_data.save(str(out))
    assert out.read_bytes()[10:24] == b'object-1.ring\0'
    assert [p.name for p in tmp_path.iterdir()] == ['object-1.ring.gz']


def test_v2_write_matches_swift(tmp_path):
    vectors = load_vector('sample-ring-lookups.json')
    ring_data = RingData.load(vector_path('sample.v2.ring.gz'))
    assert ring_data.format_version == 2
    out = tmp_path / 'sample.v2.ring.gz'
    ring_data.save(str(out), format_version=2)
    assert _md5(out) == vectors['v2_file']['file_md5']


def test_v2_four_byte_ids_round_trip(tmp_path):
    ring_data = RingData.load(vector_path('frac.ring.gz'))
    out = tmp_path / 'wide.ring.gz'
    ring_data.save(str(out), format_version=2, dev_id_bytes=4)
    again = RingData.load(str(out))
    assert again.dev_id_bytes == 4
    assert [list(r) for r in again.replica2part2dev_id] == \
        [list(r) for r in ring_data.replica2part2dev_id]
    assert again.replica_count == 2.5


def test_v2_tail_is_31_bytes_seekable(tmp_path):
    with open(vector_path('sample.v2.ring.gz'), 'rb') as f:
        data = f.read()
    tail = data[-codec.V2_TAIL_LENGTH:]
    offset = zlib.decompressobj(-zlib.MAX_WBITS).decompress(tail[:13])
    index_at = struct.unpack('!Q', offset)[0]
    assert 0 < index_at < len(data)
    ours = RingData.load(vector_path('sample.v2.ring.gz')).serialize(
        'sample.v2.ring', format_version=2)
    assert ours[-codec.V2_TAIL_LENGTH:-8] == tail[:-8]


def test_v1_refuses_wide_ids():
    devs = [None] * 70000
    devs.append({'id': 70000, 'region': 1, 'zone': 1, 'ip': 'a', 'port': 1,
                 'device': 'd', 'weight': 1.0, 'meta': ''})
    ring_data = RingData([array('I', [70000])], devs, 32)
    with pytest.raises(ValueError, match='4-byte'):
        ring_data.serialize('x.ring')


def test_missing_keys_get_reader_defaults():
    ring_data = RingData([array('H', [0])], [{'id': 0, 'zone': 1,
                                              'ip': '1.2.3.4', 'port': 6200,
                                              'device': 'sda',
                                              'weight': 1.0}], 32)
    dev = ring_data.devs[0]
    assert dev['region'] == 1
    assert (dev['replication_ip'], dev['replication_port']) == \
        ('1.2.3.4', 6200)


def test_other_byteorder_is_swapped():
    ring_data = RingData.load(vector_path('sample.ring.gz'))
    import sys
    other = 'big' if sys.byteorder == 'little' else 'little'
    body = codec._rows_bytes(ring_data.replica2part2dev_id, 'H', other)
    rows = codec._read_rows(body, 3, 256, 'H', other)
    assert rows == ring_data.replica2part2dev_id


@pytest.mark.parametrize('data, message', [
    (b'not gzip at all', 'not a gzip file'),
    (gzip.compress(b'XXXX\x00\x01'), 'bad magic'),
    (gzip.compress(b'R1NG\x00\x07'), 'unknown ring format version 7'),
    (gzip.compress(b'R1NG\x00\x01\x00\x00\x00\x05{"a"'), 'corrupt v1'),
])
def test_corrupt_files(data, message):
    with pytest.raises(RingLoadError, match=message):
        RingData.deserialize(data)


def test_gzip_fname():
    assert codec.gzip_fname('/etc/swift/object.ring.gz') == 'object.ring'
    assert codec.gzip_fname('account.ring') == 'account.ring'

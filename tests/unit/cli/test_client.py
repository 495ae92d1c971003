"""The client's pure helpers: header options, the progress bar,
temp URL signing."""
import hashlib
import io
from urllib.parse import parse_qs

import pytest

from swiftlike.cli.client import (
    UsageError,
    headers_from,
    temp_url,
)
from swiftlike.cli.client_args import byte_size, parser
from swiftlike.cli.client_http import ClientError
from swiftlike.cli.client_progress import Progress, ProgressReader
from swiftlike.common.tempurl_signing import signature


class Terminal(io.StringIO):
    def isatty(self):
        return True


def test_header_options():
    assert headers_from(['Color: blue', 'X-Thing:1'], 'X-Object-Meta-') == {
        'X-Object-Meta-Color': 'blue', 'X-Object-Meta-X-Thing': '1'}
    with pytest.raises(ClientError):
        headers_from(['no-colon'])


def test_progress_only_on_a_terminal_for_big_files():
    screen = Terminal()
    bar = Progress('big.bin', 16 * 1024 * 1024, stream=screen)
    bar.add(8 * 1024 * 1024)
    bar.add(8 * 1024 * 1024)
    assert ' 50%' in screen.getvalue() and '100%\n' in screen.getvalue()
    quiet = io.StringIO()
    Progress('big.bin', 16 * 1024 * 1024, stream=quiet).add(100)
    small = Terminal()
    Progress('small', 10, stream=small).add(10)
    assert quiet.getvalue() == '' and small.getvalue() == ''


def signed(*argv):
    query = temp_url(parser().parse_args(['tempurl'] + list(argv)))
    path, _, query = query.partition('?')
    return path, {k: v[0] for k, v in parse_qs(query).items()}


def test_temp_url_expiry_forms():
    _, q = signed('GET', '1700000000', '/v1/a/c/o', 'k', '--absolute')
    assert q['temp_url_expires'] == '1700000000'
    assert q['temp_url_sig'] == signature(
        'k', 'GET', 1700000000, '/v1/a/c/o').hex()
    _, q = signed('put', '2030-01-02T03:04:05Z', '/v1/a/c/o', 'k',
                  '--digest', 'sha1')
    assert q['temp_url_expires'] == '1893553445'
    assert q['temp_url_sig'] == signature(
        'k', 'PUT', 1893553445, '/v1/a/c/o', 'sha1').hex()
    _, q = signed('GET', '1893553445', '/v1/a/c/pre', 'k', '--absolute',
                  '--iso8601', '--prefix-based', '--ip-range', '10.0.0.0/8')
    assert q == {'temp_url_expires': '2030-01-02T03:04:05Z',
                 'temp_url_prefix': 'pre', 'temp_url_ip_range': '10.0.0.0/8',
                 'temp_url_sig': signature(
                     'k', 'GET', 1893553445, 'prefix:/v1/a/c/pre',
                     ip_range='10.0.0.0/8').hex()}


@pytest.mark.parametrize('argv', [
    ('GET', 'tomorrow', '/v1/a/c/o', 'k'),
    ('GET', '-5', '/v1/a/c/o', 'k'),
    ('GET', '60', 'v1/a/c/o', 'k'),
    ('GET', '60', '/v1/a/c/', 'k'),
    ('GET', '60', '/v1/a//o', 'k'),
])
def test_temp_url_refuses_bad_input(argv):
    with pytest.raises(UsageError):
        signed(*argv)


def test_segment_sizes():
    assert byte_size('1048576') == 1048576
    assert byte_size('512K') == 512 * 1024
    assert byte_size('1m') == 1024 * 1024
    assert byte_size('2G') == 2 * 1024 ** 3
    assert byte_size('7B') == 7
    for bad in ('', 'M', '1T', '-1M', '0', 'lots'):
        with pytest.raises(Exception, match='invalid segment size'):
            byte_size(bad)


def test_reader_sends_a_slice_and_hashes_it(tmp_path):
    """A segment: ``length`` bytes from where the file is, read in large
    blocks whatever size is asked for."""
    path = tmp_path / 'f'
    path.write_bytes(b'0123456789' * 300000)  # 3,000,000 bytes
    with open(path, 'rb') as f:
        f.seek(1000)
        reader = ProgressReader(f, Progress('f', 0, stream=io.StringIO()),
                                length=1500000)
        assert reader.len == 1500000
        first = reader.read(8192)
        assert len(first) == 1024 * 1024  # at least CHUNK at a time
        rest = reader.read(8192)
        assert reader.read(8192) == b''
    sent = first + rest
    assert sent == (b'0123456789' * 300000)[1000:1501000]
    assert reader.md5.hexdigest() == hashlib.md5(sent).hexdigest()

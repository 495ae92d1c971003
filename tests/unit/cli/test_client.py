"""The client's pure helpers: sizes, header options, the progress bar."""
import io

import pytest

from swiftlike.cli.client import Progress, headers_from, human
from swiftlike.cli.client_http import ClientError


class Terminal(io.StringIO):
    def isatty(self):
        return True


def test_human_sizes():
    assert human(5) == '5'
    assert human(2048) == '2.0K'
    assert human(3 * 1024 * 1024 + 5) == '3.0M'


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

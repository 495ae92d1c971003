"""Range parsing with Swift's rules and multipart framing."""
import pytest

from swiftlike.common.ranges import (
    UnsatisfiableRange,
    closing_boundary,
    multipart_body,
    multipart_length,
    multipart_parts,
    parse_range,
)


@pytest.mark.parametrize('header, expected', [
    (None, None),
    ('bytes=0-4', [(0, 4)]),
    ('bytes=5-', [(5, 9)]),
    ('bytes=-3', [(7, 9)]),
    ('bytes=-30', [(0, 9)]),
    ('bytes=3-300', [(3, 9)]),
    ('bytes= 1-2 , 4-5', [(1, 2), (4, 5)]),
    ('bytes=0-0,-0', [(0, 0)]),
    # malformed anywhere: the header is ignored
    ('bytes=5-3', None), ('bytes=-', None), ('bytes=45', None),
    ('bytes=a-b', None), ('0-4', None), ('bytes=0-1,x', None),
    ('bytes=', None), ('items=0-1', None),
])
def test_parse(header, expected):
    assert parse_range(header, 10) == expected


@pytest.mark.parametrize('header', [
    'bytes=100-', 'bytes=200-300', 'bytes=-0',
    'bytes=' + ','.join('%d-%d' % (i, i) for i in range(51)),
    'bytes=0-5,1-6,2-7,3-8',  # more than two overlapping pairs
    'bytes=' + ','.join('%d-%d' % (i, i) for i in range(9, -1, -1)),
])
def test_unsatisfiable(header):
    with pytest.raises(UnsatisfiableRange):
        parse_range(header, 100)


def test_empty_object():
    assert parse_range('bytes=-5', 0) is None  # served whole: empty 200
    with pytest.raises(UnsatisfiableRange):
        parse_range('bytes=0-1', 0)


def test_two_overlaps_allowed_and_seven_descents_allowed():
    assert parse_range('bytes=0-5,1-6,2-7', 10) == [(0, 5), (1, 6), (2, 7)]
    header = 'bytes=' + ','.join('%d-%d' % (i, i) for i in range(7, -1, -1))
    assert len(parse_range(header, 10)) == 8


def test_multipart_framing_and_length():
    data = b'0123456789'
    parts = multipart_parts([(0, 1), (5, 9)], 10, 'text/plain', 'b0undary')
    body = b''.join(multipart_body(parts, 'b0undary',
                                   lambda f, last: [data[f:last + 1]]))
    assert body == (b'--b0undary\r\nContent-Type: text/plain\r\n'
                    b'Content-Range: bytes 0-1/10\r\n\r\n01\r\n'
                    b'--b0undary\r\nContent-Type: text/plain\r\n'
                    b'Content-Range: bytes 5-9/10\r\n\r\n56789\r\n'
                    b'--b0undary--')
    assert multipart_length(parts, 'b0undary') == len(body)
    assert closing_boundary('x') == b'--x--'

"""Listing parameters, negotiation and bodies as spec/api.md shows them."""
import pytest

from swiftlike.common.listing import (
    ListingError,
    choose_format,
    container_record,
    listing_params,
    object_record,
    render,
)

OBJ_ROWS = [('café/menu.txt', '1700000000.12345', 12, 'text/plain',
             '3ddb068de95c1c3ea2dedeecd0fe5613'),
            ('photos/', '0', 0, None, '')]


def test_container_json_exactly():
    records = [object_record(r) for r in OBJ_ROWS]
    assert render('application/json', 'container', 'c', records) == (
        b'[{"bytes": 12, "hash": "3ddb068de95c1c3ea2dedeecd0fe5613", '
        b'"name": "caf\\u00e9/menu.txt", "content_type": "text/plain", '
        b'"last_modified": "2023-11-14T22:13:20.123450"}, '
        b'{"subdir": "photos/"}]')


def test_container_xml_and_plain():
    records = [object_record(r) for r in OBJ_ROWS]
    assert render('application/xml', 'container', 'c', records) == (
        '<?xml version="1.0" encoding="UTF-8"?>\n<container name="c">'
        '<object><name>café/menu.txt</name>'
        '<hash>3ddb068de95c1c3ea2dedeecd0fe5613</hash><bytes>12</bytes>'
        '<content_type>text/plain</content_type>'
        '<last_modified>2023-11-14T22:13:20.123450</last_modified>'
        '</object><subdir name="photos/"><name>photos/</name></subdir>'
        '</container>').encode()
    assert render('text/plain', 'container', 'c', records) == \
        'café/menu.txt\nphotos/\n'.encode()
    assert render('application/xml', 'container', 'a&b', []) == \
        b'<?xml version="1.0" encoding="UTF-8"?>\n<container name="a&amp;b" />'
    assert render('application/json', 'container', 'c', []) == b'[]'


def test_account_formats():
    rows = [('c1', 3, 1024, '1700000000.00000', 0, 0),
            ('pre/', 0, 0, '0', 1, None)]
    records = [container_record(r, {0: 'Policy-0'}) for r in rows]
    assert render('application/json', 'account', 'AUTH_test', records) == (
        b'[{"name": "c1", "count": 3, "bytes": 1024, '
        b'"last_modified": "2023-11-14T22:13:20.000000", '
        b'"storage_policy": "Policy-0"}, {"subdir": "pre/"}]')
    assert render('text/xml', 'account', 'AUTH_test', records) == (
        b'<?xml version="1.0" encoding="UTF-8"?>\n<account name="AUTH_test">'
        b'\n<container><name>c1</name><count>3</count><bytes>1024</bytes>'
        b'<last_modified>2023-11-14T22:13:20.000000</last_modified>'
        b'<storage_policy>Policy-0</storage_policy></container>\n'
        b'<subdir name="pre/" />\n</account>')
    assert render('application/xml', 'account', 'AUTH_test', []) == \
        b'<?xml version="1.0" encoding="UTF-8"?>\n<account ' \
        b'name="AUTH_test">\n</account>'


def test_swift_bytes_and_meta_time():
    record = object_record(('o', '1700000000.00000+0+186a0', 0,
                            'text/plain;swift_bytes=2048', 'e'))
    assert record['bytes'] == 2048 and record['content_type'] == \
        'text/plain'
    assert record['last_modified'] == '2023-11-14T22:13:21.000000'


@pytest.mark.parametrize('params, accept, expected', [
    ({'format': 'json'}, 'text/xml', 'application/json'),
    ({'format': 'XML'}, None, 'application/xml'),
    ({'format': 'nonsense'}, None, 'text/plain'),
    ({}, None, 'text/plain'),
    ({}, 'application/json', 'application/json'),
    ({}, 'text/xml', 'text/xml'),
    ({}, '*/*', 'text/plain'),
    ({}, 'application/*', 'application/json'),
    ({}, 'application/json;q=0.5, text/xml', 'text/xml'),
])
def test_choose_format(params, accept, expected):
    assert choose_format(params, accept) == expected


def test_bad_accept():
    with pytest.raises(ListingError) as err:
        choose_format({}, 'image/png')
    assert err.value.status == 406
    with pytest.raises(ListingError) as err:
        choose_format({}, 'garbage')
    assert (err.value.status, err.value.body) == (400,
                                                  'Invalid Accept header')


def test_listing_params():
    parsed = listing_params({'limit': '5', 'marker': 'a', 'reverse': 'on',
                             'prefix': 'caf\xc3\xa9'}, 10000)
    assert parsed == {'limit': 5, 'reverse': True, 'marker': 'a',
                      'end_marker': '', 'prefix': 'café', 'delimiter': '',
                      'path': None}
    assert listing_params({'limit': 'abc'}, 10000)['limit'] == 10000
    assert listing_params({'limit': '0'}, 10000)['limit'] == 0
    with pytest.raises(ListingError) as err:
        listing_params({'limit': '10001'}, 10000)
    assert (err.value.status, err.value.body) == (412, 'Maximum limit is '
                                                  '10000')
    with pytest.raises(ListingError) as err:
        listing_params({'marker': '\xff'}, 10000)
    assert err.value.body == '"marker" parameter not valid UTF-8'

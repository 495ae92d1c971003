"""Conditional GET/HEAD evaluation in Swift's order."""
import pytest

from swiftlike.common.conditional import evaluate, parse_etag_list
from swiftlike.common.http import error_body, http_date, parse_http_date

ETAG = '3ddb068de95c1c3ea2dedeecd0fe5613'
MODIFIED = 1700000001
EARLIER = http_date(MODIFIED - 10)
SAME = http_date(MODIFIED)


@pytest.mark.parametrize('headers, status', [
    ({}, None),
    ({'If-None-Match': '"%s"' % ETAG}, 304),
    ({'If-None-Match': '*'}, 304),
    ({'If-None-Match': '"other", %s' % ETAG}, 304),
    ({'If-None-Match': '"other"'}, None),
    ({'If-Match': '"%s"' % ETAG}, None),
    ({'If-Match': '*'}, None),
    ({'If-Match': '"other"'}, 412),
    ({'If-Modified-Since': SAME}, 304),
    ({'If-Modified-Since': EARLIER}, None),
    ({'If-Unmodified-Since': EARLIER}, 412),
    ({'If-Unmodified-Since': SAME}, None),
    ({'If-Modified-Since': 'not a date'}, None),
    # order: If-None-Match before If-Match
    ({'If-None-Match': '*', 'If-Match': '"other"'}, 304),
])
def test_evaluate(headers, status):
    assert evaluate(headers, ETAG, MODIFIED) == status


def test_missing_object():
    assert evaluate({'If-Match': '*'}, None, None, exists=False) == 412
    assert evaluate({'If-None-Match': '*'}, None, None, exists=False) is None
    assert evaluate({}, None, None, exists=False) is None


def test_etag_list_parsing():
    assert parse_etag_list(' "a" ,b, W/"c",,') == {'a', 'b', 'c'}
    assert parse_etag_list(None) is None


def test_http_dates_and_bodies():
    assert http_date(1402464678) == 'Wed, 11 Jun 2014 05:31:18 GMT'
    assert parse_http_date('Wed, 11 Jun 2014 05:31:18 GMT') == 1402464678
    assert parse_http_date('garbage') is None
    assert error_body(404) == (b'<html><h1>Not Found</h1><p>The resource '
                               b'could not be found.</p></html>')
    assert error_body(201) == b''
    assert b'Drive: sdb1' in error_body(507, drive='sdb1')

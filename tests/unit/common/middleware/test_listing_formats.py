import json

from webob import Request, Response

from swiftlike.common.middleware.listing_formats import (
    ListingFormatsMiddleware,
)

RECORDS = [{'name': 'caf\u00e9 & co', 'hash': 'abc', 'bytes': 3,
            'content_type': 'text/plain',
            'last_modified': '2026-01-01T00:00:00.000000'},
           {'subdir': 'photos/'}]


class ListingApp:
    """Answers like the proxy: a JSON listing, and records the request."""

    def __init__(self, records=RECORDS, status=200):
        self.records = records
        self.status = status
        self.seen = []

    def __call__(self, environ, start_response):
        req = Request(environ)
        self.seen.append((req.query_string, req.headers.get('Accept')))
        body = json.dumps(self.records).encode()
        resp = Response(status=self.status, body=body)
        resp.headers['Content-Type'] = 'application/json; charset=utf-8'
        resp.headers['X-Container-Object-Count'] = '1'
        return resp(environ, start_response)


def call(app, path, **kwargs):
    return Request.blank(path, **kwargs).get_response(
        ListingFormatsMiddleware(app, {}))


def test_default_is_plain_text_from_a_json_listing():
    app = ListingApp()
    resp = call(app, '/v1/AUTH_a/c?prefix=x')
    assert resp.status_int == 200
    assert resp.body == 'caf\u00e9 & co\nphotos/\n'.encode()
    assert resp.headers['Content-Type'] == 'text/plain; charset=utf-8'
    assert resp.headers['Vary'] == 'Accept'
    assert resp.headers['X-Container-Object-Count'] == '1'
    assert app.seen == [('prefix=x&format=json', 'application/json')]


def test_xml_by_parameter_has_no_vary():
    resp = call(ListingApp(), '/v1/AUTH_a/c?format=xml')
    assert resp.headers['Content-Type'] == 'application/xml; charset=utf-8'
    assert 'Vary' not in resp.headers
    assert resp.body.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n'
                                b'<container name="c"><object><name>'
                                b'caf\xc3\xa9 &amp; co</name>')


def test_json_by_accept_passes_the_body_through():
    resp = call(ListingApp(), '/v1/AUTH_a', headers={
        'Accept': 'application/json'})
    assert json.loads(resp.body) == RECORDS
    assert resp.headers['Content-Type'] == 'application/json; charset=utf-8'


def test_empty_plain_listing_is_204():
    resp = call(ListingApp(records=[]), '/v1/AUTH_a/c')
    assert resp.status_int == 204
    assert resp.body == b''
    assert resp.headers['Content-Type'] == 'text/plain; charset=utf-8'


def test_unacceptable_accept_is_406_and_app_not_called():
    app = ListingApp()
    resp = call(app, '/v1/AUTH_a/c', headers={'Accept': 'image/png'})
    assert resp.status_int == 406
    assert app.seen == []


def test_head_carries_the_chosen_type():
    resp = call(ListingApp(), '/v1/AUTH_a/c?format=json',
                environ={'REQUEST_METHOD': 'HEAD'})
    assert resp.headers['Content-Type'] == 'application/json; charset=utf-8'


def test_objects_errors_and_writes_untouched():
    app = ListingApp()
    assert call(app, '/v1/AUTH_a/c/o').headers['Content-Type'].startswith(
        'application/json')
    resp = call(app, '/v1/AUTH_a/c', environ={'REQUEST_METHOD': 'PUT'})
    assert resp.content_type == 'application/json'
    assert app.seen[-1] == ('', None)
    resp = call(ListingApp(status=404), '/v1/AUTH_a/c')
    assert resp.status_int == 404

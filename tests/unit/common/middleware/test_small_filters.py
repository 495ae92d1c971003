"""domain_remap, name_check and crossdomain in isolation (a recording app
stands for the rest of the pipeline)."""
from webob import Request, Response

from swiftlike.common.middleware.crossdomain import CrossDomain
from swiftlike.common.middleware.domain_remap import DomainRemap
from swiftlike.common.middleware.name_check import NameCheck


class Recorder:
    def __init__(self):
        self.paths = []

    def __call__(self, environ, start_response):
        self.paths.append(environ['PATH_INFO'])
        return Response(body=b'ok')(environ, start_response)


def test_domain_remap():
    app = Recorder()
    remap = DomainRemap(app, {'storage_domain': 'example.com',
                              'reseller_prefixes': 'AUTH'})
    for host, path, expected in (
            ('c.auth_test.example.com', '/o', '/v1/AUTH_test/c/o'),
            ('auth_test.example.com', '/c/o', '/v1/AUTH_test/c/o'),
            ('c.auth_test.example.com:8080', '/', '/v1/AUTH_test/c'),
            ('example.com', '/v1/AUTH_a/c', '/v1/AUTH_a/c'),
            ('other.org', '/x', '/x')):
        Request.blank(path, headers={'Host': host}).get_response(remap)
        assert app.paths[-1] == expected, host
    resp = Request.blank('/', headers={
        'Host': 'a.b.auth_test.example.com'}).get_response(remap)
    assert resp.status_int == 400


def test_name_check():
    check = NameCheck(Recorder(), {})
    assert check.problem('/v1/a/c/ok name') is None
    assert 'forbidden chars' in check.problem('/v1/a/c/<script>')
    assert 'longer than' in check.problem('/v1/a/c/' + 'x' * 300)
    assert 'regular expression' in check.problem('/v1/a/c/x/../y')
    resp = Request.blank('/v1/a/c/%22quoted%22').get_response(check)
    assert resp.status_int == 400
    passed = Request.blank('/v1/a/c/%FF').get_response(check)
    assert passed.status_int == 200  # not UTF-8: the proxy's 412


def test_crossdomain():
    resp = Request.blank('/crossdomain.xml').get_response(CrossDomain(
        Recorder(), {}))
    assert resp.status_int == 200
    assert resp.body.endswith(b'<cross-domain-policy>\n<allow-access-from '
                              b'domain="*" secure="false" />\n'
                              b'</cross-domain-policy>')

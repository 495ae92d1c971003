"""ACL rules, tempauth users, catch_errors and gatekeeper in isolation."""
import pytest
from webob import Request

from swiftlike.common.middleware.acl import (
    ACLError,
    account_acl_level,
    clean_acl,
    format_account_acl,
    parse_account_acl,
    parse_acl,
    referrer_allowed,
)
from swiftlike.common.middleware.catch_errors import CatchErrorsMiddleware
from swiftlike.common.middleware.gatekeeper import GatekeeperMiddleware
from swiftlike.common.middleware.tempauth import load_users


@pytest.mark.parametrize('value, cleaned', [
    ('.r:*', '.r:*'), (' .ref:example.com , ,bob ', '.r:example.com,bob'),
    ('.referrer:-bad.com,.rlistings', '.r:-bad.com,.rlistings'),
    ('test:tester3,test2', 'test:tester3,test2'),
])
def test_clean_read_acl(value, cleaned):
    assert clean_acl('X-Container-Read', value) == cleaned


@pytest.mark.parametrize('name, value, message', [
    ('X-Container-Write', '.r:*', 'Referrers not allowed in write ACL'),
    ('X-Container-Read', '.x:y', 'Unknown designator'),
    ('X-Container-Read', '.r:', 'No host/domain value'),
])
def test_bad_acls(name, value, message):
    with pytest.raises(ACLError, match=message):
        clean_acl(name, value)


def test_referrers():
    referrers, groups = parse_acl('.r:.example.com,.r:-bad.example.com,'
                                  '.rlistings,bob')
    assert groups == ['.rlistings', 'bob']
    assert referrer_allowed('http://www.example.com/x', referrers)
    assert not referrer_allowed('http://bad.example.com/', referrers)
    assert not referrer_allowed('http://other.org/', referrers)
    assert referrer_allowed(None, ['*'])
    assert not referrer_allowed(None, [])


def test_tempauth_users():
    import base64

    def b64(text):
        return base64.urlsafe_b64encode(text.encode()).decode().rstrip('=')

    users = load_users({
        'user_test_tester': 'testing .admin',
        'user_admin_admin': 'admin .admin .reseller_admin '
                            'http://example.com/v1/AUTH_admin',
        'user64_%s_%s' % (b64('under_score'), b64('us_er')): 'key',
        'unrelated': 'x'})
    assert sorted(users) == ['admin:admin', 'test:tester',
                             'under_score:us_er']
    assert users['test:tester'].groups == ['.admin']
    assert users['admin:admin'].url == 'http://example.com/v1/AUTH_admin'
    assert users['under_score:us_er'].key == 'key'


def _call(app, environ):
    captured = {}

    def start_response(status, headers, exc_info=None):
        captured['status'], captured['headers'] = status, headers

    body = b''.join(app(environ, start_response))
    return captured['status'], dict(captured['headers']), body


def test_catch_errors_hides_tracebacks():
    def broken(environ, start_response):
        raise RuntimeError('secret internals')

    app = CatchErrorsMiddleware(broken, {'log_address': '/nonexistent'})
    status, headers, body = _call(app, Request.blank('/v1/a').environ)
    assert status.startswith('500')
    assert body == b'Internal server error.\n'
    assert headers['X-Trans-Id'].startswith('tx')
    assert headers['X-Openstack-Request-Id'] == headers['X-Trans-Id']


def test_gatekeeper_strips_both_ways():
    seen = {}

    def app(environ, start_response):
        seen.update(environ)
        start_response('200 OK', [('X-Backend-Secret', '1'),
                                  ('X-Object-Sysmeta-S', '2'),
                                  ('X-Object-Meta-Ok', '3')])
        return [b'']

    environ = Request.blank('/v1/a/c/o', headers={
        'X-Backend-Storage-Policy-Index': '1', 'X-Timestamp': '123',
        'X-Container-Host': 'evil:1', 'X-Object-Meta-Fine': 'yes'}).environ
    status, headers, _ = _call(GatekeeperMiddleware(app, {}), environ)
    assert 'HTTP_X_BACKEND_STORAGE_POLICY_INDEX' not in seen
    assert 'HTTP_X_CONTAINER_HOST' not in seen
    assert seen['HTTP_X_OBJECT_META_FINE'] == 'yes'
    assert seen['HTTP_X_BACKEND_INBOUND_X_TIMESTAMP'] == '123'
    assert 'HTTP_X_TIMESTAMP' not in seen
    assert headers == {'X-Object-Meta-Ok': '3'}


def test_catch_errors_covers_failing_generators():
    def generator_app(environ, start_response):
        raise RuntimeError('fails on first iteration')
        yield b''  # pragma: no cover

    app = CatchErrorsMiddleware(generator_app,
                                {'log_address': '/nonexistent'})
    status, headers, body = _call(app, Request.blank('/v1/a').environ)
    assert status.startswith('500') and body == b'Internal server error.\n'
    assert b'Traceback' not in body


def test_account_acl_round_trip_and_levels():
    acl = parse_account_acl('{"read-only": ["b", "c"], "admin": ["a"],'
                            ' "read-write": []}')
    assert format_account_acl(acl) == '{"admin":["a"],"read-only":["b","c"]}'
    assert format_account_acl({}) == ''
    assert parse_account_acl('  ') == {}
    assert account_acl_level(acl, ['x', 'c']) == 'read-only'
    assert account_acl_level(acl, ['c', 'a']) == 'admin'
    assert account_acl_level(acl, ['z']) is None


@pytest.mark.parametrize('value, message', [
    ('{', 'Syntax error'), ('[]', 'JSON object'),
    ('{"owner": []}', "Key 'owner' not recognized"),
    ('{"admin": [1]}', 'list of strings')])
def test_bad_account_acls(value, message):
    with pytest.raises(ACLError, match=message):
        parse_account_acl(value)

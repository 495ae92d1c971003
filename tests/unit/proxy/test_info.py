import json
import time

from webob import Request

from swiftlike.common.registry import register_swift_info, reset_swift_info
from swiftlike.proxy.controllers.info import InfoController, info_signature


def setup_function():
    reset_swift_info()
    register_swift_info('swift', version='1', valid_api_versions=['v1'])
    register_swift_info('secret', admin=True, x=1)


def teardown_function():
    reset_swift_info()


def call(controller, path, method='GET'):
    return controller.handle(Request.blank(path, method=method))


def test_public_view_hides_disallowed_and_admin_entries():
    controller = InfoController(True, '', ['swift.valid_api_versions'])
    resp = call(controller, '/info')
    assert resp.status_int == 200
    assert resp.headers['Content-Type'] == 'application/json; charset=UTF-8'
    assert json.loads(resp.body) == {'swift': {'version': '1'}}
    head = call(controller, '/info', 'HEAD')
    assert head.status_int == 200 and head.body == b''
    options = call(controller, '/info', 'OPTIONS')
    assert options.headers['Allow'] == 'HEAD, GET, OPTIONS'
    assert call(controller, '/info', 'PUT').status_int == 405


def test_expose_info_false_is_403_but_admin_view_works():
    controller = InfoController(False, 'sekrit', ['swift.valid_api_versions'])
    assert call(controller, '/info').status_int == 403
    expires = str(int(time.time() + 60))
    sig = info_signature('sekrit', 'GET', expires)
    resp = call(controller, '/info?swiftinfo_sig=%s&swiftinfo_expires=%s'
                % (sig, expires))
    assert resp.status_int == 200
    body = json.loads(resp.body)
    assert body['admin'] == {'secret': {'x': 1}, 'disallowed_sections':
                             ['swift.valid_api_versions']}
    # HEAD accepts a GET signature
    assert call(controller, '/info?swiftinfo_sig=%s&swiftinfo_expires=%s'
                % (sig, expires), 'HEAD').status_int == 200


def test_bad_or_expired_signatures_are_401():
    controller = InfoController(True, 'sekrit', [])
    past = str(int(time.time() - 1))
    for sig, expires in ((info_signature('sekrit', 'GET', past), past),
                         (info_signature('other', 'GET', '9999999999'),
                          '9999999999'),
                         ('x', 'notanumber')):
        resp = call(controller, '/info?swiftinfo_sig=%s&swiftinfo_expires=%s'
                    % (sig, expires))
        assert resp.status_int == 401
    unkeyed = InfoController(True, '', [])
    assert call(unkeyed, '/info?swiftinfo_sig=a&swiftinfo_expires=9999999999'
                ).status_int == 401

from swiftlike.common.subrequest import make_subrequest


def test_subrequest_carries_identity_and_authorizer_only():
    def authorize(req):
        return None

    environ = {'REMOTE_USER': 'test,test:tester', 'swift.authorize': authorize,
               'swift.trans_id': 'tx1', 'HTTP_X_AUTH_TOKEN': 'AUTH_tk1',
               'HTTP_X_COPY_FROM': 'c/o', 'CONTENT_LENGTH': '5',
               'wsgi.input': object()}
    req = make_subrequest(environ, 'GET', '/v1/AUTH_test/c/\u00e9 x',
                          source='SSC')
    assert req.method == 'GET'
    assert req.environ['PATH_INFO'] == '/v1/AUTH_test/c/\u00c3\u00a9 x'
    assert req.path_info == '/v1/AUTH_test/c/\u00e9 x'
    assert req.environ['REMOTE_USER'] == 'test,test:tester'
    assert req.environ['swift.authorize'] is authorize
    assert req.environ['swift.source'] == 'SSC'
    assert req.headers['X-Auth-Token'] == 'AUTH_tk1'
    assert 'X-Copy-From' not in req.headers
    assert req.content_length in (None, 0)

from webob import Request, Response

from swiftlike.common.memcached import MemcacheRing
from swiftlike.common.middleware.memcache import (
    MemcacheMiddleware,
    effective_options,
)
from tests.servers import Memcached


def test_options_from_memcache_conf_fill_in(tmp_path):
    (tmp_path / 'memcache.conf').write_text(
        '[memcache]\nmemcache_servers = 10.0.0.1:11211\ntries = 2\n')
    assert effective_options({'swift_dir': str(tmp_path), 'tries': '5'}) == \
        {'tries': '5', 'memcache_servers': '10.0.0.1:11211'}
    assert effective_options({'swift_dir': str(tmp_path / 'none')}) == {}


def test_environ_gets_a_working_shared_cache(tmp_path):
    server = Memcached()
    try:
        seen = {}

        def app(environ, start_response):
            seen['cache'] = environ['swift.cache']
            environ['swift.cache'].set('k', {'v': 1})
            return Response(body=b'ok')(environ, start_response)

        filtered = MemcacheMiddleware(app, {
            'memcache_servers': server.address,
            'swift_dir': str(tmp_path)})
        Request.blank('/v1/a').get_response(filtered)
        assert isinstance(seen['cache'], MemcacheRing)
        other = MemcacheRing([('127.0.0.1', server.port)])
        assert other.get('k') == {'v': 1}
    finally:
        server.stop()

"""memcache: puts a memcached client in ``environ['swift.cache']``.

Everything after it in the pipeline (tempauth's tokens, the proxy's account
and container info, rate limits) then shares state across workers and
proxies. Options come from this filter section, else from the
``[memcache]`` section of ``<swift_dir>/memcache.conf``, else defaults.
"""
from __future__ import annotations

import configparser
import os
from typing import Dict

from swiftlike.common.logs import get_logger
from swiftlike.common.memcached import (
    DEFAULT_CONNECT_TIMEOUT,
    DEFAULT_IO_TIMEOUT,
    DEFAULT_MAX_CONNECTIONS,
    DEFAULT_SERVERS,
    DEFAULT_TRIES,
    MemcacheRing,
    parse_servers,
)

CACHE_KEY = 'swift.cache'
OPTIONS = ('memcache_servers', 'memcache_max_connections',
           'connect_timeout', 'io_timeout', 'tries')


def effective_options(conf: Dict[str, str]) -> Dict[str, str]:
    """The filter's own options, completed from memcache.conf."""
    options = {k: conf[k] for k in OPTIONS if k in conf}
    path = os.path.join(conf.get('swift_dir', '/etc/swift'), 'memcache.conf')
    parser = configparser.ConfigParser(interpolation=None)
    if parser.read(path) and parser.has_section('memcache'):
        for key in OPTIONS:
            if key not in options and parser.has_option('memcache', key):
                options[key] = parser.get('memcache', key)
    return options


class MemcacheMiddleware:
    def __init__(self, app, conf: Dict[str, str]) -> None:
        self.app = app
        options = effective_options(conf)
        self.memcache = MemcacheRing(
            parse_servers(options.get('memcache_servers', DEFAULT_SERVERS)),
            max_connections=int(options.get('memcache_max_connections',
                                            DEFAULT_MAX_CONNECTIONS)),
            connect_timeout=float(options.get('connect_timeout',
                                              DEFAULT_CONNECT_TIMEOUT)),
            io_timeout=float(options.get('io_timeout', DEFAULT_IO_TIMEOUT)),
            tries=int(options.get('tries', DEFAULT_TRIES)),
            logger=get_logger(conf, 'proxy-server'))

    def __call__(self, environ, start_response):
        environ[CACHE_KEY] = self.memcache
        return self.app(environ, start_response)


def filter_factory(global_conf: Dict[str, str], **local_conf: str):
    conf = dict(global_conf, **local_conf)
    return lambda app: MemcacheMiddleware(app, conf)

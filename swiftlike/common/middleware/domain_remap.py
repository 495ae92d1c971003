"""domain_remap: ``<container>.<account>.<storage_domain>/<object>`` (or
``<account>.<storage_domain>/...``) becomes ``/v1/<account>/<container>/
<object>``, so containers can be served at their own host names."""
from __future__ import annotations

from typing import Dict, List

from swiftlike.common.backend_request import make_response
from swiftlike.common.registry import register_swift_info


class DomainRemap:
    def __init__(self, app, conf: Dict[str, str]) -> None:
        self.app = app
        self.storage_domains = ['.' + d.strip().lstrip('.') for d in
                                conf.get('storage_domain',
                                         'example.com').split(',')
                                if d.strip()]
        self.path_root = conf.get('path_root', 'v1').strip('/')
        self.reseller_prefixes: List[str] = [
            p.strip() for p in conf.get('reseller_prefixes',
                                        'AUTH').split(',') if p.strip()]
        self.default_prefix = conf.get('default_reseller_prefix', '')
        register_swift_info('domain_remap')

    def _account(self, name: str) -> str:
        for prefix in self.reseller_prefixes:
            if name.lower().startswith(prefix.lower() + '_'):
                return prefix + name[len(prefix):]
        if self.default_prefix:
            return '%s_%s' % (self.default_prefix, name)
        return name

    def __call__(self, environ, start_response):
        host = (environ.get('HTTP_HOST') or environ.get('SERVER_NAME') or
                '').split(':')[0].lower()
        domain = next((d for d in self.storage_domains
                       if host.endswith(d)), None)
        if domain is None or host == domain[1:]:
            return self.app(environ, start_response)
        parts = host[:-len(domain)].split('.')
        if len(parts) > 2:
            return make_response(400, b'Bad domain in host header',
                                 content_type='text/plain')(
                environ, start_response)
        account = self._account(parts[-1])
        path = environ.get('PATH_INFO', '')
        if path.startswith('/%s/' % self.path_root) or \
                path == '/' + self.path_root:
            return self.app(environ, start_response)
        prefix = '/%s/%s' % (self.path_root, account)
        if len(parts) == 2:
            prefix += '/' + parts[0]
        environ['PATH_INFO'] = prefix + (path if path != '/' else '')
        return self.app(environ, start_response)


def filter_factory(global_conf: Dict[str, str], **local_conf: str):
    conf = dict(global_conf, **local_conf)
    return lambda app: DomainRemap(app, conf)

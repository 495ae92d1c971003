"""crossdomain: ``GET /crossdomain.xml`` answers the Flash/Silverlight
cross-domain policy an operator configures."""
from __future__ import annotations

from typing import Dict

from swiftlike.common.backend_request import make_response
from swiftlike.common.registry import register_swift_info

PATH = '/crossdomain.xml'
DEFAULT_POLICY = '<allow-access-from domain="*" secure="false" />'


def policy_document(policies: str) -> bytes:
    return ('<?xml version="1.0"?>\n<!DOCTYPE cross-domain-policy SYSTEM '
            '"http://www.adobe.com/xml/dtds/cross-domain-policy.dtd" >\n'
            '<cross-domain-policy>\n%s\n</cross-domain-policy>'
            % policies).encode('utf-8')


class CrossDomain:
    def __init__(self, app, conf: Dict[str, str]) -> None:
        self.app = app
        lines = conf.get('cross_domain_policy', DEFAULT_POLICY).splitlines()
        self.body = policy_document('\n'.join(
            line.strip() for line in lines if line.strip()))
        register_swift_info('crossdomain')

    def __call__(self, environ, start_response):
        if environ.get('PATH_INFO') == PATH and \
                environ.get('REQUEST_METHOD') == 'GET':
            return make_response(200, self.body, content_type=(
                'application/xml; charset=utf-8'))(environ, start_response)
        return self.app(environ, start_response)


def filter_factory(global_conf: Dict[str, str], **local_conf: str):
    conf = dict(global_conf, **local_conf)
    return lambda app: CrossDomain(app, conf)

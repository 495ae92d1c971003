"""healthcheck: ``GET /healthcheck`` answers ``OK`` (load balancers, probes).

With ``disable_path`` set, the presence of that file makes it answer 503
``DISABLED BY FILE``, so an operator can drain a node without stopping it.
"""
from __future__ import annotations

import os
from typing import Dict

from webob import Request, Response

HEALTHCHECK_PATH = '/healthcheck'


class HealthCheckMiddleware:
    def __init__(self, app, conf: Dict[str, str]) -> None:
        self.app = app
        self.disable_path = conf.get('disable_path', '')

    def __call__(self, environ, start_response):
        if environ.get('PATH_INFO') != HEALTHCHECK_PATH:
            return self.app(environ, start_response)
        req = Request(environ)
        if self.disable_path and os.path.exists(self.disable_path):
            status, body = '503 Service Unavailable', b'DISABLED BY FILE'
        else:
            status, body = '200 OK', b'OK'
        resp = Response(status=status, body=body)
        resp.headers['Content-Type'] = 'text/plain'
        if req.method == 'HEAD':
            resp.app_iter = [b'']
        return resp(environ, start_response)


def filter_factory(global_conf: Dict[str, str], **local_conf: str):
    conf = dict(global_conf, **local_conf)
    return lambda app: HealthCheckMiddleware(app, conf)

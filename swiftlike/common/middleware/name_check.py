"""name_check: refuses names with forbidden characters, substrings or
length before they reach a server (some clients or filesystems choke on
them)."""
from __future__ import annotations

import re
from typing import Dict
from urllib.parse import unquote

from webob import Request

from swiftlike.common.backend_request import text_error
from swiftlike.common.registry import register_swift_info

DEFAULT_FORBIDDEN_CHARS = '\'"`<>'
DEFAULT_MAX_LENGTH = 255
DEFAULT_FORBIDDEN_REGEXP = r'/\./|/\.\./|/\.$|/\.\.$'


class NameCheck:
    def __init__(self, app, conf: Dict[str, str]) -> None:
        self.app = app
        self.forbidden_chars = conf.get('forbidden_chars',
                                        DEFAULT_FORBIDDEN_CHARS)
        self.max_length = int(conf.get('maximum_length', DEFAULT_MAX_LENGTH))
        self.forbidden_regexp = conf.get('forbidden_regexp',
                                         DEFAULT_FORBIDDEN_REGEXP)
        self.regexp = re.compile(self.forbidden_regexp) \
            if self.forbidden_regexp else None
        register_swift_info('name_check',
                            forbidden_chars=self.forbidden_chars,
                            maximum_length=self.max_length,
                            forbidden_regexp=self.forbidden_regexp)

    def problem(self, path: str):
        if any(c in path for c in self.forbidden_chars):
            return ('Object/Container/Account name contains forbidden '
                    'chars from %s' % self.forbidden_chars)
        if len(path) > self.max_length:
            return ('Object/Container/Account name longer than the allowed '
                    'maximum %s' % self.max_length)
        if self.regexp is not None and self.regexp.search(path):
            return ('Object/Container/Account name contains a forbidden '
                    'substring from regular expression %s'
                    % self.forbidden_regexp)
        return None

    def __call__(self, environ, start_response):
        req = Request(environ)
        try:
            path = unquote(req.path_info) if '%' in req.path_info \
                else req.path_info
        except UnicodeDecodeError:  # the proxy answers 412 for these
            return self.app(environ, start_response)
        problem = self.problem(path) if path.startswith('/v1') else None
        if problem:
            return text_error(400, problem).response()(environ,
                                                       start_response)
        return self.app(environ, start_response)


def filter_factory(global_conf: Dict[str, str], **local_conf: str):
    conf = dict(global_conf, **local_conf)
    return lambda app: NameCheck(app, conf)

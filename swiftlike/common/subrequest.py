"""Subrequests made by middleware (copy, slo, dlo, bulk, symlink...).

A subrequest goes down the rest of the pipeline like a client request, so
it must carry the client's identity and the authorizer: otherwise a
middleware placed after auth would read or write with no check at all.
"""
from __future__ import annotations

from typing import Dict, List, Optional, Tuple
from urllib.parse import quote

from webob import Request

#: environ keys a subrequest inherits from the request that caused it
INHERITED_ENVIRON = (
    'REMOTE_USER', 'HTTP_USER_AGENT', 'HTTP_HOST', 'HTTP_REFERER',
    'HTTP_X_AUTH_TOKEN', 'HTTP_X_STORAGE_TOKEN', 'HTTP_X_SERVICE_TOKEN',
    'SERVER_NAME', 'SERVER_PORT', 'SERVER_PROTOCOL', 'SCRIPT_NAME',
    'swift.trans_id', 'swift.authorize', 'swift.authorize_override',
    'swift.clean_acl', 'swift.cache', 'swift.infocache')


def make_subrequest(environ: Dict, method: str, path: str,
                    headers: Optional[Dict[str, str]] = None,
                    source: str = '') -> Request:
    """A new request for ``path`` (unquoted text) in the caller's name."""
    env = {key: environ[key] for key in INHERITED_ENVIRON if key in environ}
    env['REQUEST_METHOD'] = method
    if source:
        env['swift.source'] = source
    req = Request.blank(quote(path), environ=env, headers=headers or {})
    return req


class DeleteTally:
    """Deletes made one subrequest at a time, counted as bulk delete and
    SLO deletes report them: deleted, not found, and (name, status) of
    the others, in the order they came."""

    def __init__(self, environ: Dict, app, source: str) -> None:
        self.environ = environ
        self.app = app
        self.source = source
        self.deleted = 0
        self.not_found = 0
        self.errors: List[Tuple[str, str]] = []

    def delete(self, path: str, name: str) -> None:
        """DELETE ``path`` (unquoted) as the caller; ``name`` is what an
        error reports."""
        resp = make_subrequest(self.environ, 'DELETE', path,
                               source=self.source).get_response(self.app)
        if resp.status_int // 100 == 2:
            self.deleted += 1
        elif resp.status_int == 404:
            self.not_found += 1
        else:
            self.errors.append((name, resp.status))

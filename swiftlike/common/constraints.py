"""Swift's API constraints and other protocol constants.

The defaults are Swift's; swift.conf ``[swift-constraints]`` may override
the tunable ones (:data:`DEFAULT_CONSTRAINTS`). Servers call
:func:`reload_constraints` once at start-up; the module-level names then hold
the effective values and ``/info`` publishes them.
"""
from __future__ import annotations

import configparser
from typing import Any, Dict, Optional

from swiftlike.common.config import (
    ConfSection,
    read_swift_conf,
    swift_conf_path,
)
from swiftlike.common.exceptions import ConfigError
from swiftlike.common.headers import strip_meta_prefix

CONSTRAINTS_SECTION = 'swift-constraints'

# -- tunable in swift.conf ------------------------------------------------
MAX_FILE_SIZE = 5368709122
MAX_META_NAME_LENGTH = 128
MAX_META_VALUE_LENGTH = 256
MAX_META_COUNT = 90
MAX_META_OVERALL_SIZE = 4096
MAX_HEADER_SIZE = 8192
MAX_REQUEST_LINE = 8192
MAX_OBJECT_NAME_LENGTH = 1024
CONTAINER_LISTING_LIMIT = 10000
ACCOUNT_LISTING_LIMIT = 10000
MAX_ACCOUNT_NAME_LENGTH = 256
MAX_CONTAINER_NAME_LENGTH = 256
VALID_API_VERSIONS = ['v1', 'v1.0']
EXTRA_HEADER_COUNT = 0
AUTO_CREATE_ACCOUNT_PREFIX = '.'

#: Name -> default of every constraint swift.conf may override.
DEFAULT_CONSTRAINTS: Dict[str, Any] = {
    'max_file_size': MAX_FILE_SIZE,
    'max_meta_name_length': MAX_META_NAME_LENGTH,
    'max_meta_value_length': MAX_META_VALUE_LENGTH,
    'max_meta_count': MAX_META_COUNT,
    'max_meta_overall_size': MAX_META_OVERALL_SIZE,
    'max_header_size': MAX_HEADER_SIZE,
    'max_request_line': MAX_REQUEST_LINE,
    'max_object_name_length': MAX_OBJECT_NAME_LENGTH,
    'container_listing_limit': CONTAINER_LISTING_LIMIT,
    'account_listing_limit': ACCOUNT_LISTING_LIMIT,
    'max_account_name_length': MAX_ACCOUNT_NAME_LENGTH,
    'max_container_name_length': MAX_CONTAINER_NAME_LENGTH,
    'valid_api_versions': VALID_API_VERSIONS,
    'extra_header_count': EXTRA_HEADER_COUNT,
    'auto_create_account_prefix': AUTO_CREATE_ACCOUNT_PREFIX,
}

#: The effective values after reload_constraints(); what /info shows.
EFFECTIVE_CONSTRAINTS: Dict[str, Any] = dict(DEFAULT_CONSTRAINTS)

def _parse_value(conf: ConfSection, name: str, default: Any) -> Any:
    if isinstance(default, list):
        return conf.get_list(name, default)
    if isinstance(default, str):
        return conf.get(name, default)
    return conf.get_int(name, default, minimum=0)


def load_constraints(path: Optional[str] = None) -> Dict[str, Any]:
    """Swift's defaults overlaid with swift.conf's ``[swift-constraints]``.

    A missing swift.conf or section means defaults; a bad value is an error
    naming the file and option.
    """
    path = path or swift_conf_path()
    try:
        parser = read_swift_conf(path)
    except ConfigError:
        return dict(DEFAULT_CONSTRAINTS)
    try:
        values = dict(parser.items(CONSTRAINTS_SECTION))
    except configparser.NoSectionError:
        return dict(DEFAULT_CONSTRAINTS)
    conf = ConfSection(values, path=path, section=CONSTRAINTS_SECTION)
    return {name: _parse_value(conf, name, default)
            for name, default in DEFAULT_CONSTRAINTS.items()}


def reload_constraints(path: Optional[str] = None) -> Dict[str, Any]:
    """Make the module-level names hold swift.conf's effective values."""
    effective = load_constraints(path)
    EFFECTIVE_CONSTRAINTS.clear()
    EFFECTIVE_CONSTRAINTS.update(effective)
    for name, value in effective.items():
        globals()[name.upper()] = value
    return effective


def max_header_count() -> int:
    """Headers a request may carry (more: 431): room for every metadata
    item, the protocol's own headers, and ``extra_header_count``."""
    return int(1.6 * (MAX_META_COUNT + 36 + EXTRA_HEADER_COUNT))


# -- checks (pure: headers in, error text out) -----------------------------

def _is_utf8(wsgi_text: str) -> bool:
    """WSGI header strings are bytes seen as latin-1."""
    try:
        wsgi_text.encode('latin-1').decode('utf-8')
        return True
    except UnicodeError:
        return False


def check_metadata(headers, server_type: str):
    """None, or Swift's 400 text for the first metadata limit exceeded."""
    count = 0
    size = 0
    meta_prefix = 'x-%s-meta-' % server_type
    for key, value in headers.items():
        if not key.lower().startswith(meta_prefix):
            continue
        prefix, name = strip_meta_prefix(server_type, key)
        if not name:
            return 'Metadata name cannot be empty'
        if server_type != 'object' and not _is_utf8(key + value):
            return 'Metadata must be valid UTF-8'
        count += 1
        size += len(name) + len(value)
        if len(name) > MAX_META_NAME_LENGTH:
            return 'Metadata name too long: %s%s' % (prefix, name)
        if len(value) > MAX_META_VALUE_LENGTH:
            return 'Metadata value longer than %d: %s%s' % (
                MAX_META_VALUE_LENGTH, prefix, name)
        if count > MAX_META_COUNT:
            return 'Too many metadata items; max %d' % MAX_META_COUNT
        if size > MAX_META_OVERALL_SIZE:
            return 'Total metadata too large; max %d' % MAX_META_OVERALL_SIZE
    return None


def check_object_name(name: str):
    if len(name.encode('utf-8', 'surrogateescape')) > MAX_OBJECT_NAME_LENGTH:
        return 'Object name length of %d longer than %d' % (
            len(name), MAX_OBJECT_NAME_LENGTH)
    return None


def check_delete_headers(headers, now: float):
    """(X-Delete-At value to store or None, error text or None).

    X-Delete-After (seconds) becomes X-Delete-At; both must be integers in
    the future.
    """
    after = headers.get('X-Delete-After')
    if after is not None:
        try:
            seconds = int(after)
        except ValueError:
            return None, 'Non-integer X-Delete-After'
        if seconds <= 0:
            return None, 'X-Delete-After in past'
        return '%d' % (int(now) + seconds), None
    delete_at = headers.get('X-Delete-At')
    if delete_at is None:
        return None, None
    if not delete_at.strip().isdigit():
        return None, 'Non-integer X-Delete-At'
    if int(delete_at) <= now:
        return None, 'X-Delete-At in past'
    return delete_at.strip(), None


def check_content_type(content_type: str):
    """Swift reserves ``swift_*`` content-type parameters for itself."""
    for param in content_type.split(';')[1:]:
        if param.strip().lower().startswith('swift_'):
            return 'Invalid Content-Type, swift_* is not a valid ' \
                'parameter name.'
    return None


def check_account_name(account: str):
    limit = MAX_ACCOUNT_NAME_LENGTH * (
        2 if account.startswith(AUTO_CREATE_ACCOUNT_PREFIX) else 1)
    length = len(account.encode('utf-8'))
    if length > limit:
        return 'Account name length of %d longer than %d' % (length, limit)
    return None

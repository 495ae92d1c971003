"""Swift's compact device syntax, as the ring builder CLI takes it. Pure.

* add value:    ``[r<region>]z<zone>-<ip>:<port>[R<ip>:<port>]/<dev>[_<meta>]``
* search value: ``d<id>r<region>z<zone>-<ip>:<port>R<ip>:<port>/<dev>_<meta>``
  with every part optional (at least one present)
* change value: ``<ip>:<port>[R<ip>:<port>]/<dev>_<meta>``, parts optional
"""
from __future__ import annotations

import ipaddress
import re
from typing import Any, Dict

_HOST = r'\[[0-9A-Fa-f:.]+\]|[0-9][0-9.]*|[A-Za-z][A-Za-z0-9.-]*'
_ADD_RE = re.compile(
    r'^(?:r(?P<region>\d+))?z(?P<zone>\d+)-(?P<ip>%s):(?P<port>\d+)'
    r'(?:R(?P<replication_ip>%s):(?P<replication_port>\d+))?'
    r'/(?P<device>[^_/]+)(?:_(?P<meta>.*))?$' % (_HOST, _HOST), re.S)
_SEARCH_RE = re.compile(
    r'^(?:d(?P<id>\d+))?(?:r(?P<region>\d+))?(?:z(?P<zone>\d+))?'
    r'(?P<dash>-)?(?P<ip>%s)?(?::(?P<port>\d+))?'
    r'(?:R(?P<replication_ip>%s)?(?::(?P<replication_port>\d+))?)?'
    r'(?:/(?P<device>[^_/]*))?(?:_(?P<meta>.*))?$' % (_HOST, _HOST), re.S)
_CHANGE_RE = re.compile(
    r'^(?P<ip>%s)?(?::(?P<port>\d+))?'
    r'(?:R(?P<replication_ip>%s)?(?::(?P<replication_port>\d+))?)?'
    r'(?:/(?P<device>[^_/]*))?(?:_(?P<meta>.*))?$' % (_HOST, _HOST), re.S)
_INT_KEYS = ('id', 'region', 'zone', 'port', 'replication_port')


class DevSpecError(ValueError):
    """A device description does not parse."""


def normalize_ip(value: str) -> str:
    """Strip IPv6 brackets and canonicalize addresses; hostnames stay."""
    bare = value[1:-1] if value.startswith('[') and value.endswith(']') \
        else value
    try:
        return str(ipaddress.ip_address(bare))
    except ValueError:
        if value.startswith('['):
            raise DevSpecError('Invalid IP address %r' % value) from None
        return bare


def format_ip(ip: str) -> str:
    """IPv6 addresses in brackets, as Swift prints them next to a port."""
    return '[%s]' % ip if ':' in ip else ip


def _clean(match: re.Match[str]) -> Dict[str, Any]:
    values = {k: v for k, v in match.groupdict().items()
              if v not in (None, '') and k != 'dash'}
    for key in _INT_KEYS:
        if key in values:
            values[key] = int(values[key])
    for key in ('ip', 'replication_ip'):
        if key in values:
            values[key] = normalize_ip(values[key])
    if 'meta' in values:
        values['meta'] = _unquote(values['meta'])
    return values


def _unquote(text: str) -> str:
    if len(text) >= 2 and text[0] == text[-1] and text[0] in '"\'':
        return text[1:-1]
    return text


def parse_add_value(value: str) -> Dict[str, Any]:
    """Device dict (without weight) from an ``add`` argument."""
    match = _ADD_RE.match(value)
    if not match:
        raise DevSpecError('Invalid device specifier (format is '
                           '[r<region>]z<zone>-<ip>:<port>[R<r_ip>:<r_port>]'
                           '/<device_name>_<meta>): %s' % value)
    dev = _clean(match)
    dev.setdefault('region', 1)
    dev.setdefault('replication_ip', dev['ip'])
    dev.setdefault('replication_port', dev['port'])
    dev.setdefault('meta', '')
    return dev


def parse_search_value(value: str) -> Dict[str, Any]:
    """Search criteria from a search value; raises DevSpecError if empty."""
    match = _SEARCH_RE.match(value) if value else None
    if not match or not any(v for k, v in match.groupdict().items()
                            if k != 'dash'):
        raise DevSpecError('Invalid <search-value>: %r' % value)
    groups = match.groupdict()
    leading = groups['id'] or groups['region'] or groups['zone']
    if leading and groups['ip'] and not groups['dash']:
        raise DevSpecError('Invalid <search-value>: %r (put "-" before the '
                           'ip)' % value)
    return _clean(match)


def parse_change_value(value: str) -> Dict[str, Any]:
    """Changes for ``set_info`` from ``<ip>:<port>R<ip>:<port>/<dev>_<meta>``.
    """
    match = _CHANGE_RE.match(value) if value else None
    if not match or not any(match.groupdict().values()):
        raise DevSpecError('Invalid set_info change value: %r' % value)
    return _clean(match)


def matches(dev: Dict[str, Any], criteria: Dict[str, Any]) -> bool:
    """Whether a device fits search criteria; meta matches as a substring."""
    for key, wanted in criteria.items():
        if key == 'meta':
            if wanted not in dev.get('meta', ''):
                return False
        elif key == 'weight':
            if float(dev.get('weight', 0)) != float(wanted):
                return False
        elif dev.get(key) != wanted:
            return False
    return True


def format_device(dev: Dict[str, Any]) -> str:
    """``d<id>r<region>z<zone>-<ip>:<port>R<ip>:<port>/<dev>_"<meta>"``."""
    return 'd%sr%sz%s-%s:%sR%s:%s/%s_"%s"' % (
        dev['id'], dev['region'], dev['zone'], format_ip(dev['ip']),
        dev['port'], format_ip(dev['replication_ip']),
        dev['replication_port'], dev['device'], dev.get('meta', ''))

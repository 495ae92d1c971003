"""Container ACLs (X-Container-Read / X-Container-Write): parsing, cleaning
and referrer matching; account ACLs (X-Account-Access-Control). Pure."""
from __future__ import annotations

import json
from typing import Dict, Iterable, List, Optional, Tuple
from urllib.parse import urlparse

REFERRER_DESIGNATORS = ('.r', '.ref', '.referer', '.referrer')


class ACLError(ValueError):
    """An ACL that cannot be stored (Swift answers 400 with the text)."""


def clean_acl(name: str, value: str) -> str:
    """Normalize an ACL header value as Swift stores it."""
    items = []
    for raw in value.split(','):
        item = raw.strip()
        if not item:
            continue
        if ':' in item and item.startswith('.'):
            designator, _, target = item.partition(':')
            designator, target = designator.strip(), target.strip()
            if designator in REFERRER_DESIGNATORS:
                if 'write' in name.lower():
                    raise ACLError('Referrers not allowed in write ACL: %r'
                                   % item)
                if not target or target == '-':
                    raise ACLError('No host/domain value after referrer '
                                   'designation in ACL: %r' % item)
                item = '.r:' + target
            else:
                raise ACLError('Unknown designator %r in ACL: %r'
                               % (designator, item))
        items.append(item)
    return ','.join(items)


def parse_acl(value: Optional[str]) -> Tuple[List[str], List[str]]:
    """(referrers, groups) of a stored ACL."""
    referrers, groups = [], []
    for item in (value or '').split(','):
        item = item.strip()
        if item.startswith('.r:'):
            referrers.append(item[3:])
        elif item:
            groups.append(item)
    return referrers, groups


def referrer_allowed(referrer: Optional[str], referrers: List[str]) -> bool:
    """Whether the Referer's host matches the ACL (last match wins)."""
    host = urlparse(referrer or '').hostname or ''
    allowed = False
    for item in referrers:
        deny = item.startswith('-')
        pattern = item[1:] if deny else item
        if pattern.startswith('*.'):
            pattern = pattern[1:]
        if pattern == '*' or host == pattern or \
                (pattern.startswith('.') and host.endswith(pattern)):
            allowed = not deny
    return allowed


#: account ACL levels, strongest first
ACCOUNT_ACL_LEVELS = ('admin', 'read-write', 'read-only')


def parse_account_acl(value: str) -> Dict[str, List[str]]:
    """X-Account-Access-Control JSON -> {level: [identities]}."""
    if not value.strip():
        return {}
    try:
        acl = json.loads(value)
    except ValueError:
        raise ACLError('Syntax error in input') from None
    if not isinstance(acl, dict):
        raise ACLError('Value must be a JSON object')
    for level, identities in acl.items():
        if level not in ACCOUNT_ACL_LEVELS:
            raise ACLError('Key %r not recognized' % level)
        if not isinstance(identities, list) or not all(
                isinstance(i, str) for i in identities):
            raise ACLError('Value for key %r must be a list of strings'
                           % level)
    return acl


def format_account_acl(acl: Dict[str, List[str]]) -> str:
    """Compact, sorted JSON as Swift stores it; '' for no grants."""
    acl = {k: v for k, v in acl.items() if v}
    if not acl:
        return ''
    return json.dumps(acl, separators=(',', ':'), sort_keys=True)


def account_acl_level(acl: Dict[str, List[str]], groups: Iterable[str]
                      ) -> Optional[str]:
    """The strongest level any of ``groups`` is granted, or None."""
    groups = set(groups)
    for level in ACCOUNT_ACL_LEVELS:
        if groups & set(acl.get(level, ())):
            return level
    return None

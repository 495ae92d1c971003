"""Storage policies from swift.conf ``[storage-policy:N]`` sections.

A policy picks the object ring (``object.ring.gz`` or ``object-N.ring.gz``)
and the on-disk directory names (``objects`` or ``objects-N``). The rules
here are Swift's, so an operator's swift.conf means the same thing to both.
"""
from __future__ import annotations

import re
from typing import Dict, Iterator, List, Optional

from swiftlike.common.config import (
    ConfSection,
    read_swift_conf,
    swift_conf_path,
)
from swiftlike.common.exceptions import ConfigError, PolicyError

SECTION_PREFIX = 'storage-policy:'
REPL_POLICY = 'replication'
EC_POLICY = 'erasure_coding'
VALID_POLICY_TYPES = (REPL_POLICY, EC_POLICY)
DEFAULT_POLICY_TYPE = REPL_POLICY
LEGACY_POLICY_NAME = 'Policy-0'
_VALID_NAME_RE = re.compile(r'^[A-Za-z0-9-]+$')
_KNOWN_OPTIONS = frozenset((
    'name', 'aliases', 'default', 'deprecated', 'policy_type',
    '__file__', 'here'))


def get_policy_string(base: str, policy_index: int) -> str:
    """``objects`` for policy 0, ``objects-N`` otherwise (also tmp, async)."""
    return base if not policy_index else '%s-%d' % (base, policy_index)


class StoragePolicy:
    """One storage policy: its index, names, flags and type options."""

    def __init__(self, idx: int, name: str = '', aliases: str = '',
                 is_default: bool = False, is_deprecated: bool = False,
                 policy_type: str = DEFAULT_POLICY_TYPE,
                 options: Optional[Dict[str, str]] = None) -> None:
        if idx < 0:
            raise PolicyError('Invalid index %r: must be >= 0' % idx)
        if not name:
            if idx != 0:
                raise PolicyError('Invalid name for policy %d: '
                                  'a name is required' % idx)
            name = LEGACY_POLICY_NAME
        self.idx = idx
        self.alias_list: List[str] = []
        for alias in [name] + [a.strip() for a in aliases.split(',')]:
            if alias:
                self._add_alias(alias)
        if policy_type not in VALID_POLICY_TYPES:
            raise PolicyError('Invalid policy_type %r for policy %d'
                              % (policy_type, idx))
        self.is_default = is_default
        self.is_deprecated = is_deprecated
        self.policy_type = policy_type
        self.options = dict(options or {})
        if is_default and is_deprecated:
            raise PolicyError('Deprecated policy can not be default. '
                              'Invalid config for policy %d' % idx)

    def _add_alias(self, alias: str) -> None:
        if not _VALID_NAME_RE.match(alias):
            raise PolicyError('Names are used as HTTP headers, and can not '
                              'reliably contain any characters not in %r. '
                              'Invalid name %r' % ('[A-Za-z0-9-]', alias))
        if alias.upper() == LEGACY_POLICY_NAME.upper() and self.idx != 0:
            raise PolicyError('The name %s is reserved for policy index 0. '
                              'Invalid name %r' % (LEGACY_POLICY_NAME, alias))
        if alias.upper() in (a.upper() for a in self.alias_list):
            raise PolicyError('Duplicate name %r in policy %d'
                              % (alias, self.idx))
        self.alias_list.append(alias)

    @property
    def name(self) -> str:
        return self.alias_list[0]

    @property
    def aliases(self) -> str:
        return ', '.join(self.alias_list)

    @property
    def ring_name(self) -> str:
        return get_policy_string('object', self.idx)

    def __int__(self) -> int:
        return self.idx

    def __repr__(self) -> str:
        return ('StoragePolicy(%d, %r, is_default=%s, is_deprecated=%s, '
                'policy_type=%r)' % (self.idx, self.alias_list,
                                     self.is_default, self.is_deprecated,
                                     self.policy_type))


class StoragePolicyCollection:
    """All policies of a cluster, with exactly one default."""

    def __init__(self, policies: List[StoragePolicy]) -> None:
        if not policies:
            policies = [StoragePolicy(0, is_default=True)]
        by_index: Dict[int, StoragePolicy] = {}
        by_name: Dict[str, StoragePolicy] = {}
        for policy in policies:
            if policy.idx in by_index:
                raise PolicyError('Duplicate index %d' % policy.idx)
            by_index[policy.idx] = policy
            for alias in policy.alias_list:
                if alias.upper() in by_name:
                    raise PolicyError('Duplicate name %r' % alias)
                by_name[alias.upper()] = policy
        self.by_index = dict(sorted(by_index.items()))
        self.by_name = by_name
        self.default = self._pick_default()
        if all(p.is_deprecated for p in self):
            raise PolicyError('Unable to find policy that\'s not deprecated!')

    def _pick_default(self) -> StoragePolicy:
        defaults = [p for p in self if p.is_default]
        if len(defaults) > 1:
            raise PolicyError('Duplicate default %r' % (
                [p.name for p in defaults],))
        if defaults:
            return defaults[0]
        if len(self.by_index) == 1:
            only = next(iter(self))
            only.is_default = True
            return only
        raise PolicyError('Unable to find default policy')

    def __iter__(self) -> Iterator[StoragePolicy]:
        return iter(self.by_index.values())

    def __len__(self) -> int:
        return len(self.by_index)

    def get_by_index(self, index) -> Optional[StoragePolicy]:
        """The policy of an index (int or its text); '' or None = policy 0."""
        if index in (None, ''):
            index = 0
        try:
            return self.by_index.get(int(index))
        except (TypeError, ValueError):
            return None

    def get_by_name(self, name: str) -> Optional[StoragePolicy]:
        return self.by_name.get(name.upper()) if name else None


def _policy_from_section(conf: ConfSection, idx: int) -> StoragePolicy:
    options = {k: v for k, v in conf.items() if k not in _KNOWN_OPTIONS}
    return StoragePolicy(
        idx, name=conf.get('name', ''), aliases=conf.get('aliases', ''),
        is_default=conf.get_bool('default'),
        is_deprecated=conf.get_bool('deprecated'),
        policy_type=conf.get('policy_type', DEFAULT_POLICY_TYPE),
        options=options)


def parse_storage_policies(parser, path: str) -> StoragePolicyCollection:
    """Build the collection from a parsed swift.conf."""
    policies = []
    for section in parser.sections():
        if not section.startswith(SECTION_PREFIX):
            continue
        raw_index = section[len(SECTION_PREFIX):]
        try:
            idx = int(raw_index)
        except ValueError:
            raise PolicyError('%s: malformed section [%s]: %r is not a '
                              'policy index' % (path, section, raw_index)
                              ) from None
        conf = ConfSection(dict(parser.items(section, raw=True)),
                           path=path, section=section)
        # [DEFAULT] values are not policy options.
        for key in parser.defaults():
            if key not in parser._sections[section]:  # noqa: SLF001
                conf.pop(key, None)
        try:
            policies.append(_policy_from_section(conf, idx))
        except PolicyError as err:
            raise PolicyError('%s: [%s] %s' % (path, section, err)) from None
        except ConfigError as err:  # a bad option value; already located
            raise PolicyError(str(err)) from None
    try:
        return StoragePolicyCollection(policies)
    except PolicyError as err:
        raise PolicyError('%s: %s' % (path, err)) from None


def load_storage_policies(path: Optional[str] = None
                          ) -> StoragePolicyCollection:
    path = path or swift_conf_path()
    return parse_storage_policies(read_swift_conf(path), path)

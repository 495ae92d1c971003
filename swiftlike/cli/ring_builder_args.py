"""Argument parsing for swiftlike-ring-builder: numbers, search values,
``<search-value> <value>`` pairs and Swift's option forms."""
from __future__ import annotations

import argparse
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

from swiftlike.common.ring import RingBuilder
from swiftlike.common.ring.devspec import (
    DevSpecError,
    format_device,
    parse_add_value,
    parse_change_value,
    parse_search_value,
)

EXIT_SUCCESS, EXIT_WARNING, EXIT_ERROR = 0, 1, 2


class CommandError(Exception):
    """Stop the command: print the message, exit with ``code``."""

    def __init__(self, message: str, code: int = EXIT_ERROR) -> None:
        super().__init__(message)
        self.code = code


class _Parser(argparse.ArgumentParser):
    """argparse that reports errors as CommandError instead of exiting."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise CommandError('%s: %s' % (self.prog, message))


def make_parser(command: str) -> _Parser:
    return _Parser(prog=command, add_help=False, allow_abbrev=False)


def parse_number(text: str, kind: Callable[[str], Any], what: str,
            minimum: Optional[float] = None) -> Any:
    try:
        value = kind(text)
    except (TypeError, ValueError):
        raise CommandError('Invalid %s: %r' % (what, text)) from None
    if minimum is not None and value < minimum:
        raise CommandError('Invalid %s: %r (must be at least %s)'
                           % (what, text, minimum))
    return value


def parse_weight(text: str) -> float:
    return parse_number(text, float, 'weight value', minimum=0)


SEARCH_OPTIONS = (('--id', int), ('--region', int), ('--zone', int),
                  ('--ip', str), ('--port', int), ('--replication-ip', str),
                  ('--replication-port', int), ('--device', str),
                  ('--meta', str), ('--weight', float))


def uses_options(args: Sequence[str]) -> bool:
    return any(a.startswith('--') and a not in ('--yes', '-y')
               for a in args)


def option_criteria(ns: argparse.Namespace) -> Dict[str, Any]:
    criteria = {}
    for option, _ in SEARCH_OPTIONS:
        key = option[2:].replace('-', '_')
        value = getattr(ns, key, None)
        if value is not None:
            criteria[key] = value
    if not criteria:
        raise CommandError('No search criteria given')
    return criteria


def add_search_options(parser: _Parser) -> None:
    for option, kind in SEARCH_OPTIONS:
        parser.add_argument(option, type=kind)


def find_devices(builder: RingBuilder, criteria: Dict[str, Any], label: str,
          assume_yes: bool, action: str) -> List[dict]:
    """Devices matching criteria; several need --yes or a typed 'y'."""
    devs = builder.search_devs(criteria)
    if not devs:
        raise CommandError('Search value %s matched 0 devices.\n'
                           'The on-disk ring builder is unchanged.' % label)
    if len(devs) > 1 and not assume_yes:
        print('Matched more than one device:')
        for dev in devs:
            print('    %s' % format_device(dev))
        try:
            answer = input('Are you sure you want to %s these %d devices? '
                           '(y/N) ' % (action, len(devs)))
        except (EOFError, OSError):  # no terminal to ask: that is a no
            answer = ''
        if answer.strip().lower() not in ('y', 'yes'):
            raise CommandError('Aborting device modifications')
    return devs


def value_pairs(args: Sequence[str], what: str) -> List[Tuple[str, str]]:
    if not args or len(args) % 2:
        raise CommandError('%s takes <search-value> <%s> pairs' %
                           (what, what.split('_', 1)[-1]))
    return list(zip(args[::2], args[1::2]))


def add_value(text: str) -> Dict[str, Any]:
    """A device dict from an ``add`` argument, or a CommandError."""
    try:
        return parse_add_value(text)
    except DevSpecError as err:
        raise CommandError(str(err)) from None


def change_value(text: str) -> Dict[str, Any]:
    """``set_info`` changes, or a CommandError."""
    try:
        return parse_change_value(text)
    except DevSpecError as err:
        raise CommandError(str(err)) from None


def search_criteria(text: str) -> Dict[str, Any]:
    try:
        return parse_search_value(text)
    except DevSpecError as err:
        raise CommandError(str(err)) from None


def targets(args: Sequence[str], command: str,
             value_option: Optional[Tuple[str, Callable]] = None
             ) -> Tuple[List[Tuple[Dict[str, Any], str, Any]], bool]:
    """(criteria, label, value) triples from pairs or the option form."""
    parser = make_parser(command)
    parser.add_argument('--yes', '-y', action='store_true')
    if uses_options(args):
        add_search_options(parser)
        extra = []
        if value_option:
            parser.add_argument('value')
        ns = parser.parse_args(args)
        if value_option:
            extra = [value_option[1](ns.value)]
        return [(option_criteria(ns), 'given by options',
                 extra[0] if extra else None)], ns.yes
    parser.add_argument('rest', nargs='*')
    ns = parser.parse_args(args)
    if value_option is None:
        if not ns.rest:
            raise CommandError('%s needs at least one <search-value>'
                               % command)
        return [(search_criteria(v), repr(v), None) for v in ns.rest], ns.yes
    return [(search_criteria(s), repr(s), value_option[1](v))
            for s, v in value_pairs(ns.rest, command)], ns.yes


def check_unique(builder: RingBuilder, dev: Dict[str, Any],
                  ignore_id: Optional[int] = None) -> None:
    for other in builder.search_devs({'ip': dev['ip'], 'port': dev['port'],
                                      'device': dev['device']}):
        if other['id'] != ignore_id:
            raise CommandError('Device %d already uses %s:%d/%s.' % (
                other['id'], other['ip'], other['port'], other['device']))



"""swiftlike-ring-builder: Swift's swift-ring-builder, command for command.

``swiftlike-ring-builder <builder_file> <command> [args]``. Exit codes are
Swift's: 0 done, 1 done with a warning, 2 error (builder file untouched).
"""
from __future__ import annotations

import argparse
import datetime
import fcntl
import os
import sys
import time
from typing import Any, Callable, Dict, List, Optional, Sequence

from swiftlike.cli import ring_builder_report as report
from swiftlike.cli.ring_builder_args import (
    EXIT_ERROR,
    EXIT_SUCCESS,
    EXIT_WARNING,
    CommandError,
    add_search_options,
    add_value,
    change_value,
    check_unique,
    find_devices,
    make_parser,
    option_criteria,
    parse_number,
    parse_weight,
    targets,
    uses_options,
    value_pairs,
)
from swiftlike.common.exceptions import (
    RingBuilderError,
    RingLoadError,
    RingValidationError,
)
from swiftlike.common.ring import RingBuilder, RingData
from swiftlike.common.ring.builder import MAX_BALANCE
from swiftlike.common.ring.devspec import (
    format_device,
)

BACKUP_DIR = 'backups'
BUILDER_SUFFIX = '.builder'
RING_SUFFIX = '.ring.gz'
#: Rebalance refuses to save unless balance or dispersion moved this much.
MIN_CHANGE_PERCENT = 1
#: Balance above which rebalance warns the operator to push and repeat.
BALANCE_WARNING = 5
LOCK_TIMEOUT = 10
RULE = '-' * 79
FORMAT_NOTE = (
    'Note: writing ring format version 1, which Swift and swiftlike both '
    'read.\n'
    '      Format version 2 also holds 4-byte device ids and is read by '
    'Swift\n'
    '      2.36 and later; pass --format-version 2 to write it, or\n'
    '      --format-version 1 to silence this note.')
USAGE = """\
swiftlike-ring-builder <builder_file>
    Shows the builder's summary and device table.
swiftlike-ring-builder <builder_file> create <part_power> <replicas>
    <min_part_hours>
swiftlike-ring-builder <builder_file> add
    [r<region>]z<zone>-<ip>:<port>[R<r_ip>:<r_port>]/<device_name>_<meta>
    <weight> [...]
  or add --region <r> --zone <z> --ip <ip> --port <port>
    [--replication-ip <ip>] [--replication-port <port>] --device <name>
    --weight <weight> [--meta <meta>]
swiftlike-ring-builder <builder_file> set_weight <search-value> <weight> [...]
    [--yes]
swiftlike-ring-builder <builder_file> set_region|set_zone <search-value>
    <value> [...] [--yes]
swiftlike-ring-builder <builder_file> set_info <search-value>
    <ip>:<port>[R<r_ip>:<r_port>]/<device_name>_<meta> [...] [--yes]
swiftlike-ring-builder <builder_file> remove <search-value> [...] [--yes]
swiftlike-ring-builder <builder_file> rebalance [--seed S] [--force]
    [--debug] [--format-version 1|2]
swiftlike-ring-builder <builder_file> write_ring [--format-version 1|2]
    [--dev-id-bytes 2|4]
swiftlike-ring-builder <ring_file> write_builder [min_part_hours]
swiftlike-ring-builder <ring_file> version
swiftlike-ring-builder <builder_file> search <search-value>
swiftlike-ring-builder <builder_file> list_parts <search-value> [...]
swiftlike-ring-builder <builder_file> dispersion [filter] [--verbose]
    [--recalculate]
swiftlike-ring-builder <builder_file> validate
swiftlike-ring-builder <builder_file> set_overload <value>[%]
swiftlike-ring-builder <builder_file> set_min_part_hours <hours>
swiftlike-ring-builder <builder_file> set_replicas <replicas>
swiftlike-ring-builder <builder_file> pretend_min_part_hours_passed

<search-value>: d<id>r<region>z<zone>-<ip>:<port>R<r_ip>:<r_port>/
<device_name>_<meta>, every part optional, at least one present; or the
options --id --region --zone --ip --port --replication-ip
--replication-port --device --meta --weight.
Exit codes: 0 success, 1 warning, 2 error.
"""


class Context:
    """Paths of one invocation and the builder, loaded on demand."""

    def __init__(self, path: str) -> None:
        self.path = path
        base = path[:-len(BUILDER_SUFFIX)] \
            if path.endswith(BUILDER_SUFFIX) else path
        self.ring_path = base + RING_SUFFIX
        self.backup_dir = os.path.join(
            os.path.dirname(os.path.abspath(path)), BACKUP_DIR)
        self._builder: Optional[RingBuilder] = None

    @property
    def builder(self) -> RingBuilder:
        if self._builder is None:
            if not os.path.exists(self.path):
                raise CommandError('Ring Builder file does not exist: %s'
                                   % self.path)
            try:
                self._builder = RingBuilder.load(self.path)
            except RingBuilderError as err:
                raise CommandError(str(err)) from None
        return self._builder

    def backup_name(self, path: str, stamp: int) -> str:
        os.makedirs(self.backup_dir, exist_ok=True)
        return os.path.join(self.backup_dir, '%d.%s'
                            % (stamp, os.path.basename(path)))

    def save_builder(self, backup: bool = False) -> None:
        if backup:
            self.builder.save(self.backup_name(self.path, int(time.time())))
        self.builder.save(self.path)

    def save_ring(self, format_version: Optional[int] = None,
                  dev_id_bytes: Optional[int] = None) -> None:
        ring_data = self.builder.get_ring()
        stamp = int(time.time())
        for target in (self.backup_name(self.ring_path, stamp),
                       self.ring_path):
            try:
                ring_data.save(target, format_version=format_version,
                               dev_id_bytes=dev_id_bytes)
            except ValueError as err:  # e.g. 4-byte ids in a v1 ring
                raise CommandError(str(err)) from None


# -- commands -------------------------------------------------------------

def cmd_default(ctx: Context, args: Sequence[str]) -> int:
    builder = ctx.builder
    for line in report.summary(builder, ctx.path, _ring_status(ctx)):
        print(line)
    return EXIT_SUCCESS


def _ring_status(ctx: Context) -> str:
    name = os.path.basename(ctx.ring_path)
    if not os.path.exists(ctx.ring_path):
        return report.ring_file_status(
            "not found, probably it hasn't been written yet", name)
    try:
        on_disk = RingData.load(ctx.ring_path)
    except RingLoadError as err:
        return report.ring_file_status('is invalid: %s' % err, name)
    ours = ctx.builder.get_ring()
    same = (on_disk.devs == ours.devs and
            on_disk.part_shift == ours.part_shift and
            [list(r) for r in on_disk.replica2part2dev_id] ==
            [list(r) for r in ours.replica2part2dev_id])
    return report.ring_file_status(
        'is up-to-date' if same else 'is obsolete', name)


def cmd_create(ctx: Context, args: Sequence[str]) -> int:
    if len(args) != 3:
        raise CommandError('create takes <part_power> <replicas> '
                           '<min_part_hours>')
    part_power = parse_number(args[0], int, 'part_power', minimum=1)
    replicas = parse_number(args[1], float, 'replicas', minimum=1)
    min_part_hours = parse_number(args[2], int, 'min_part_hours', minimum=0)
    try:
        ctx._builder = RingBuilder(part_power, replicas, min_part_hours)
    except ValueError as err:
        raise CommandError(str(err)) from None
    ctx.save_builder(backup=True)
    return EXIT_SUCCESS


def _add_from_options(args: Sequence[str]) -> List[Dict[str, Any]]:
    parser = make_parser('add')
    parser.add_argument('--region', type=int, default=1)
    parser.add_argument('--zone', type=int, required=True)
    parser.add_argument('--ip', required=True)
    parser.add_argument('--port', type=int, required=True)
    parser.add_argument('--replication-ip')
    parser.add_argument('--replication-port', type=int)
    parser.add_argument('--device', required=True)
    parser.add_argument('--weight', type=parse_weight, required=True)
    parser.add_argument('--meta', default='')
    ns = parser.parse_args(args)
    value = 'r%dz%d-%s:%d' % (ns.region, ns.zone, _bracket(ns.ip), ns.port)
    if ns.replication_ip or ns.replication_port:
        value += 'R%s:%d' % (_bracket(ns.replication_ip or ns.ip),
                             ns.replication_port or ns.port)
    value += '/%s_%s' % (ns.device, ns.meta)
    return [dict(add_value(value), weight=ns.weight)]


def _bracket(ip: str) -> str:
    return '[%s]' % ip if ':' in ip and not ip.startswith('[') else ip


def cmd_add(ctx: Context, args: Sequence[str]) -> int:
    builder = ctx.builder
    if uses_options(args):
        new_devs = _add_from_options(args)
    else:
        new_devs = [dict(add_value(value), weight=parse_weight(weight))
                    for value, weight in value_pairs(args, 'add_weight')]
    for dev in new_devs:
        check_unique(builder, dev)
        dev_id = builder.add_dev(dev)
        print('Device %s with %s weight got id %s'
              % (format_device(builder.devs[dev_id]), dev['weight'], dev_id))
    ctx.save_builder()
    return EXIT_SUCCESS


def _setter(attribute: str, parse: Callable[[str], Any],
            apply: Callable[[RingBuilder, int, Any], None]
            ) -> Callable[[Context, Sequence[str]], int]:
    """set_weight / set_region / set_zone share one shape."""
    def command(ctx: Context, args: Sequence[str]) -> int:
        selected, yes = targets(args, 'set_' + attribute,
                                (attribute, parse))
        for criteria, label, value in selected:
            for dev in find_devices(ctx.builder, criteria, label, yes,
                             'update the %s for' % attribute):
                apply(ctx.builder, dev['id'], value)
                print('%s %s set to %s' % (format_device(dev), attribute,
                                           value))
        ctx.save_builder()
        return EXIT_SUCCESS
    return command


cmd_set_weight = _setter('weight', parse_weight, RingBuilder.set_dev_weight)
cmd_set_region = _setter(
    'region', lambda v: parse_number(v, int, 'region', minimum=0),
    RingBuilder.set_dev_region)
cmd_set_zone = _setter(
    'zone', lambda v: parse_number(v, int, 'zone', minimum=0),
    RingBuilder.set_dev_zone)

CHANGE_OPTIONS = (('--change-ip', 'ip'), ('--change-port', 'port'),
                  ('--change-replication-ip', 'replication_ip'),
                  ('--change-replication-port', 'replication_port'),
                  ('--change-device', 'device'), ('--change-meta', 'meta'))


def _set_info_targets(ctx: Context, args: Sequence[str]):
    if not uses_options(args):
        return targets(args, 'set_info', ('info', change_value))
    parser = make_parser('set_info')
    parser.add_argument('--yes', '-y', action='store_true')
    add_search_options(parser)
    for option, _ in CHANGE_OPTIONS:
        parser.add_argument(option)
    ns = parser.parse_args(args)
    changes = {key: getattr(ns, option[2:].replace('-', '_'))
               for option, key in CHANGE_OPTIONS
               if getattr(ns, option[2:].replace('-', '_')) is not None}
    if not changes:
        raise CommandError('set_info needs at least one --change-* option')
    text = ''.join('%s%s' % (p, changes[k]) if k in changes else ''
                   for k, p in (('ip', ''), ('port', ':'),
                                ('replication_ip', 'R'),
                                ('replication_port', ':'),
                                ('device', '/'), ('meta', '_')))
    return [(option_criteria(ns), 'given by options', change_value(text))], \
        ns.yes


def cmd_set_info(ctx: Context, args: Sequence[str]) -> int:
    selected, yes = _set_info_targets(ctx, args)
    builder = ctx.builder
    for criteria, label, changes in selected:
        for dev in find_devices(builder, criteria, label, yes,
                                'update info of'):
            before = format_device(dev)
            check_unique(builder, dict(dev, **changes), ignore_id=dev['id'])
            builder.set_dev_info(dev['id'], **changes)
            print('Device %s is now %s' % (before, format_device(dev)))
    ctx.save_builder()
    return EXIT_SUCCESS


def cmd_remove(ctx: Context, args: Sequence[str]) -> int:
    selected, yes = targets(args, 'remove')
    for criteria, label, _ in selected:
        for dev in find_devices(ctx.builder, criteria, label, yes, 'remove'):
            ctx.builder.remove_dev(dev['id'])
            print('%s marked for removal and will be removed next '
                  'rebalance.' % format_device(dev))
    ctx.save_builder()
    return EXIT_SUCCESS


def _format_version_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument('--format-version', type=int, choices=(1, 2))


def cmd_rebalance(ctx: Context, args: Sequence[str]) -> int:
    parser = make_parser('rebalance')
    parser.add_argument('seed_positional', nargs='?')
    parser.add_argument('--seed', '-s')
    parser.add_argument('--force', '-f', action='store_true')
    parser.add_argument('--debug', '-d', action='store_true')
    _format_version_options(parser)
    ns = parser.parse_args(args)
    seed = ns.seed if ns.seed is not None else ns.seed_positional
    builder = ctx.builder
    if ns.format_version is None:
        print(FORMAT_NOTE)
    devs_changed = builder.devs_changed
    seconds_left = builder.min_part_seconds_left()
    last_balance = builder.get_balance()
    last_dispersion = builder.dispersion
    try:
        parts, balance, removed = builder.rebalance(seed=seed)
    except (RingBuilderError, RingValidationError) as err:
        raise CommandError(
            'An error has occurred during ring validation. Common\n'
            'causes of failure are rings that are empty or do not\n'
            'have enough devices to accommodate the replica count.\n'
            'Original exception message:\n %s' % err) from None
    if not parts:
        lines = ['No partitions could be reassigned.']
        if seconds_left > 0:
            lines.append('The time between rebalances must be at least '
                         'min_part_hours: %s hours (%s remaining)' % (
                             builder.min_part_hours,
                             _hms(seconds_left)))
        raise CommandError('\n'.join(lines), EXIT_WARNING)
    unchanged = (abs(last_balance - balance) < MIN_CHANGE_PERCENT and
                 not (last_balance == MAX_BALANCE and
                      balance == MAX_BALANCE) and
                 abs(last_dispersion - builder.dispersion) <
                 MIN_CHANGE_PERCENT)
    if not devs_changed and not ns.force and not removed and unchanged:
        raise CommandError('Cowardly refusing to save rebalance as it did '
                           'not change at least 1%.', EXIT_WARNING)
    print('Reassigned %d (%.02f%%) partitions. Balance is now %.02f.  '
          'Dispersion is now %.02f' % (parts, 100.0 * parts / builder.parts,
                                       balance, builder.dispersion))
    status = _rebalance_warnings(builder, balance)
    ctx.save_ring(format_version=ns.format_version)
    ctx.save_builder(backup=True)
    return status


def _hms(seconds: int) -> str:
    return str(datetime.timedelta(seconds=int(seconds)))


def _rebalance_warnings(builder: RingBuilder, balance: float) -> int:
    status = EXIT_SUCCESS
    if builder.dispersion > 0:
        status = EXIT_WARNING
        print(RULE)
        print('NOTE: Dispersion of %.06f indicates some parts are not\n'
              '      optimally dispersed.\n\n'
              '      You may want to adjust some device weights, increase\n'
              '      the overload or review the dispersion report.'
              % builder.dispersion)
        print(RULE)
    if balance > BALANCE_WARNING and balance / 100.0 > builder.overload:
        status = EXIT_WARNING
        print(RULE)
        print('NOTE: Balance of %.02f indicates you should push this ring, '
              'wait at least %d\n      hours, and rebalance/repush.'
              % (balance, builder.min_part_hours))
        print(RULE)
    return status


def cmd_write_ring(ctx: Context, args: Sequence[str]) -> int:
    parser = make_parser('write_ring')
    _format_version_options(parser)
    parser.add_argument('--dev-id-bytes', type=int, choices=(2, 4))
    ns = parser.parse_args(args)
    builder = ctx.builder
    if not builder._replica2part2dev:
        if any(d and d['weight'] for d in builder.devs):
            print('Warning: Writing a ring with no partition assignments '
                  'with one or more devices with a weight > 0.')
        else:
            print('Warning: Writing an empty ring')
    if ns.dev_id_bytes == 4 and ns.format_version != 2:
        raise CommandError('4-byte device ids need --format-version 2')
    ctx.save_ring(format_version=ns.format_version,
                  dev_id_bytes=ns.dev_id_bytes)
    return EXIT_SUCCESS


def cmd_write_builder(ctx: Context, args: Sequence[str]) -> int:
    """Recreate a builder from a ring file (a lost builder's last resort)."""
    if len(args) > 1:
        raise CommandError('write_builder takes [min_part_hours]')
    min_part_hours = parse_number(args[0], int, 'min_part_hours', minimum=0) \
        if args else 24
    ring_path = ctx.path
    builder_path = (ring_path[:-len(RING_SUFFIX)]
                    if ring_path.endswith(RING_SUFFIX) else ring_path) + \
        BUILDER_SUFFIX
    if os.path.exists(builder_path):
        raise CommandError('Cowardly refusing to overwrite existing Ring '
                           'Builder file: %s' % builder_path)
    try:
        ring_data = RingData.load(ring_path)
    except RingLoadError as err:
        raise CommandError(str(err)) from None
    builder = RingBuilder.from_ring(ring_data, min_part_hours)
    builder.save(builder_path)
    print('Wrote builder %s from ring %s' % (builder_path, ring_path))
    return EXIT_SUCCESS


def cmd_version(ctx: Context, args: Sequence[str]) -> int:
    try:
        ring_data = RingData.load(ctx.path)
    except RingLoadError as err:
        raise CommandError(str(err)) from None
    print('%s: Serialization version: %d (%d-byte IDs), build version: %s'
          % (ctx.path, ring_data.format_version, ring_data.dev_id_bytes,
             ring_data.version))
    return EXIT_SUCCESS


def cmd_search(ctx: Context, args: Sequence[str]) -> int:
    selected, _ = targets(args, 'search')
    devs = {}
    for criteria, _, _ in selected:
        for dev in ctx.builder.search_devs(criteria):
            devs[dev['id']] = dev
    if not devs:
        raise CommandError('No matching devices found')
    for line in report.device_table(ctx.builder, devs.values()):
        print(line)
    return EXIT_SUCCESS


def cmd_list_parts(ctx: Context, args: Sequence[str]) -> int:
    builder = ctx.builder
    if not builder._replica2part2dev:
        raise CommandError('Specified builder file "%s" is not rebalanced '
                           'yet. Please rebalance first.' % ctx.path)
    selected, _ = targets(args, 'list_parts')
    ids = set()
    for criteria, _, _ in selected:
        ids.update(dev['id'] for dev in builder.search_devs(criteria))
    if not ids:
        raise CommandError('No matching devices found')
    counts: Dict[int, int] = {}
    for row in builder._replica2part2dev:
        for part, dev_id in enumerate(row):
            if dev_id in ids:
                counts[part] = counts.get(part, 0) + 1
    print('Partition   Matches')
    for part, count in sorted(counts.items(), key=lambda i: (-i[1], i[0])):
        print('%9d   %7d' % (part, count))
    return EXIT_SUCCESS


def cmd_dispersion(ctx: Context, args: Sequence[str]) -> int:
    parser = make_parser('dispersion')
    parser.add_argument('search_filter', nargs='?')
    parser.add_argument('--verbose', '-v', action='store_true')
    parser.add_argument('--recalculate', action='store_true')
    ns = parser.parse_args(args)
    builder = ctx.builder
    if not builder._replica2part2dev:
        raise CommandError('Specified builder file "%s" is not rebalanced '
                           'yet. Please rebalance first.' % ctx.path)
    if ns.recalculate or not builder._dispersion_graph:
        builder.get_dispersion_graph()
        ctx.save_builder()
    for line in report.dispersion_report(builder, ns.search_filter,
                                         ns.verbose):
        print(line)
    return EXIT_SUCCESS


def cmd_validate(ctx: Context, args: Sequence[str]) -> int:
    try:
        ctx.builder.validate()
    except RingValidationError as err:
        raise CommandError(str(err)) from None
    return EXIT_SUCCESS


def _builder_setting(name: str, usage: str, parse: Callable[[str], Any],
                     apply: Callable[[RingBuilder, Any], None],
                     message: Callable[[Any], str]
                     ) -> Callable[[Context, Sequence[str]], int]:
    """Commands that set one builder-wide value share this shape."""
    def command(ctx: Context, args: Sequence[str]) -> int:
        if len(args) != 1:
            raise CommandError('%s takes %s' % (name, usage))
        value = parse(args[0])
        apply(ctx.builder, value)
        print(message(value))
        ctx.save_builder()
        return EXIT_SUCCESS
    return command


def _overload(text: str) -> float:
    if text.endswith('%'):
        return parse_number(text[:-1], float, 'overload', minimum=0) / 100.0
    return parse_number(text, float, 'overload', minimum=0)


cmd_set_overload = _builder_setting(
    'set_overload', '<value>[%]', _overload, RingBuilder.set_overload,
    lambda v: 'The overload factor is now %0.2f%% (%.6f)' % (v * 100, v))
cmd_set_min_part_hours = _builder_setting(
    'set_min_part_hours', '<hours>',
    lambda v: parse_number(v, int, 'min_part_hours', minimum=0),
    RingBuilder.change_min_part_hours,
    lambda v: 'The minimum number of hours before a partition can be '
              'reassigned is now set to %s' % v)
cmd_set_replicas = _builder_setting(
    'set_replicas', '<replicas>',
    lambda v: parse_number(v, float, 'replica count', minimum=1),
    RingBuilder.set_replicas,
    lambda v: 'The replica count is now %.6f.\nThe change will take effect '
              'after the next rebalance.' % v)


def cmd_pretend(ctx: Context, args: Sequence[str]) -> int:
    ctx.builder.pretend_min_part_hours_passed()
    ctx.save_builder()
    return EXIT_SUCCESS


COMMANDS: Dict[Optional[str], Callable[[Context, Sequence[str]], int]] = {
    None: cmd_default,
    'create': cmd_create,
    'add': cmd_add,
    'set_weight': cmd_set_weight,
    'set_region': cmd_set_region,
    'set_zone': cmd_set_zone,
    'set_info': cmd_set_info,
    'remove': cmd_remove,
    'rebalance': cmd_rebalance,
    'write_ring': cmd_write_ring,
    'write_builder': cmd_write_builder,
    'version': cmd_version,
    'search': cmd_search,
    'list_parts': cmd_list_parts,
    'dispersion': cmd_dispersion,
    'validate': cmd_validate,
    'set_overload': cmd_set_overload,
    'set_min_part_hours': cmd_set_min_part_hours,
    'set_replicas': cmd_set_replicas,
    'pretend_min_part_hours_passed': cmd_pretend,
}


def _lock_directory(path: str) -> int:
    """Hold an exclusive flock on the builder's directory (the -safe mode).
    """
    directory = os.path.dirname(os.path.abspath(path))
    fd = os.open(os.path.join(directory, '.lock'), os.O_WRONLY | os.O_CREAT,
                 0o644)
    deadline = time.time() + LOCK_TIMEOUT
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return fd
        except BlockingIOError:
            if time.time() > deadline:
                os.close(fd)
                raise CommandError('Timed out waiting for the lock on %s'
                                   % directory) from None
            time.sleep(0.1)


def main(argv: Optional[List[str]] = None, safe: bool = False) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in ('-h', '--help', 'help'):
        print(USAGE)
        return EXIT_SUCCESS if argv else EXIT_ERROR
    path, command, args = argv[0], (argv[1] if len(argv) > 1 else None), \
        argv[2:]
    handler = COMMANDS.get(command)
    if handler is None:
        print('Unknown command: %s\n\n%s' % (command, USAGE),
              file=sys.stderr)
        return EXIT_ERROR
    try:
        lock = _lock_directory(path) if safe else None
        try:
            return handler(Context(path), args)
        finally:
            if lock is not None:
                os.close(lock)
    except CommandError as err:
        stream = sys.stdout if err.code == EXIT_WARNING else sys.stderr
        print(err, file=stream)
        return err.code


def main_safe(argv: Optional[List[str]] = None) -> int:
    return main(argv, safe=True)

"""Swift's Timestamp: 10 microsecond precision plus an optional offset.

Pure logic, no I/O. Timestamps name files on disk, order writes across the
cluster and travel in headers, so every form must be byte-identical to
Swift's: ``normal`` (``%016.05f``), ``internal`` (normal plus ``_`` and 16 hex
digits of a non-zero offset), ``short`` (unpadded hex offset) and
``isoformat``. The value is kept as an integer count of 10 us units (``raw``)
so that formatting and comparison never suffer from float rounding.
"""
from __future__ import annotations

import datetime
import functools
import math
import re
import time
from typing import Optional, Tuple, Union

from swiftlike.common.exceptions import InvalidTimestamp

#: Seconds per unit of ``raw``.
PRECISION = 1e-5
#: ``raw`` units per second, as an integer for exact arithmetic.
UNITS_PER_SECOND = 100000
MAX_OFFSET = (1 << 64) - 1
#: Timestamps must be below this many seconds since the epoch.
TIMESTAMP_LIMIT = 10000000000
MAX_RAW = TIMESTAMP_LIMIT * UNITS_PER_SECOND
OFFSET_HEX_DIGITS = 16
#: Largest value X-Delete-At can hold once normalized.
MAX_DELETE_AT = TIMESTAMP_LIMIT - 1

_HEX_RE = re.compile(r'[0-9a-fA-F]*\Z')
_EPOCH = datetime.datetime(1970, 1, 1)
_DELTA_RE = re.compile(r'([+-])([0-9a-fA-F]+)')
_SIGN_RE = re.compile(r'[+-]')

TimestampLike = Union['Timestamp', str, bytes, float, int]


def _parse_offset(text: str) -> int:
    if len(text) > OFFSET_HEX_DIGITS:
        raise InvalidTimestamp('hex part too long: %r' % text)
    if not _HEX_RE.match(text):
        raise InvalidTimestamp(
            'invalid literal for int() with base 16: %r' % text)
    return int(text, 16) if text else 0


def _raw_from_float(value: float) -> int:
    # round() is half-even on the IEEE quotient, exactly as Swift rounds.
    return int(round(value / PRECISION))


def _parse(value: TimestampLike) -> Tuple[int, int]:
    """Return (raw, offset) for any accepted input form."""
    if isinstance(value, Timestamp):
        return value.raw, value.offset
    if isinstance(value, bytes):
        value = value.decode('ascii', 'replace')
    if isinstance(value, str):
        seconds, sep, hex_part = value.partition('_')
        try:
            number = float(seconds)
        except ValueError as err:
            raise InvalidTimestamp(str(err)) from None
        offset = _parse_offset(hex_part) if sep else 0
        return _raw_from_float(number), offset
    try:
        return _raw_from_float(float(value)), 0
    except (TypeError, ValueError, OverflowError) as err:
        raise InvalidTimestamp(str(err)) from None


@functools.total_ordering
class Timestamp:
    """A point in time as Swift orders it: seconds to 1e-5, then offset.

    ``offset`` breaks ties between events at the same instant (for example a
    tombstone written on behalf of an older PUT); clients never see it.
    """

    __slots__ = ('raw', 'offset')

    def __init__(self, timestamp: TimestampLike, offset: int = 0,
                 delta: int = 0, check_bounds: bool = True) -> None:
        raw, parsed_offset = _parse(timestamp)
        self.raw = raw + int(delta)
        self.offset = parsed_offset + int(offset)
        if self.offset < 0:
            raise InvalidTimestamp('offset must be non-negative')
        if self.offset > MAX_OFFSET:
            raise InvalidTimestamp('offset must be smaller than 2**64')
        if check_bounds:
            if self.raw < 0:
                raise InvalidTimestamp('timestamp cannot be negative')
            if self.raw >= MAX_RAW:
                raise InvalidTimestamp('timestamp too large')

    @classmethod
    def now(cls, offset: int = 0, delta: int = 0) -> Timestamp:
        return cls(time.time(), offset=offset, delta=delta)

    # -- string forms -----------------------------------------------------
    @property
    def normal(self) -> str:
        seconds, units = divmod(self.raw, UNITS_PER_SECOND)
        return '%010d.%05d' % (seconds, units)

    @property
    def internal(self) -> str:
        if self.offset:
            return '%s_%016x' % (self.normal, self.offset)
        return self.normal

    @property
    def short(self) -> str:
        if self.offset:
            return '%s_%x' % (self.normal, self.offset)
        return self.normal

    @property
    def isoformat(self) -> str:
        seconds, units = divmod(self.raw, UNITS_PER_SECOND)
        when = _EPOCH + datetime.timedelta(
            seconds=seconds, microseconds=units * 10)
        return when.strftime('%Y-%m-%dT%H:%M:%S.%f')

    @property
    def timestamp(self) -> float:
        return float(self.normal)

    def ceil(self) -> int:
        """Whole seconds, rounded up: what HTTP dates (Last-Modified) show."""
        return int(math.ceil(self.timestamp))

    # -- numeric and comparison protocol ----------------------------------
    def __float__(self) -> float:
        return self.timestamp

    def __int__(self) -> int:
        return self.raw // UNITS_PER_SECOND

    def __bool__(self) -> bool:
        return bool(self.raw or self.offset)

    def __str__(self) -> str:
        # Swift forbids str(): callers must say which form goes on the wire.
        raise TypeError('You must specify which string format is required')

    def __repr__(self) -> str:
        return 'Timestamp(%r)' % self.internal

    def _key(self) -> Tuple[int, int]:
        return self.raw, self.offset

    def __eq__(self, other: object) -> bool:
        if other is None:
            return False
        if not isinstance(other, Timestamp):
            try:
                other = Timestamp(other, check_bounds=False)  # type: ignore
            except (InvalidTimestamp, TypeError):
                return NotImplemented
        return self._key() == other._key()

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Timestamp):
            other = Timestamp(other, check_bounds=False)  # type: ignore
        return self._key() < other._key()

    def __hash__(self) -> int:
        return hash(self.internal)


def normalize_timestamp(value: TimestampLike) -> str:
    """The normal form of any accepted timestamp value."""
    return Timestamp(value).normal


def normalize_delete_at_timestamp(value: TimestampLike,
                                  high_precision: bool = False) -> str:
    """X-Delete-At as Swift stores it: clamped to 0..9999999999."""
    number = float(value)
    if high_precision:
        return '%016.5f' % min(max(0.0, number), MAX_DELETE_AT + 0.99999)
    return '%010d' % min(max(0, number), MAX_DELETE_AT)


def _encode_delta(delta: int) -> str:
    return '%s%x' % ('-' if delta < 0 else '+', abs(delta))


def encode_timestamps(t1: Timestamp, t2: Optional[Timestamp] = None,
                      t3: Optional[Timestamp] = None,
                      explicit: bool = False) -> str:
    """Pack up to three timestamps into one string (container rows, .meta).

    The later ones are deltas in 10 us units from the one before; deltas are
    left out when all are zero unless ``explicit`` asks for them.
    """
    form = t1.short
    if t2 is None:
        return form
    first = t2.raw - t1.raw
    extra = _encode_delta(first)
    explicit = explicit or first != 0
    if t3 is not None:
        second = t3.raw - t2.raw
        extra += _encode_delta(second)
        explicit = explicit or second != 0
    return form + extra if explicit else form


def decode_timestamps(encoded: Union[str, bytes], explicit: bool = False
                      ) -> Tuple[Optional[Timestamp], ...]:
    """Inverse of :func:`encode_timestamps`.

    A missing component equals the one before it, unless ``explicit``, in
    which case it comes back as None.
    """
    if isinstance(encoded, bytes):
        encoded = encoded.decode('ascii')
    match = _SIGN_RE.search(encoded)
    base = encoded[:match.start()] if match else encoded
    rest = encoded[match.start():] if match else ''
    previous = Timestamp(base)
    results = [previous]
    for sign, digits in _DELTA_RE.findall(rest)[:2]:
        delta = int(digits, 16) * (-1 if sign == '-' else 1)
        previous = Timestamp(0, delta=previous.raw + delta)
        results.append(previous)
    while len(results) < 3:
        results.append(None if explicit else results[-1])
    return tuple(results)

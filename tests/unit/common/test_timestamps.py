"""Timestamp forms, parsing, ordering and encoded triples, against Swift's
golden vectors."""
import pytest

from swiftlike.common.exceptions import InvalidTimestamp
from swiftlike.common.timestamps import (
    Timestamp,
    decode_timestamps,
    encode_timestamps,
    normalize_delete_at_timestamp,
    normalize_timestamp,
)
from tests.conftest import load_vector

VECTORS = load_vector('timestamps.json')
FORMS = ('normal', 'internal', 'short', 'isoformat', 'raw', 'offset')


def _forms(ts):
    return {'normal': ts.normal, 'internal': ts.internal, 'short': ts.short,
            'isoformat': ts.isoformat, 'raw': ts.raw, 'offset': ts.offset}


@pytest.mark.parametrize('case', VECTORS['format_cases'],
                         ids=lambda c: '%r+%s' % (c['input'], c['offset_arg']))
def test_format_cases(case):
    ts = Timestamp(case['input'], offset=case['offset_arg'])
    assert _forms(ts) == {k: case[k] for k in FORMS}
    assert repr(float(ts)) == case['float_repr']


@pytest.mark.parametrize('case', VECTORS['parse_cases'],
                         ids=lambda c: repr(c['input']))
def test_parse_cases(case):
    ts = Timestamp(case['input'])
    assert _forms(ts) == {k: case[k] for k in FORMS}
    # every form parses back to the same timestamp
    assert Timestamp(ts.internal) == ts
    assert Timestamp(ts.short) == ts


@pytest.mark.parametrize('case', VECTORS['parse_errors'],
                         ids=lambda c: repr(c['input']))
def test_parse_errors(case):
    if case['error'] is None:
        Timestamp(case['input'])
        return
    with pytest.raises(InvalidTimestamp) as err:
        Timestamp(case['input'])
    assert str(err.value) == case['error']
    assert isinstance(err.value, ValueError)


@pytest.mark.parametrize('case', VECTORS['encode_timestamps'],
                         ids=lambda c: c['encoded'])
def test_encode_decode(case):
    stamps = [Timestamp(t) if t else None
              for t in (case['t1'], case['t2'], case['t3'])]
    encoded = encode_timestamps(*stamps, explicit=case['explicit'])
    assert encoded == case['encoded']
    assert [t.internal for t in decode_timestamps(encoded)] == \
        case['decoded']
    assert [t.internal if t else None
            for t in decode_timestamps(encoded, explicit=True)] == \
        case['decoded_explicit']


@pytest.mark.parametrize('case', VECTORS['normalize_delete_at'],
                         ids=lambda c: repr(c['input']))
def test_normalize_delete_at(case):
    assert normalize_delete_at_timestamp(case['input']) == \
        case['low_precision']
    assert normalize_delete_at_timestamp(case['input'], True) == \
        case['high_precision']


def test_sort_order():
    expected = VECTORS['sort_order_example']
    shuffled = list(reversed(expected))
    assert [t.internal for t in sorted(Timestamp(s) for s in shuffled)] == \
        expected


def test_ordering_and_equality():
    t1 = Timestamp('1402464677.04188')
    t2 = Timestamp('1402464677.04188', offset=1)
    assert t1 < t2 and t2 > t1 and t1 != t2
    assert t1 == '1402464677.04188' and t1 == 1402464677.04188
    assert Timestamp(t2) == t2 and hash(Timestamp(t2)) == hash(t2)
    assert max(t1, t2) is t2
    assert t1 != None  # noqa: E711 - None never equals a timestamp
    assert bool(Timestamp(0)) is False and bool(Timestamp(0, offset=1))


def test_str_refuses_to_guess_a_form():
    with pytest.raises(TypeError):
        str(Timestamp(1))
    assert repr(Timestamp(1)) == "Timestamp('0000000001.00000')"


def test_ceil_and_int_and_delta():
    ts = Timestamp('1402464677.04188')
    assert ts.ceil() == 1402464678 and int(ts) == 1402464677
    assert Timestamp(ts, delta=1).normal == '1402464677.04189'
    assert normalize_timestamp(5) == '0000000005.00000'


@pytest.mark.parametrize('offset, message', [(-1, 'non-negative'),
                                             (1 << 64, 'smaller')])
def test_offset_bounds(offset, message):
    with pytest.raises(InvalidTimestamp, match=message):
        Timestamp(1, offset=offset)


def test_now_is_current():
    import time
    before = time.time()
    now = Timestamp.now()
    assert before - 1 <= float(now) <= time.time() + 1

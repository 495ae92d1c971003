"""The restricted unpickler admits Swift's plain-data pickles only."""
import pickle
from array import array

import pytest

from swiftlike.common.exceptions import UnpicklingForbidden
from swiftlike.common.safe_pickle import safe_loads


def test_plain_data_round_trips():
    data = {b'name': b'/a/c/o', b'Content-Length': b'12', 'n': [1, 2.5],
            't': (None, True), 's': {1}, 'f': frozenset([2])}
    for protocol in (0, 2, pickle.HIGHEST_PROTOCOL):
        assert safe_loads(pickle.dumps(data, protocol=protocol)) == data


def test_swift_metadata_pickle_prefix():
    metadata = {b'name': b'/a/c/o', b'X-Timestamp': b'1700000000.00000'}
    raw = pickle.dumps(metadata, protocol=2)
    assert raw.startswith(b'\x80\x02}q\x00(c_codecs\nencode')
    assert safe_loads(raw) == metadata


def test_header_key_dict_reads_as_dict():
    # What Swift writes for async_pending headers (protocol 0).
    raw = (b"ccopy_reg\n_reconstructor\np0\n"
           b"(cswift.common.header_key_dict\nHeaderKeyDict\np1\n"
           b"c__builtin__\ndict\np2\n(dp3\nVX-Size\np4\nV12\np5\nstp6\n"
           b"Rp7\n.")
    assert safe_loads(raw, encoding='utf8') == {'X-Size': '12'}


class Evil:
    def __reduce__(self):
        import os
        return (os.system, ('echo pwned',))


@pytest.mark.parametrize('payload', [
    pickle.dumps(Evil(), protocol=2),
    pickle.dumps(Evil(), protocol=0),
    b"cos\nsystem\n(S'echo hi'\ntR.",
    b'cbuiltins\neval\n(S"1+1"\ntR.',
])
def test_code_execution_refused(payload):
    with pytest.raises(UnpicklingForbidden, match='not allowed'):
        safe_loads(payload)


def test_arrays_only_when_asked():
    raw = pickle.dumps({'rows': [array('H', [1, 2])]}, protocol=2)
    with pytest.raises(UnpicklingForbidden):
        safe_loads(raw)
    assert safe_loads(raw, allow_arrays=True) == {'rows': [array('H',
                                                                 [1, 2])]}


@pytest.mark.parametrize('garbage', [b'', b'\x80\x02}q\x00(', b'not a pickle'])
def test_garbage_is_one_exception(garbage):
    with pytest.raises(UnpicklingForbidden):
        safe_loads(garbage)

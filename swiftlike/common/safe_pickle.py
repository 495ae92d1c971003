"""A restricted unpickler: plain data only, never arbitrary code.

Pickles come from disk and from peers (xattr metadata, hashes.pkl,
async_pending, REPLICATE answers, builder files); a crafted one must not be
able to run code. Only the globals Swift's own pickles need are admitted,
and Swift's HeaderKeyDict is read as a plain dict.
"""
from __future__ import annotations

import array
import codecs
import copyreg
import io
import pickle
from typing import Any, Dict, Tuple

from swiftlike.common.exceptions import UnpicklingForbidden

Global = Tuple[str, str]

_PLAIN_GLOBALS: Dict[Global, Any] = {
    # Python 3 pickles bytes at protocol 2 as _codecs.encode(text, latin1).
    ('_codecs', 'encode'): codecs.encode,
    ('copy_reg', '_reconstructor'): copyreg._reconstructor,
    ('copyreg', '_reconstructor'): copyreg._reconstructor,
    ('swift.common.header_key_dict', 'HeaderKeyDict'): dict,
}
for _module in ('__builtin__', 'builtins'):
    for _type in (dict, bytes, object, set, frozenset):
        _PLAIN_GLOBALS[(_module, _type.__name__)] = _type

#: Arrays, admitted only where a format needs them (builder files).
_ARRAY_GLOBALS: Dict[Global, Any] = {
    ('array', 'array'): array.array,
    ('array', '_array_reconstructor'): array._array_reconstructor,
}


class _SafeUnpickler(pickle.Unpickler):
    def __init__(self, data: bytes, allowed: Dict[Global, Any],
                 **kwargs: Any) -> None:
        super().__init__(io.BytesIO(data), **kwargs)
        self._allowed = allowed

    def find_class(self, module: str, name: str) -> Any:
        try:
            return self._allowed[(module, name)]
        except KeyError:
            raise UnpicklingForbidden('pickle global %s.%s is not allowed'
                                      % (module, name)) from None


def safe_loads(data: bytes, allow_arrays: bool = False,
               encoding: str = 'bytes') -> Any:
    """Unpickle plain data; anything else raises UnpicklingForbidden.

    ``encoding`` applies to Python 2 str objects, as in pickle.loads.
    Truncated or garbled input raises UnpicklingForbidden too, so callers
    have one exception to catch for "this pickle is no good".
    """
    allowed = dict(_PLAIN_GLOBALS)
    if allow_arrays:
        allowed.update(_ARRAY_GLOBALS)
    try:
        return _SafeUnpickler(data, allowed, encoding=encoding).load()
    except UnpicklingForbidden:
        raise
    except Exception as err:  # pickle raises many types on bad input
        raise UnpicklingForbidden('unreadable pickle: %s: %s'
                                  % (type(err).__name__, err)) from None

"""The one place besides common/wsgi.py that touches eventlet.

Everything else uses these names (green pools, timeouts, spawn, sleep), so
moving to threads or asyncio later changes this module and wsgi.py only.
"""
from __future__ import annotations

import warnings

with warnings.catch_warnings():
    # eventlet announces its bugfix-only status on import; we know.
    warnings.simplefilter('ignore')
    import eventlet
    import eventlet.greenpool
    import eventlet.timeout

GreenPool = eventlet.greenpool.GreenPool
GreenPile = eventlet.greenpool.GreenPile
Timeout = eventlet.timeout.Timeout
spawn = eventlet.spawn
spawn_n = eventlet.spawn_n
sleep = eventlet.sleep


def monkey_patch() -> None:
    """Make blocking stdlib calls cooperative (sockets, time, threads).

    Called first thing by server executables, before anything opens a
    socket. ``os`` stays unpatched: disk I/O is blocking by nature.
    """
    eventlet.monkey_patch(all=False, socket=True, select=True, thread=True,
                          time=True)


class TimeoutError(Exception):  # noqa: A001 - the public name callers know
    """Raised by :func:`call_with_timeout` when time runs out."""


def call_with_timeout(seconds: float, func, *args, **kwargs):
    """Run ``func`` and raise TimeoutError if it takes over ``seconds``."""
    with Timeout(seconds, TimeoutError(
            '%s timed out after %ss' % (getattr(func, '__name__', func),
                                        seconds))):
        return func(*args, **kwargs)

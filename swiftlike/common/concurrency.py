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
    import eventlet.queue
    import eventlet.timeout
    import eventlet.tpool

GreenPool = eventlet.greenpool.GreenPool
Timeout = eventlet.timeout.Timeout
spawn = eventlet.spawn
sleep = eventlet.sleep
#: a queue between green threads; ``get(timeout=...)`` raises QueueEmpty
Queue = eventlet.queue.LightQueue
QueueEmpty = eventlet.queue.Empty


def in_thread(func, *args):
    """Run a blocking call (fsync) in a real thread; green threads go on.

    An fsync takes milliseconds; run in place it would stall every request
    of the worker, and only one could wait on the disk at a time.
    """
    return eventlet.tpool.execute(func, *args)


def monkey_patch() -> None:
    """Make blocking stdlib calls cooperative (sockets, time, threads).

    Called first thing by server executables, before anything opens a
    socket. ``os`` stays unpatched: disk I/O is blocking by nature.
    """
    eventlet.monkey_patch(all=False, socket=True, select=True, thread=True,
                          time=True)


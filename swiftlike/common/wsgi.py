"""Running a paste.deploy WSGI app on eventlet: the server runner.

``run_wsgi(conf_path, 'object-server')`` reads the app's config, checks it
loads, binds ``bind_ip:bind_port``, then serves in this process
(``workers = 0``) or in forked workers managed by
:mod:`swiftlike.common.process_manager`. This module and
:mod:`swiftlike.common.concurrency` are the only users of eventlet.
"""
from __future__ import annotations

import grp
import http.client
import logging
import os
import pwd
import signal
import socket
import sys
import warnings
from typing import Optional

from swiftlike.common import constraints
from swiftlike.common.concurrency import GreenPool, sleep, spawn
from swiftlike.common.config import ConfSection, swift_conf_path
from swiftlike.common.exceptions import ConfigError
from swiftlike.common.logs import get_logger
from swiftlike.common.process_manager import (
    ProcessManager,
    notify_systemd,
    reexec,
)

with warnings.catch_warnings():
    warnings.simplefilter('ignore')  # eventlet's bugfix-only notice
    import eventlet
    import eventlet.wsgi

DEFAULT_BIND_IP = '0.0.0.0'
DEFAULT_BACKLOG = 4096
DEFAULT_MAX_CLIENTS = 1024
DEFAULT_PORTS = {'object-server': 6200, 'container-server': 6201,
                 'account-server': 6202, 'proxy-server': 8080}
#: Main loop poll while serving: how fast a stop signal is noticed.
SIGNAL_POLL = 0.1


def load_app_conf(conf_path: str, app_name: str) -> ConfSection:
    """The app section's options merged over [DEFAULT], as paste sees them.
    """
    from paste.deploy import appconfig
    if not os.path.exists(conf_path):
        raise ConfigError('Unable to read config from %s: no such file'
                          % conf_path)
    try:
        conf = appconfig('config:' + os.path.abspath(conf_path),
                         name=app_name)
    except Exception as err:  # paste and configparser raise many types
        raise ConfigError('Error trying to load config from %s: %s'
                          % (conf_path, str(err).splitlines()[0])) from None
    return ConfSection(dict(conf), path=conf_path, section='app:' + app_name)


def load_app(conf_path: str):
    """The whole pipeline (``[pipeline:main]``) of a config file."""
    from paste.deploy import loadapp
    try:
        return loadapp('config:' + os.path.abspath(conf_path))
    except ConfigError:
        raise
    except Exception as err:  # paste and app factories raise anything
        raise ConfigError('Error loading the WSGI pipeline of %s: %s: %s'
                          % (conf_path, type(err).__name__, err)) from None


def bind_socket(conf: ConfSection, app_name: str) -> socket.socket:
    ip = conf.get('bind_ip', DEFAULT_BIND_IP)
    port = conf.get_int('bind_port', DEFAULT_PORTS.get(app_name, 8080),
                        minimum=0)
    backlog = conf.get_int('backlog', DEFAULT_BACKLOG, minimum=1)
    family = socket.AF_INET6 if ':' in ip else socket.AF_INET
    try:
        sock = eventlet.listen((ip, port), family=family, backlog=backlog,
                               reuse_addr=True, reuse_port=True)
    except OSError as err:
        raise ConfigError('%s: cannot bind %s:%s: %s'
                          % (conf.path, ip, port, err)) from None
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


def drop_privileges(user: Optional[str]) -> None:
    """Become ``user`` when started as root (as Swift's servers do)."""
    if not user or os.geteuid() != 0:
        return
    try:
        entry = pwd.getpwnam(user)
    except KeyError:
        raise ConfigError('user %r does not exist' % user) from None
    if entry.pw_uid == 0:
        return
    groups = [g.gr_gid for g in grp.getgrall() if user in g.gr_mem]
    os.setgroups(groups + [entry.pw_gid])
    os.setgid(entry.pw_gid)
    os.setuid(entry.pw_uid)
    os.environ['HOME'] = entry.pw_dir


class _RequestTracker:
    """Counts requests in flight, so shutdown waits for them and no more.
    """

    def __init__(self, app) -> None:
        self.app = app
        self.active = 0

    def __call__(self, environ, start_response):
        self.active += 1
        try:
            result = self.app(environ, start_response)
        except BaseException:
            self.active -= 1
            raise
        return _Finishing(result, self)


class _Finishing:
    def __init__(self, result, tracker: _RequestTracker) -> None:
        self.result = result
        self.tracker = tracker
        self.done = False

    def __iter__(self):
        return iter(self.result)

    def close(self) -> None:
        try:
            if hasattr(self.result, 'close'):
                self.result.close()
        finally:
            if not self.done:
                self.done = True
                self.tracker.active -= 1


class _DrainingPool(GreenPool):
    """wsgi.server waits on this when it stops: stop listening, then wait
    for requests in flight (idle keep-alive connections do not count)."""

    def __init__(self, size: int, sock: socket.socket,
                 tracker: _RequestTracker) -> None:
        super().__init__(size)
        self.sock = sock
        self.tracker = tracker

    def waitall(self) -> None:
        try:
            self.sock.close()
        except OSError:
            pass
        while self.tracker.active > 0:
            sleep(SIGNAL_POLL)


class _Protocol(eventlet.wsgi.HttpProtocol):
    """eventlet's protocol, minus its invented ``Content-Type: text/plain``
    for requests that carry none: Swift answers those differently."""

    def get_environ(self, *args, **kwargs):
        environ = super().get_environ(*args, **kwargs)
        if self.headers.get('content-type') is None:
            environ.pop('CONTENT_TYPE', None)
        return environ


class _ServerLog:
    """eventlet.wsgi's log hook, sent to our logger at debug level."""

    def __init__(self, logger: logging.Logger) -> None:
        self.logger = logger

    def info(self, msg, *args, **kwargs):
        self.logger.debug(msg, *args)

    debug = info

    def error(self, msg, *args, **kwargs):
        self.logger.error(msg, *args)

    def write(self, data):
        self.logger.debug(data.rstrip())


def apply_http_limits() -> None:
    """Swift's header limits for what this process reads, as a server
    (414, 400 Header Line Too Long, 431) and as a client of other nodes:
    the stdlib parser's 100-header cap is too low for 90 metadata items.
    """
    eventlet.wsgi.MAX_HEADER_LINE = constraints.MAX_HEADER_SIZE
    http.client._MAXHEADERS = constraints.max_header_count()


def serve(sock: socket.socket, app, conf: ConfSection,
          logger: logging.Logger) -> Optional[int]:
    """Serve until SIGTERM or SIGHUP, then let in-flight requests finish.

    Returns the signal that stopped the server (None if it died alone).
    """
    tracker = _RequestTracker(app)
    pool = _DrainingPool(conf.get_int('max_clients', DEFAULT_MAX_CLIENTS,
                                      minimum=1), sock, tracker)
    stop = {'signal': None}

    def on_signal(signum, frame):
        stop['signal'] = signum

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGHUP, on_signal)
    apply_http_limits()
    server = spawn(eventlet.wsgi.server, sock, tracker, custom_pool=pool,
                   url_length_limit=constraints.MAX_REQUEST_LINE,
                   protocol=_Protocol,
                   log=_ServerLog(logger), log_output=False,
                   socket_timeout=conf.get_float('client_timeout', 60.0),
                   capitalize_response_headers=False,
                   debug=False)  # never a traceback to a client
    while stop['signal'] is None and not server.dead:
        sleep(SIGNAL_POLL)
    if not server.dead:
        logger.info('Stopping: finishing %d request(s) in flight',
                    tracker.active)
        server.kill(SystemExit())
        server.wait()
    logger.info('Stopped')
    return stop['signal']


def _workers(conf: ConfSection) -> int:
    """``workers``: a number, or ``auto`` (the default) for one per CPU."""
    if str(conf.get('workers', 'auto')).strip().lower() == 'auto':
        return os.cpu_count() or 1
    return conf.get_int('workers', minimum=0)


def run_wsgi(conf_path: str, app_name: str, verbose: bool = False) -> int:
    """Everything ``swiftlike-<server> CONF`` does; returns the exit code.
    """
    try:
        conf = load_app_conf(conf_path, app_name)
        logger = get_logger(conf, app_name, console=verbose)
        os.environ.setdefault('SWIFT_CONF_FILE', swift_conf_path())
        load_app(conf_path)  # fail before binding if the app cannot load
        sock = bind_socket(conf, app_name)
        drop_privileges(conf.get('user'))
        workers = _workers(conf)
    except ConfigError as err:
        print('Error: %s' % err, file=sys.stderr)
        return 1
    logger.info('Started %s on %s:%s with %d worker(s)', app_name,
                *sock.getsockname()[:2], workers)

    def worker_main() -> int:
        serve(sock, load_app(conf_path), conf, logger)
        return 0

    if workers == 0:
        notify_systemd('READY=1')
        stopped_by = serve(sock, load_app(conf_path), conf, logger)
        notify_systemd('STOPPING=1')
        if stopped_by == signal.SIGHUP:
            sock.close()
            reexec()
        return 0
    return ProcessManager(workers, worker_main, logger).run()

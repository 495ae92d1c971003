"""Logging for servers and daemons: syslog or console, and the transaction
id of the request being served on every line."""
from __future__ import annotations

import contextvars
import logging
import logging.handlers
import os
import socket
import sys
from typing import Dict, Optional

DEFAULT_LOG_ADDRESS = '/dev/log'
DEFAULT_FACILITY = 'LOG_LOCAL0'
LOG_FORMAT = '%(server)s: %(message)s%(txn_suffix)s'
CONSOLE_FORMAT = '%(asctime)s %(server)s: %(levelname)s %(message)s' \
    '%(txn_suffix)s'

#: The transaction id of the request this green thread is serving.
txn_id: contextvars.ContextVar[Optional[str]] = contextvars.ContextVar(
    'txn_id', default=None)


class _TxnFilter(logging.Filter):
    def __init__(self, server: str) -> None:
        super().__init__()
        self.server = server

    def filter(self, record: logging.LogRecord) -> bool:
        record.server = self.server
        current = txn_id.get()
        record.txn_suffix = ' (txn: %s)' % current if current else ''
        return True


def _syslog_handler(conf: Dict[str, str]) -> Optional[logging.Handler]:
    facility_name = conf.get('log_facility', DEFAULT_FACILITY)
    facility = getattr(logging.handlers.SysLogHandler,
                       facility_name, None)
    if facility is None:
        facility = logging.handlers.SysLogHandler.LOG_LOCAL0
    if conf.get('log_udp_host'):
        address = (conf['log_udp_host'], int(conf.get('log_udp_port', 514)))
        return logging.handlers.SysLogHandler(address=address,
                                              facility=facility)
    address = conf.get('log_address', DEFAULT_LOG_ADDRESS)
    if not os.path.exists(address):
        return None
    try:
        return logging.handlers.SysLogHandler(
            address=address, facility=facility,
            socktype=socket.SOCK_DGRAM)
    except OSError:
        return None


def get_logger(conf: Dict[str, str], name: str,
               console: bool = False) -> logging.Logger:
    """A logger configured from ``log_name``, ``log_level``,
    ``log_facility``, ``log_address``/``log_udp_host``.

    Logs go to syslog; to stderr as well with ``console`` (``--verbose``)
    or when no syslog socket exists, so nothing is ever silently lost.
    """
    server = conf.get('log_name', name)
    logger = logging.getLogger('swiftlike.%s' % server)
    logger.handlers.clear()
    logger.propagate = False
    level = str(conf.get('log_level', 'INFO')).upper()
    logger.setLevel(getattr(logging, level, logging.INFO))
    handler = _syslog_handler(conf)
    if handler is not None:
        handler.setFormatter(logging.Formatter(LOG_FORMAT))
        handler.addFilter(_TxnFilter(server))
        logger.addHandler(handler)
    if console or handler is None:
        stream = logging.StreamHandler(sys.stderr)
        stream.setFormatter(logging.Formatter(CONSOLE_FORMAT))
        stream.addFilter(_TxnFilter(server))
        logger.addHandler(stream)
    return logger

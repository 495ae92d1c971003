"""Container and expirer-queue updates sent by the object server.

After a write the object server tells the container servers listed in the
request about the new row, in parallel, waiting at most
``container_update_timeout``. Whatever did not succeed in time is written
as an async_pending record, so the object-updater finishes the job later:
a write never fails because a container server is slow.
"""
from __future__ import annotations

import hashlib
import logging
from typing import Dict, List, Optional, Tuple

from swiftlike.common.backend_http import (
    BackendError,
    backend_request,
    split_host,
)
from swiftlike.common.concurrency import GreenPool, Timeout
from swiftlike.obj.async_pending import write_async_pending

EMPTY_ETAG = hashlib.md5(b'', usedforsecurity=False).hexdigest()
OVERRIDE_PREFIXES = ('X-Object-Sysmeta-Container-Update-Override-',
                     'X-Backend-Container-Update-Override-')

Target = Tuple[str, str]  # (ip:port, device)


class UpdateHeadersError(ValueError):
    """X-Container-Host and X-Container-Device lists differ in length."""


def targets_from(headers, prefix: str) -> Tuple[List[Target], Optional[str]]:
    """(host, device) pairs and the partition from X-<prefix>-* headers."""
    hosts = [h.strip() for h in headers.get(prefix + '-Host', '').split(',')
             if h.strip()]
    devices = [d.strip() for d in
               headers.get(prefix + '-Device', '').split(',') if d.strip()]
    if len(hosts) != len(devices):
        raise UpdateHeadersError(
            '%s update failed: different numbers of hosts and devices in '
            'request: "%s" vs "%s"' % (
                prefix.split('-')[1], headers.get(prefix + '-Host', ''),
                headers.get(prefix + '-Device', '')))
    return list(zip(hosts, devices)), headers.get(prefix + '-Partition')


def apply_overrides(update: Dict[str, str], *sources) -> None:
    """Container-update overrides (sysmeta preferred) replace X-<name>."""
    for prefix in reversed(OVERRIDE_PREFIXES):
        for source in sources:
            for key, value in source.items():
                if key.title().startswith(prefix):
                    update['X-' + key[len(prefix):].title()] = value


class Updater:
    """Sends updates for one object server (settings and logger)."""

    def __init__(self, conn_timeout: float, node_timeout: float,
                 update_timeout: float, logger: logging.Logger) -> None:
        self.conn_timeout = conn_timeout
        self.node_timeout = node_timeout
        self.update_timeout = update_timeout
        self.logger = logger

    def _send(self, host: str, device: str, partition: str, op: str,
              path: str, headers: Dict[str, str]) -> bool:
        try:
            ip, port = split_host(host)
            status, _, _ = backend_request(
                ip, port, op, '/%s/%s%s' % (device, partition, path),
                headers, conn_timeout=self.conn_timeout,
                node_timeout=self.node_timeout)
        except (BackendError, ValueError) as err:
            self.logger.error('ERROR container update failed with %s/%s '
                              '(saving for async update later): %s',
                              host, device, err)
            return False
        if 200 <= status < 300:
            return True
        self.logger.error('ERROR container update failed with %s/%s '
                          '(saving for async update later): status %d',
                          host, device, status)
        return False

    def update(self, op: str, account: str, container: str, obj: str,
               targets: List[Target], partition: Optional[str],
               headers: Dict[str, str], dev_path: str, policy_index: int,
               db_state: Optional[str] = None) -> None:
        """Send to every target in parallel; async_pending what failed."""
        path = '/%s/%s/%s' % (account, container, obj)
        if not targets or partition is None:
            return
        pool = GreenPool(len(targets))
        results = [pool.spawn(self._send, host, device, partition, op, path,
                              headers) for host, device in targets]
        done = True
        try:
            with Timeout(self.update_timeout):
                pool.waitall()
        except Timeout:
            done = False
            self.logger.warning('Container update timeout (%.4fs) waiting '
                                'for %s', self.update_timeout,
                                [h for h, _ in targets])
        if done and all(r.wait() for r in results):
            return
        write_async_pending(dev_path, policy_index, op, account, container,
                            obj, headers, db_state=db_state)

    def queue_async(self, op: str, account: str, container: str, obj: str,
                    headers: Dict[str, str], dev_path: str,
                    policy_index: int) -> None:
        """Record an update for the updater without trying it now."""
        write_async_pending(dev_path, policy_index, op, account, container,
                            obj, headers)


def expirer_headers(base: Dict[str, str], size: Optional[str],
                    op: str) -> Dict[str, str]:
    """Headers of an .expiring_objects queue row update."""
    headers = dict(base)
    headers['X-Backend-Storage-Policy-Index'] = '0'
    if op == 'PUT':
        headers.update({
            'X-Size': '0', 'X-Etag': EMPTY_ETAG,
            'X-Content-Type': 'text/plain;swift_expirer_bytes=%s'
                              % (size or '0')})
    return headers

"""recon: ``GET /recon/<what>`` reports a storage node's state as JSON.

What swiftlike-recon and swift-recon ask for: async pendings, replication,
updater, auditor and expirer stats (from the daemons' recon cache files),
devices, disk usage, ring md5s, quarantined counts, mounted and unmounted
drives, version and time.
"""
from __future__ import annotations

import json
import os
import time
from typing import Any, Callable, Dict, List

from webob import Request, Response

import swiftlike
from swiftlike.common.config import ConfSection
from swiftlike.common.fs import file_md5

DEFAULT_RECON_CACHE = '/var/cache/swift'
DEFAULT_SWIFT_DIR = '/etc/swift'
RECON_PREFIX = '/recon/'
CACHE_FILES = {'object': 'object.recon', 'container': 'container.recon',
               'account': 'account.recon'}
EXPIRER_KEYS = ('object_expiration_pass', 'expired_last_pass')


def _read_json(path: str) -> Dict[str, Any]:
    try:
        with open(path, encoding='utf-8') as f:
            return json.load(f)
    except (OSError, ValueError):
        return {}



class ReconMiddleware:
    def __init__(self, app, conf: Dict[str, str]) -> None:
        self.app = app
        conf = ConfSection(conf, path=conf.get('__file__', '<config>'),
                           section='filter:recon')
        self.devices = conf.get('devices', '/srv/node')
        self.mount_check = conf.get_bool('mount_check', True)
        self.swift_dir = conf.get('swift_dir', DEFAULT_SWIFT_DIR)
        cache = conf.get('recon_cache_path', DEFAULT_RECON_CACHE)
        self.cache_files = {k: os.path.join(cache, v)
                            for k, v in CACHE_FILES.items()}
        self.handlers: Dict[str, Callable[[List[str]], Any]] = {
            'async': lambda _: self._cache('object', 'async_pending'),
            'replication': self._replication,
            'devices': lambda _: self._devices(),
            'diskusage': lambda _: self._diskusage(),
            'ringmd5': lambda _: self._ringmd5(),
            'quarantined': lambda _: self._quarantined(),
            'mounted': lambda _: self._mounted(),
            'unmounted': lambda _: self._unmounted(),
            'updater': self._updater,
            'auditor': self._auditor,
            'expirer': lambda _: self._keys('object', EXPIRER_KEYS),
            'load': lambda _: self._load(),
            'version': lambda _: {'version': swiftlike.__version__},
            'time': lambda _: time.time(),
        }

    def __call__(self, environ, start_response):
        path = environ.get('PATH_INFO', '')
        if not path.startswith(RECON_PREFIX):
            return self.app(environ, start_response)
        req = Request(environ)
        parts = path[len(RECON_PREFIX):].split('/')
        handler = self.handlers.get(parts[0])
        if req.method != 'GET' or handler is None:
            resp = Response(status='404 Not Found', body=b'Not Found',
                            content_type='text/plain')
        else:
            resp = Response(status='200 OK',
                            body=json.dumps(handler(parts[1:])).encode(),
                            content_type='application/json')
        return resp(environ, start_response)

    # -- reports ---------------------------------------------------------
    def _cache(self, server: str, key: str) -> Any:
        return _read_json(self.cache_files[server]).get(key)

    @staticmethod
    def _load() -> Dict[str, Any]:
        one, five, fifteen = os.getloadavg()
        running = '0/0'
        try:
            with open('/proc/loadavg') as f:
                running = f.read().split()[3]
        except (OSError, IndexError):
            pass
        procs, _, total = running.partition('/')
        return {'1m': one, '5m': five, '15m': fifteen,
                'processes': int(total or 0), 'tasks': running}

    def _keys(self, server: str, keys) -> Dict[str, Any]:
        data = _read_json(self.cache_files[server])
        return {k: data.get(k) for k in keys}

    def _updater(self, args: List[str]) -> Dict[str, Any]:
        server = args[0] if args and args[0] in ('object', 'container') \
            else 'object'
        return self._keys(server, ('%s_updater_sweep' % server,))

    def _auditor(self, args: List[str]) -> Dict[str, Any]:
        server = args[0].rstrip('s') if args else 'object'
        if server not in CACHE_FILES:
            server = 'object'
        if server == 'object':
            return self._keys(server, ('object_auditor_stats_ALL',
                                       'object_auditor_stats_ZBF'))
        return self._keys(server, tuple(
            '%s_%s' % (server, key) for key in (
                'audits_passed', 'audits_failed', 'auditor_pass_completed',
                'audits_since')))

    def _replication(self, args: List[str]) -> Dict[str, Any]:
        server = args[0] if args and args[0] in CACHE_FILES else 'object'
        data = _read_json(self.cache_files[server])
        if server == 'object':
            keys = ('replication_time', 'replication_stats',
                    'replication_last', 'object_replication_time',
                    'object_replication_last')
        else:
            keys = ('replication_time', 'replication_stats',
                    'replication_last')
        return {k: data.get(k) for k in keys}

    def _device_names(self) -> List[str]:
        try:
            return sorted(os.listdir(self.devices))
        except OSError:
            return []

    def _devices(self) -> Dict[str, List[str]]:
        return {self.devices: self._device_names()}

    def _is_mounted(self, device: str) -> bool:
        path = os.path.join(self.devices, device)
        return os.path.ismount(path) if self.mount_check \
            else os.path.isdir(path)

    def _mounted(self) -> List[Dict[str, Any]]:
        return [{'device': d, 'path': os.path.join(self.devices, d)}
                for d in self._device_names() if self._is_mounted(d)]

    def _unmounted(self) -> List[Dict[str, Any]]:
        return [{'device': d, 'mounted': False}
                for d in self._device_names() if not self._is_mounted(d)]

    def _diskusage(self) -> List[Dict[str, Any]]:
        usage = []
        for device in self._device_names():
            if not self._is_mounted(device):
                usage.append({'device': device, 'mounted': False,
                              'size': '', 'used': '', 'avail': ''})
                continue
            stats = os.statvfs(os.path.join(self.devices, device))
            size = stats.f_blocks * stats.f_frsize
            avail = stats.f_bavail * stats.f_frsize
            usage.append({'device': device, 'mounted': True, 'size': size,
                          'used': size - stats.f_bfree * stats.f_frsize,
                          'avail': avail})
        return usage

    def _ringmd5(self) -> Dict[str, str]:
        rings = {}
        try:
            names = os.listdir(self.swift_dir)
        except OSError:
            return rings
        for name in sorted(names):
            if name.endswith('.ring.gz'):
                path = os.path.join(self.swift_dir, name)
                rings[path] = file_md5(path)
        return rings

    def _quarantined(self) -> Dict[str, Any]:
        counts: Dict[str, Any] = {'objects': 0, 'containers': 0,
                                  'accounts': 0, 'policies': {}}
        for device in self._device_names():
            qdir = os.path.join(self.devices, device, 'quarantined')
            try:
                kinds = os.listdir(qdir)
            except OSError:
                continue
            for kind in kinds:
                try:
                    count = len(os.listdir(os.path.join(qdir, kind)))
                except OSError:
                    continue
                base, _, index = kind.partition('-')
                if base == 'objects':
                    policy = counts['policies'].setdefault(
                        index or '0', {'objects': 0})
                    policy['objects'] += count
                if base in counts:
                    counts[base] += count
        return counts


def filter_factory(global_conf: Dict[str, str], **local_conf: str):
    conf = dict(global_conf, **local_conf)
    return lambda app: ReconMiddleware(app, conf)

"""object-auditor: finds rotten objects and quarantines them.

Each pass walks every object of every local device. The zero-byte-file
(ZBF) pass checks metadata only (and reads empty files), quickly; the full
pass also reads every byte and compares the MD5 with the stored ETag, at
most ``files_per_second`` files and ``bytes_per_second`` bytes. A bad
object's hash dir moves to ``quarantined/objects[-N]/`` and its suffix is
invalidated, so the replicator brings a good copy back.
"""
from __future__ import annotations

import os
import time
from typing import Dict, Iterator, Optional, Tuple

from swiftlike.common.daemon import Daemon, run_daemon
from swiftlike.common.exceptions import (
    DiskFileCollision,
    DiskFileError,
    DiskFileNotExist,
    DiskFileQuarantined,
    SwiftlikeError,
)
from swiftlike.common.ratelimit import RateLimiter
from swiftlike.common.storage_policy import (
    get_policy_string,
    load_storage_policies,
)
from swiftlike.common.utils import split_path
from swiftlike.obj.diskfile import (
    DiskFile,
    DiskFileManager,
    quarantine_dir,
    read_metadata,
)
from swiftlike.obj.hashes import is_suffix
from swiftlike.obj.ondisk import gather_ondisk_files

ZBF = 'ZBF'
ALL = 'ALL'


class ObjectAuditor(Daemon):
    section = 'object-auditor'
    server_type = 'object'

    def __init__(self, conf, logger=None) -> None:
        super().__init__(conf, logger)
        c = self.conf
        self.files_per_second = c.get_float('files_per_second', 20,
                                            minimum=0)
        self.bytes_per_second = c.get_float('bytes_per_second', 10000000,
                                            minimum=0)
        self.zbf_per_second = c.get_float('zero_byte_files_per_second', 50,
                                          minimum=0)
        self.mgr = DiskFileManager(c)
        self.policies = load_storage_policies()
        self.stats: Dict[str, int] = {}

    def run_once(self) -> None:
        for mode in (ZBF, ALL):
            if not self.stopping:
                self.audit_pass(mode)

    def audit_pass(self, mode: str) -> None:
        began = time.time()
        self.stats = dict.fromkeys(('passes', 'quarantined', 'errors',
                                    'bytes_processed'), 0)
        files = RateLimiter(self.zbf_per_second if mode == ZBF
                            else self.files_per_second)
        volume = RateLimiter(0 if mode == ZBF else self.bytes_per_second)
        for dev_path, partition, policy, hash_dir in self.locations():
            if self.stopping:
                break
            self.audit(dev_path, partition, policy, hash_dir, mode, volume)
            files.take()
        elapsed = time.time() - began
        self.logger.info(
            'Object audit (%s) pass completed: %.02fs, %d passed, %d '
            'quarantined, %d errors, %d bytes read', mode, elapsed,
            self.stats['passes'], self.stats['quarantined'],
            self.stats['errors'], self.stats['bytes_processed'])
        key = 'object_auditor_stats_%s' % mode
        self.dump_recon({key: dict(self.stats, audit_time=elapsed,
                                   start_time=began)})

    def locations(self) -> Iterator[Tuple[str, str, int, str]]:
        """(device path, partition, policy, hash dir) of every object."""
        for _, dev_path in self.local_devices():
            for policy in self.policies:
                objects = os.path.join(dev_path, get_policy_string(
                    'objects', policy.idx))
                for partition in _dirs(objects):
                    part_dir = os.path.join(objects, partition)
                    for suffix in _dirs(part_dir):
                        if not is_suffix(suffix):
                            continue
                        suffix_dir = os.path.join(part_dir, suffix)
                        for name in _dirs(suffix_dir):
                            yield (dev_path, partition, policy.idx,
                                   os.path.join(suffix_dir, name))

    # -- one object ------------------------------------------------------
    def audit(self, dev_path: str, partition: str, policy: int,
              hash_dir: str, mode: str, volume: RateLimiter) -> None:
        try:
            problem = self._check(dev_path, partition, policy, hash_dir,
                                  mode, volume)
        except (SwiftlikeError, OSError) as err:
            self.stats['errors'] += 1
            self.logger.error('ERROR auditing %s: %s', hash_dir, err)
            return
        if problem is None:
            self.stats['passes'] += 1
            return
        self.stats['quarantined'] += 1
        self.logger.error('Quarantined object %s: %s', hash_dir, problem)

    def _check(self, dev_path: str, partition: str, policy: int,
               hash_dir: str, mode: str, volume: RateLimiter
               ) -> Optional[str]:
        """None when the object is sound, else why it was quarantined."""
        if os.path.isfile(hash_dir):
            quarantine_dir(dev_path, hash_dir, policy)
            return 'hash dir is a file'
        data = self._data_file(hash_dir)
        if data is None:
            return None  # a tombstone or nothing: nothing to read
        try:
            with open(data, 'rb') as f:
                name = read_metadata(f.fileno()).get('name', '')
        except FileNotFoundError:
            return None
        except (DiskFileError, ValueError) as err:
            quarantine_dir(dev_path, hash_dir, policy)
            return 'unreadable metadata: %s' % err
        try:
            account, container, obj = split_path(name, 3, 3, True)
        except ValueError:
            quarantine_dir(dev_path, hash_dir, policy)
            return 'bad name %r' % name
        df = DiskFile(self.mgr, dev_path, partition, account, container,
                      obj, policy)
        if df.datadir != hash_dir:
            quarantine_dir(dev_path, hash_dir, policy)
            return 'name %s does not hash to its directory' % name
        try:
            df.open(open_expired=True)
        except DiskFileQuarantined as err:
            return str(err)
        except (DiskFileNotExist, DiskFileCollision):
            return None
        size = int(df.metadata.get('Content-Length', 0))
        if mode == ZBF and size:
            df.close()
            return None
        reader = df.reader()
        for chunk in reader:
            self.stats['bytes_processed'] += len(chunk)
            volume.take(len(chunk))
        if not os.path.isdir(hash_dir):  # the reader found an ETag mismatch
            return 'ETag mismatch'
        return None

    def _data_file(self, hash_dir: str) -> Optional[str]:
        try:
            names = os.listdir(hash_dir)
        except (NotADirectoryError, FileNotFoundError):
            return None
        state = gather_ondisk_files(names, self.mgr.reclaim_age, time.time())
        if state.data is None or state.tombstone is not None:
            return None
        return os.path.join(hash_dir, state.data.filename)


def _dirs(path: str):
    try:
        return sorted(os.listdir(path))
    except (NotADirectoryError, FileNotFoundError):
        return []


def main(argv=None) -> int:
    return run_daemon(ObjectAuditor, argv)

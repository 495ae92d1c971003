"""Every storage policy's object ring, each loaded the first time it is
asked for: a process that never meets policy 1 never reads
``object-1.ring.gz``, and one that does reads it once."""
from __future__ import annotations

from typing import Dict

from swiftlike.common.ring.ring import Ring
from swiftlike.common.storage_policy import get_policy_string


class ObjectRings:
    def __init__(self, swift_dir: str) -> None:
        self.swift_dir = swift_dir
        self._rings: Dict[int, Ring] = {}

    def __call__(self, policy_index: int) -> Ring:
        """The object ring of policy ``policy_index``."""
        ring = self._rings.get(policy_index)
        if ring is None:
            ring = Ring(self.swift_dir, ring_name=get_policy_string(
                'object', policy_index))
            self._rings[policy_index] = ring
        return ring

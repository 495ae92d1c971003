"""The ring: where partitions live. Shared by every server and daemon."""
from swiftlike.common.ring.builder import RingBuilder
from swiftlike.common.ring.object_rings import ObjectRings
from swiftlike.common.ring.ring import Ring
from swiftlike.common.ring.ringdata import RingData

__all__ = ['ObjectRings', 'Ring', 'RingBuilder', 'RingData']

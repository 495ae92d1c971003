"""The handoff walk's arithmetic, including Swift's quirks."""
import itertools

from swiftlike.common.ring import handoffs


def handoff_walk(*args):
    return list(itertools.chain(*handoffs.handoff_walk(*args)))


def test_worked_start_values():
    assert handoff_walk(0, 32 - 8, 256)[0] == 207
    walk = handoff_walk(0, 32 - 17, 2 ** 17)
    assert walk[:3] == [106394, 106396, 106398]
    assert walk[walk.index(131070) + 1:][:3] == [2, 4, 6]


def test_step_one_never_visits_zero_unless_start():
    walk = handoff_walk(0, 24, 256)
    assert 0 not in walk and len(walk) == 255
    assert sorted(walk) == list(range(1, 256))


def test_step_two_keeps_parity():
    walk = handoff_walk(5, 15, 2 ** 17)
    assert len({p % 2 for p in walk}) == 1
    # an even start skips partition 0, as Swift's walk does
    assert len(walk) == len(set(walk))
    assert len(walk) == 2 ** 16 - (1 - walk[0] % 2)

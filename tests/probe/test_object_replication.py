"""Object replication: a handoff copy reaches its primaries and goes away;
a wiped device is refilled."""
import os
import shutil

from swiftclient import client as swiftclient

from swiftlike.common import hashing


def object_copies(probe, container, name):
    """Devices holding a .data of the object (primaries or not)."""
    digest = hashing.hash_path('AUTH_test', container, name)
    found = []
    for node in sorted(os.listdir(probe.srv)):
        device = 'sdb' + node[len('node'):]
        objects = os.path.join(probe.srv, node, device, 'objects')
        for part in os.listdir(objects) if os.path.isdir(objects) else []:
            hash_dir = os.path.join(objects, part, digest[-3:], digest)
            if os.path.isdir(hash_dir) and any(
                    n.endswith('.data') for n in os.listdir(hash_dir)):
                found.append(device)
    return sorted(found)


def test_handoff_goes_home_after_the_primary_returns(probe):
    swiftclient.put_container(probe.url, probe.token, 'p1')
    part, nodes = probe.ring('object').get_nodes('AUTH_test', 'p1', 'o')
    primaries = sorted(n['device'] for n in nodes)
    down = nodes[0]
    down_node = int(down['device'][len('sdb'):])
    probe.stop('object', down_node)
    try:
        swiftclient.put_object(probe.url, probe.token, 'p1', 'o', b'home')
        holders = object_copies(probe, 'p1', 'o')
        assert len(holders) == 3 and down['device'] not in holders
        handoff = [d for d in holders if d not in primaries]
        assert len(handoff) == 1
    finally:
        probe.start('object', down_node)
    probe.run('object-replicator')
    assert object_copies(probe, 'p1', 'o') == primaries
    # the handoff partition is gone from the handoff device
    handoff_dev = os.path.join(probe.srv, 'node' + handoff[0][3:],
                               handoff[0])
    assert not os.path.exists(os.path.join(handoff_dev, 'objects',
                                           str(part)))
    headers, body = swiftclient.get_object(probe.url, probe.token, 'p1',
                                           'o')
    assert body == b'home'


def test_a_wiped_device_is_refilled(probe):
    swiftclient.put_container(probe.url, probe.token, 'p7')
    names = ['w%d' % i for i in range(20)]
    for name in names:
        swiftclient.put_object(probe.url, probe.token, 'p7', name,
                               name.encode() * 100)
    wiped = os.path.join(probe.srv, 'node2', 'sdb2', 'objects')
    on_wiped = [n for n in names if 'sdb2' in object_copies(probe, 'p7', n)]
    assert on_wiped
    shutil.rmtree(wiped)
    assert all('sdb2' not in object_copies(probe, 'p7', n) for n in names)
    probe.run('object-replicator')
    for name in names:
        copies = object_copies(probe, 'p7', name)
        assert len(copies) == 3, (name, copies)
    assert all('sdb2' in object_copies(probe, 'p7', n) for n in on_wiped)

"""A corrupted object is quarantined by the auditor and restored by the
replicator; clients never get the corrupt bytes."""
import hashlib
import os

from swiftclient import client as swiftclient

from swiftlike.common import hashing

BODY = b'precious data ' * 1000


def data_file(probe, device, part, digest):
    hash_dir = os.path.join(probe.srv, 'node' + device[3:], device,
                            'objects', str(part), digest[-3:], digest)
    if not os.path.isdir(hash_dir):
        return None
    names = [n for n in os.listdir(hash_dir) if n.endswith('.data')]
    return os.path.join(hash_dir, names[0]) if names else None


def test_corrupt_copy_quarantined_then_restored(probe):
    swiftclient.put_container(probe.url, probe.token, 'p2')
    etag = swiftclient.put_object(probe.url, probe.token, 'p2', 'o', BODY)
    part, nodes = probe.ring('object').get_nodes('AUTH_test', 'p2', 'o')
    digest = hashing.hash_path('AUTH_test', 'p2', 'o')
    victim = nodes[0]['device']
    path = data_file(probe, victim, part, digest)
    with open(path, 'r+b') as f:  # same length, different bytes
        f.seek(100)
        f.write(b'ROTTEN')
    node = int(victim[3:])
    probe.run('object-auditor', nodes=[node])
    assert data_file(probe, victim, part, digest) is None
    quarantined = os.path.join(probe.srv, 'node%d' % node, victim,
                               'quarantined', 'objects', digest)
    assert os.path.isdir(quarantined)
    for _ in range(5):  # whichever node answers, the bytes are good
        headers, body = swiftclient.get_object(probe.url, probe.token, 'p2',
                                               'o')
        assert hashlib.md5(body).hexdigest() == etag
    probe.run('object-replicator')
    restored = data_file(probe, victim, part, digest)
    assert restored is not None
    with open(restored, 'rb') as f:
        assert hashlib.md5(f.read()).hexdigest() == etag
    # and a second audit finds nothing wrong
    probe.run('object-auditor', nodes=[node])
    assert data_file(probe, victim, part, digest) == restored

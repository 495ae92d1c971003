"""Container DB replicas that diverged (writes while a container server was
down) are made identical by the container-replicator: same rows, same
hash."""
import os
import shutil
import sqlite3

from swiftclient import client as swiftclient

from swiftlike.common import hashing
from swiftlike.common.db import db_path


def replicas(probe, container):
    """{device: (hash, rows)} of every container DB replica on disk."""
    ring = probe.ring('container')
    part, nodes = ring.get_nodes('AUTH_test', container)
    digest = hashing.hash_path('AUTH_test', container)
    found = {}
    for node in sorted(os.listdir(probe.srv)):
        device = 'sdb' + node[len('node'):]
        path = db_path(os.path.join(probe.srv, node, device), 'container',
                       str(part), digest)
        if not os.path.exists(path):
            continue
        with sqlite3.connect(path) as conn:
            conn.execute('SELECT 1')  # (pending rows merged by readers)
            rows = conn.execute(
                'SELECT name, created_at, size, etag, deleted FROM object '
                'ORDER BY name').fetchall()
            stat_hash = conn.execute('SELECT hash FROM container_stat'
                                     ).fetchone()[0]
        found[device] = (stat_hash, rows)
    return found, sorted(n['device'] for n in nodes)


def flush_pending(probe, container):
    # a HEAD through the proxy makes each reached server merge .pending
    for _ in range(3):
        swiftclient.head_container(probe.url, probe.token, container,
                                   headers={'X-Newest': 'true'})


def test_diverged_replicas_converge(probe):
    ring = probe.ring('container')
    _, nodes = ring.get_nodes('AUTH_test', 'p4')
    down = int(nodes[0]['device'][len('sdb'):])
    swiftclient.put_container(probe.url, probe.token, 'p4')
    swiftclient.put_object(probe.url, probe.token, 'p4', 'before', b'1')
    probe.stop('container', down)
    try:
        for i in range(5):
            swiftclient.put_object(probe.url, probe.token, 'p4', 'while%d' % i,
                                   b'22')
        swiftclient.delete_object(probe.url, probe.token, 'p4', 'before')
    finally:
        probe.start('container', down)
    # the async pendings would repair it too: this is about replication
    for node in os.listdir(probe.srv):
        base = os.path.join(probe.srv, node, 'sdb' + node[4:],
                            'async_pending')
        if os.path.isdir(base):
            shutil.rmtree(base)
    flush_pending(probe, 'p4')
    found, primaries = replicas(probe, 'p4')
    assert sorted(found) == primaries
    assert len({h for h, _ in found.values()}) > 1  # they differ
    probe.run('container-replicator')
    flush_pending(probe, 'p4')
    found, _ = replicas(probe, 'p4')
    hashes = {h for h, _ in found.values()}
    row_sets = {tuple(rows) for _, rows in found.values()}
    assert len(hashes) == 1 and len(row_sets) == 1
    rows = row_sets.pop()
    assert [r[0] for r in rows if not r[4]] == ['while%d' % i
                                                for i in range(5)]
    assert [r[0] for r in rows if r[4]] == ['before']


def test_a_replica_missing_entirely_is_copied(probe):
    ring = probe.ring('container')
    _, nodes = ring.get_nodes('AUTH_test', 'p4b')
    down = int(nodes[1]['device'][len('sdb'):])
    probe.stop('container', down)
    try:
        swiftclient.put_container(probe.url, probe.token, 'p4b')
        swiftclient.put_object(probe.url, probe.token, 'p4b', 'x', b'x')
    finally:
        probe.start('container', down)
    found, primaries = replicas(probe, 'p4b')
    assert nodes[1]['device'] not in found
    probe.run('container-replicator')
    flush_pending(probe, 'p4b')
    found, _ = replicas(probe, 'p4b')
    assert sorted(found) == primaries
    assert len({h for h, _ in found.values()}) == 1
    assert all([r[0] for r in rows] == ['x'] for _, rows in found.values())


def test_a_replica_far_behind_gets_a_merged_copy(probe):
    import json
    ring = probe.ring('container')
    _, nodes = ring.get_nodes('AUTH_test', 'p4c')
    down = int(nodes[2]['device'][len('sdb'):])
    swiftclient.put_container(probe.url, probe.token, 'p4c')
    probe.stop('container', down)
    try:
        for i in range(12):
            swiftclient.put_object(probe.url, probe.token, 'p4c', 'r%02d' % i,
                                   b'x')
    finally:
        probe.start('container', down)
    flush_pending(probe, 'p4c')
    probe.run('container-replicator', per_diff='2')
    merges = 0
    for node in (1, 2, 3, 4):
        path = os.path.join(probe.aio.root, 'data', 'cache', 'node%d' % node,
                            'container.recon')
        if os.path.exists(path):
            with open(path) as f:
                merges += json.load(f)['replication_stats']['remote_merge']
    assert merges >= 1
    flush_pending(probe, 'p4c')
    found, primaries = replicas(probe, 'p4c')
    assert sorted(found) == primaries
    assert len({h for h, _ in found.values()}) == 1
    assert all(len(rows) == 12 for _, rows in found.values())

"""Container updates that could not be made in time are replayed by the
object-updater; container stats reach the account through the
container-updater."""
import os

from swiftclient import client as swiftclient


def async_pendings(probe):
    found = []
    for node in os.listdir(probe.srv):
        base = os.path.join(probe.srv, node, 'sdb' + node[len('node'):],
                            'async_pending')
        for sfx in os.listdir(base) if os.path.isdir(base) else []:
            found += os.listdir(os.path.join(base, sfx))
    return found


def test_updates_replayed_after_container_servers_return(probe):
    swiftclient.put_container(probe.url, probe.token, 'p3')
    _, nodes = probe.ring('container').get_nodes('AUTH_test', 'p3')
    downs = [int(n['device'][len('sdb'):]) for n in nodes]
    swiftclient.head_container(probe.url, probe.token, 'p3')  # cache info
    for node in downs:
        probe.stop('container', node)
    try:
        swiftclient.put_object(probe.url, probe.token, 'p3', 'late', b'x')
        assert async_pendings(probe)
    finally:
        for node in downs:
            probe.start('container', node)
    _, listing = swiftclient.get_container(probe.url, probe.token, 'p3')
    assert listing == []
    probe.run('object-updater')
    assert async_pendings(probe) == []
    _, listing = swiftclient.get_container(probe.url, probe.token, 'p3')
    assert [o['name'] for o in listing] == ['late']
    # and the account hears of it through the container-updater
    probe.run('container-updater')
    headers = swiftclient.head_account(probe.url, probe.token)
    assert int(headers['x-account-object-count']) >= 1
    _, containers = swiftclient.get_account(probe.url, probe.token,
                                            prefix='p3')
    assert containers[0]['count'] == 1

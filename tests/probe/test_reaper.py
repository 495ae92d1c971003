"""A deleted account is emptied by the account-reaper: every object, then
every container."""
import os

from swiftclient import client as swiftclient

from swiftlike.common.direct_client import direct_request
from swiftlike.common.timestamps import Timestamp


def data_files(probe):
    """.data files on every device (this module's cluster holds only what
    the test writes)."""
    found = 0
    for node in os.listdir(probe.srv):
        objects = os.path.join(probe.srv, node, 'sdb' + node[4:], 'objects')
        for _root, _, files in os.walk(objects):
            found += sum(1 for f in files if f.endswith('.data'))
    return found


def test_deleted_account_is_reaped(probe):
    url, token = swiftclient.get_auth(probe.aio.auth_url, 'test2:tester2',
                                      'testing2')
    before = data_files(probe)
    for container in ('r1', 'r2'):
        swiftclient.put_container(url, token, container)
        for i in range(3):
            swiftclient.put_object(url, token, container, 'o%d' % i, b'x')
    assert data_files(probe) == before + 18
    # the account DELETE a reseller admin makes (straight to the servers)
    part, nodes = probe.ring('account').get_nodes('AUTH_test2')
    stamp = Timestamp.now().internal
    for node in nodes:
        status, _, _ = direct_request(node, part, 'DELETE', '/AUTH_test2',
                                      {'X-Timestamp': stamp})
        assert status == 204
    probe.run('account-reaper')
    assert data_files(probe) == before
    cpart, cnodes = probe.ring('container').get_nodes('AUTH_test2', 'r1')
    for node in cnodes:
        status, _, _ = direct_request(node, cpart, 'HEAD', '/AUTH_test2/r1')
        assert status == 404

"""X-Delete-After: once due, the object-expirer deletes the object and
the container listing drops it; an object re-PUT without expiry stays."""
import time

from swiftclient import client as swiftclient
from swiftclient.exceptions import ClientException

from swiftlike.common.direct_client import direct_listing
from tests.servers import wait_for


def names(probe, container):
    _, rows = swiftclient.get_container(probe.url, probe.token, container)
    return [r['name'] for r in rows]


def test_expirer_deletes_due_objects(probe):
    swiftclient.put_container(probe.url, probe.token, 'p6')
    swiftclient.put_object(probe.url, probe.token, 'p6', 'brief', b'x',
                           headers={'X-Delete-After': '2'})
    swiftclient.put_object(probe.url, probe.token, 'p6', 'kept', b'y',
                           headers={'X-Delete-After': '2'})
    # re-PUT without expiry: the queue row must not delete it
    swiftclient.put_object(probe.url, probe.token, 'p6', 'kept', b'yy')
    swiftclient.put_object(probe.url, probe.token, 'p6', 'later', b'z',
                           headers={'X-Delete-After': '86400'})
    due = time.time() + 3
    wait_for(lambda: time.time() > due, deadline=10,
             message='the objects to be due')
    try:
        swiftclient.get_object(probe.url, probe.token, 'p6', 'brief')
        raise AssertionError('an expired object was served')
    except ClientException as err:
        assert err.http_status == 404
    assert names(probe, 'p6') == ['brief', 'kept', 'later']
    probe.run('object-updater')      # queue rows kept as async, if any
    probe.run('container-updater')   # the queue account learns its containers
    probe.run('object-expirer')
    assert names(probe, 'p6') == ['kept', 'later']
    assert swiftclient.get_object(probe.url, probe.token, 'p6',
                                  'kept')[1] == b'yy'
    # the due rows left the queue; the one for tomorrow stays (read from
    # the storage nodes: no proxy user may see a dot-account)
    ring = probe.ring('account')
    part, nodes = ring.get_nodes('.expiring_objects')
    rows = []
    for queue in direct_listing(nodes, part, '/.expiring_objects'):
        cpart, cnodes = probe.ring('container').get_nodes(
            '.expiring_objects', queue['name'])
        rows += [r['name'] for r in direct_listing(
            cnodes, cpart, '/.expiring_objects/' + queue['name'])]
    assert [r.split('/', 1)[1] for r in rows] == ['p6/later']

from swiftlike.common.ips import is_local_device, whataremyips


def test_specific_bind_ip_is_the_only_one():
    assert whataremyips('10.1.2.3') == {'10.1.2.3'}


def test_any_address_lists_loopback():
    found = whataremyips('0.0.0.0')
    assert '127.0.0.1' in found


def test_local_device_by_replication_address_and_port():
    dev = {'ip': '10.0.0.1', 'port': 6200, 'replication_ip': '10.1.0.1',
           'replication_port': 6210}
    assert is_local_device({'10.1.0.1'}, 6210, dev)
    assert not is_local_device({'10.0.0.1'}, 6200, dev)
    assert is_local_device({'10.0.0.1'}, 6200, {'ip': '10.0.0.1',
                                                'port': 6200})

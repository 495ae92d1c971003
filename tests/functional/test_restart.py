"""The all-in-one stops everything it started on SIGTERM, and a second run
on the same data directory serves the same data."""
import os
import subprocess

import pytest
from swiftclient import client as swiftclient

from tests.functional.conftest import Aio
from tests.servers import make_root, remove_root, xattr_base


def _processes_of(root):
    found = subprocess.run(['pgrep', '-f', os.path.join(root, 'data')],
                           capture_output=True, text=True)
    return found.stdout.split()


def test_stop_and_serve_the_same_data_again():
    base = xattr_base()
    if base is None:
        pytest.skip('no filesystem with large user xattrs')
    root = make_root(base)
    try:
        first = Aio(root, daemons=False)
        url, token = swiftclient.get_auth(first.auth_url, 'test:tester',
                                          'testing')
        swiftclient.put_container(url, token, 'kept')
        etag = swiftclient.put_object(url, token, 'kept', 'o', b'durable')
        assert len(_processes_of(root)) >= 13  # 12 storage + proxy
        assert first.stop() == 0
        assert _processes_of(root) == []
        assert 'Stopping...' in first.output()
        second = Aio(root, base_port=first.base_port, daemons=False)
        try:
            url, token = swiftclient.get_auth(second.auth_url,
                                              'test:tester', 'testing')
            headers, body = swiftclient.get_object(url, token, 'kept', 'o')
            assert body == b'durable' and headers['etag'] == '"%s"' % etag
            _, listing = swiftclient.get_container(url, token, 'kept')
            assert [o['name'] for o in listing] == ['o']
        finally:
            assert second.stop() == 0
    finally:
        remove_root(root)

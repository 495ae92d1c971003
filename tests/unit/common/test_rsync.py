from swiftlike.common.rsync import (
    TEMP_FILE_EXCLUDE,
    format_module,
    object_rsync_command,
)
from swiftlike.obj.replicator import differing

NODE = {'ip': '10.0.0.1', 'port': 6200, 'replication_ip': '10.1.0.1',
        'replication_port': 6210, 'region': 1, 'zone': 2, 'device': 'sdb1',
        'meta': ''}


def test_module_placeholders():
    assert format_module('{replication_ip}::object', NODE) == \
        '10.1.0.1::object'
    assert format_module('{ip}::object_{device}', NODE) == \
        '10.0.0.1::object_sdb1'
    assert format_module('rsync://{replication_ip}:873/object'
                         '{replication_port}/', NODE) == \
        'rsync://10.1.0.1:873/object6210'
    v6 = dict(NODE, replication_ip='fe80::1')
    assert format_module('{replication_ip}::object', v6) == '[fe80::1]::object'


def test_object_rsync_command_is_swifts():
    args = object_rsync_command(['/srv/node/sda/objects/7/abc'],
                                '10.0.0.1::object/sdb1/objects/7', 30, '0')
    assert args == ['rsync', '--recursive', '--whole-file',
                    '--human-readable', '--xattrs', '--itemize-changes',
                    '--ignore-existing', '--timeout=30', '--contimeout=30',
                    '--bwlimit=0', TEMP_FILE_EXCLUDE,
                    '/srv/node/sda/objects/7/abc',
                    '10.0.0.1::object/sdb1/objects/7']
    assert TEMP_FILE_EXCLUDE == '--exclude=.*.' + '[0-9a-zA-Z]' * 6
    assert '--compress' in object_rsync_command([], 'x', 30, '0', True)


def test_differing_suffixes():
    local = {'abc': '1', 'def': '2', '123': '3'}
    assert differing(local, {'abc': '1', 'def': 'x'}) == ['123', 'def']
    assert differing(local, local) == []

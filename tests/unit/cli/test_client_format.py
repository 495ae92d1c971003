"""stat and list --long laid out as swift lays them out."""
from swiftlike.cli.client_format import (
    account_rows,
    container_line,
    container_rows,
    format_rows,
    object_line,
    object_rows,
    size_text,
    totals_line,
)


def test_sizes():
    assert size_text(5, False) == '           5'
    assert size_text(5, True) == '   5'
    assert size_text(1023, True) == '1023'
    assert size_text(2048, True) == '2.0K'
    assert size_text(3 * 1024 * 1024 + 5, True) == '3.0M'
    assert size_text(12 * 1024 ** 3, True) == ' 12G'


def test_account_stat_with_policies_meta_and_other_headers():
    headers = {  # as the proxy sends them, in its order
        'Content-Length': '0', 'X-Account-Container-Count': '2',
        'X-Account-Object-Count': '3', 'X-Account-Bytes-Used': '2048',
        'X-Account-Storage-Policy-Gold-Container-Count': '2',
        'X-Account-Storage-Policy-Gold-Object-Count': '3',
        'X-Account-Storage-Policy-Gold-Bytes-Used': '2048',
        'X-Account-Meta-Color': 'blue', 'X-Timestamp': '1.00000',
        'Content-Type': 'text/plain; charset=utf-8',
        'X-Trans-Id': 'tx1', 'Date': 'Tue, 24 Nov 2026 14:41:01 GMT'}
    assert format_rows(account_rows('AUTH_test', headers, human=True)) == [
        '                    Account: AUTH_test',
        '                 Containers: 2',
        '                    Objects: 3',
        '                      Bytes: 2.0K',
        'Containers in policy "gold": 2',
        '   Objects in policy "gold": 3',
        '     Bytes in policy "gold": 2.0K',
        '                 Meta Color: blue',
        '                X-Timestamp: 1.00000',
        '               Content-Type: text/plain; charset=utf-8',
        '                 X-Trans-Id: tx1']


def test_container_and_object_stat():
    rows = container_rows('AUTH_test', 'c', {
        'X-Container-Object-Count': '1', 'X-Container-Bytes-Used': '3',
        'X-Container-Read': '.r:*', 'X-Container-Meta-Flavor': 'mint',
        'X-Storage-Policy': 'gold'})
    assert format_rows(rows) == [
        '         Account: AUTH_test', '       Container: c',
        '         Objects: 1', '           Bytes: 3',
        '        Read ACL: .r:*', '       Write ACL:', '         Sync To:',
        '        Sync Key:', '     Meta Flavor: mint',
        'X-Storage-Policy: gold']
    rows = object_rows('AUTH_test', 'c', 'a', {
        'Content-Type': 'text/plain', 'Content-Length': '3',
        'Etag': '"abc"', 'Last-Modified': 'Tue, 24 Nov 2026 14:41:01 GMT',
        'X-Object-Meta-Color': 'blue', 'Accept-Ranges': 'bytes'})
    # empty rows (no Manifest here) are left out for objects
    assert format_rows(rows, skip_missing=True) == [
        '       Account: AUTH_test', '     Container: c',
        '        Object: a', '  Content Type: text/plain',
        'Content Length: 3',
        ' Last Modified: Tue, 24 Nov 2026 14:41:01 GMT',
        '          ETag: "abc"', '    Meta Color: blue',
        ' Accept-Ranges: bytes']


def test_listing_lines():
    row = {'name': 'a.txt', 'bytes': 2048, 'content_type': 'text/plain',
           'last_modified': '2026-11-24T14:41:01.123450'}
    assert object_line(row, True) == (
        '2.0K 2026-11-24 14:41:01               text/plain a.txt')
    # (columns of 12, 10, 8 and 24; swift shows a subdir's type as None)
    assert object_line({'subdir': 'dir/'}, False) == (
        ' ' * 11 + '0' + ' ' * 41 + 'None dir/')
    # containers: when each was made and its policy, from its HEAD
    assert container_line(
        {'name': 'c', 'count': 2, 'bytes': 7}, False,
        {'X-Timestamp': '1795530060.64199', 'X-Storage-Policy': 'gold'}
    ) == '           2            7 2026-11-24 14:21:00 gold            c'
    assert container_line({'name': 'c', 'count': 0, 'bytes': 0}, True,
                          {}) == (
        '           0    0 ????-??-?? ??:??:??                 c')
    assert totals_line(3, 2048, True, True) == '2.0K'
    assert totals_line(3, 2048, False, True) == '           3 2.0K'

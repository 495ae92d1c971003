"""The ``swiftlike`` client's command line: verbs and options as
python-swiftclient's ``swift`` spells them, each with its help."""
from __future__ import annotations

import argparse
import os


def byte_size(text: str) -> int:
    """``1048576``, ``1024K``, ``1M``, ``2G``: powers of 1024, as swift
    reads --segment-size."""
    units = 'BKMG'
    try:
        if text[-1:].upper() in units:
            value = int(text[:-1]) * 1024 ** units.index(text[-1].upper())
        else:
            value = int(text)
    except ValueError:
        value = 0
    if value <= 0:
        raise argparse.ArgumentTypeError('invalid segment size %r' % text)
    return value


def _connection_options(top: argparse.ArgumentParser) -> None:
    env = os.environ.get
    top.add_argument('-A', '--auth', dest='auth_url', default=env('ST_AUTH'),
                     help='auth URL, e.g. http://proxy:8080/auth/v1.0 '
                          '(ST_AUTH)')
    top.add_argument('-U', '--user', default=env('ST_USER'),
                     help='account:user (ST_USER)')
    top.add_argument('-K', '--key', default=env('ST_KEY'),
                     help='the user\'s key (ST_KEY)')
    top.add_argument('-V', '--auth-version', default=env('ST_AUTH_VERSION',
                                                         '1.0'),
                     help='only 1.0 (tempauth and the like) is spoken')
    top.add_argument('--os-storage-url', default=env('OS_STORAGE_URL'),
                     help='storage URL to use with --os-auth-token, '
                          'skipping authentication (OS_STORAGE_URL)')
    top.add_argument('--os-auth-token', default=env('OS_AUTH_TOKEN'),
                     help='a token from "swiftlike auth" (OS_AUTH_TOKEN)')
    top.add_argument('--timeout', type=float, default=60.0,
                     help='seconds to wait for each answer (60)')


def _transfer_verbs(verbs) -> None:
    p = verbs.add_parser('upload', help='upload files and directories')
    p.add_argument('container')
    p.add_argument('files', nargs='+', help='files or directories')
    p.add_argument('--object-name', help='the object\'s name (one file)')
    p.add_argument('--segment-size', '-S', type=byte_size,
                   help='upload files larger than this as segments and a '
                        'manifest: bytes, or with a B, K, M or G suffix')
    p.add_argument('--use-dlo', action='store_true',
                   help='a dynamic (X-Object-Manifest) manifest')
    p.add_argument('--use-slo', action='store_true',
                   help='a static manifest (the default with -S)')
    p.add_argument('--header', '-H', action='append', default=[],
                   help='Name:value, repeatable')
    p.add_argument('--skip-identical', action='store_true',
                   help='skip files whose MD5 the object already has')
    p.add_argument('--changed', '-c', action='store_true',
                   help='skip files with the same size and mtime')
    p.add_argument('--object-threads', type=int, default=10,
                   help='files uploaded at once (10)')
    p.add_argument('--segment-threads', type=int, default=10,
                   help='segments of one file uploaded at once (10)')
    p.add_argument('--ignore-checksum', action='store_true',
                   help='do not compare the MD5 of what was sent with the '
                        'ETag the cluster answers')
    p.add_argument('--leave-segments', action='store_true',
                   help='keep the segments of a large object the upload '
                        'replaces')
    p = verbs.add_parser('download', help='download objects')
    p.add_argument('container', nargs='?')
    p.add_argument('objects', nargs='*')
    p.add_argument('--all', '-a', action='store_true',
                   help='every container, each into its own directory')
    p.add_argument('--prefix', '-p', help='only objects with this prefix')
    p.add_argument('--output', '-o', help='file to write (one object)')
    p.add_argument('--skip-identical', action='store_true',
                   help='skip objects whose local copy has their MD5')
    p.add_argument('--object-threads', type=int, default=10,
                   help='objects downloaded at once (10)')
    p.add_argument('--ignore-checksum', action='store_true',
                   help='do not compare what arrived with the ETag')


def _other_verbs(verbs) -> None:
    """Every verb, in the order ``swift --help`` lists them."""
    verbs.add_parser('auth', help='print the storage URL and a token as '
                                  'shell exports')
    p = verbs.add_parser('stat', help='account, container or object '
                                      'details')
    p.add_argument('container', nargs='?')
    p.add_argument('object', nargs='?')
    p.add_argument('--lh', action='store_true', help='human sizes')
    p = verbs.add_parser('list', help='containers, or a container\'s '
                                      'objects')
    p.add_argument('container', nargs='?')
    p.add_argument('--long', '-l', action='store_true',
                   help='sizes, dates and types')
    p.add_argument('--lh', action='store_true',
                   help='--long with human sizes')
    p.add_argument('--prefix', '-p')
    p.add_argument('--delimiter', '-d')
    p.add_argument('--totals', '-t', action='store_true',
                   help='only the totals')
    _transfer_verbs(verbs)
    p = verbs.add_parser('delete', help='delete objects or containers')
    p.add_argument('container', nargs='?')
    p.add_argument('objects', nargs='*')
    p.add_argument('--all', '-a', action='store_true',
                   help='every container of the account')
    p.add_argument('--leave-segments', action='store_true',
                   help='keep the segments of the large objects deleted')
    p.add_argument('--object-threads', type=int, default=10,
                   help='objects deleted at once, outside bulk deletes '
                        '(10)')
    p = verbs.add_parser('post', help='set metadata and ACLs (creates a '
                                      'missing container)')
    p.add_argument('container', nargs='?')
    p.add_argument('object', nargs='?')
    p.add_argument('--meta', '-m', action='append', default=[],
                   help='Name:value metadata, repeatable')
    p.add_argument('--header', '-H', action='append', default=[],
                   help='Name:value, repeatable')
    p.add_argument('--read-acl', '-r', help='container read ACL')
    p.add_argument('--write-acl', '-w', help='container write ACL')
    p = verbs.add_parser('copy', help='server-side copy of an object')
    p.add_argument('container')
    p.add_argument('object')
    p.add_argument('--destination', '-d', help='/container[/object]')
    p.add_argument('--meta', '-m', action='append', default=[],
                   help='Name:value metadata for the copy')
    p.add_argument('--fresh-metadata', action='store_true',
                   help='do not copy the source\'s metadata')
    verbs.add_parser('capabilities', help='what the cluster offers '
                                          '(/info)')
    p = verbs.add_parser('tempurl', help='sign a temporary URL (offline)')
    p.add_argument('method', help='GET, PUT, HEAD, POST or DELETE')
    p.add_argument('seconds', help='lifetime in seconds, or an ISO 8601 '
                                   'time (YYYY-MM-DDTHH:MM:SSZ)')
    p.add_argument('path', help='/v1/AUTH_account/container/object')
    p.add_argument('key', help='the account\'s or container\'s '
                               'Temp-URL-Key')
    p.add_argument('--digest', default='sha256',
                   choices=('sha1', 'sha256', 'sha512'))
    p.add_argument('--absolute', action='store_true',
                   help='seconds is a Unix time')
    p.add_argument('--prefix-based', action='store_true',
                   help='valid for every object under the path\'s last '
                        'part')
    p.add_argument('--iso8601', action='store_true',
                   help='write the expiry as an ISO 8601 time')
    p.add_argument('--ip-range', help='only for clients in this address '
                                      'or network')


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(
        prog='swiftlike', description='The swiftlike object storage client.')
    _connection_options(top)
    verbs = top.add_subparsers(dest='verb', required=True, metavar='VERB')
    _other_verbs(verbs)
    return top

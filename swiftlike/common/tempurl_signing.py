"""Temporary URL signatures: what the tempurl and formpost middleware check
and the ``swiftlike tempurl`` command makes. Pure: strings in, bytes and
answers out, so a client can sign without the server's web stack."""
from __future__ import annotations

import base64
import binascii
import calendar
import hashlib
import hmac
import ipaddress
import time
from typing import List, Optional, Tuple
from urllib.parse import quote

#: a hex signature's length says its digest
HEX_LENGTHS = {40: 'sha1', 64: 'sha256', 128: 'sha512'}


class SignatureError(ValueError):
    """The temp URL is malformed, expired or not signed right."""


def parse_expires(value: str) -> int:
    """Unix seconds, or ``YYYY-MM-DDTHH:MM:SSZ``."""
    try:
        return int(value)
    except ValueError:
        try:
            return calendar.timegm(time.strptime(value,
                                                 '%Y-%m-%dT%H:%M:%SZ'))
        except ValueError:
            raise SignatureError('bad temp_url_expires') from None


def split_signature(sig: str, allowed: List[str]) -> Tuple[str, bytes]:
    """(digest name, raw signature) from hex or ``<digest>:<base64>``."""
    if ':' in sig:
        digest, _, encoded = sig.partition(':')
        encoded = encoded.replace('-', '+').replace('_', '/')
        try:
            raw = base64.b64decode(encoded + '=' * (-len(encoded) % 4),
                                   validate=True)
        except (binascii.Error, ValueError):
            raise SignatureError('bad base64 signature') from None
    else:
        digest = HEX_LENGTHS.get(len(sig), '')
        try:
            raw = bytes.fromhex(sig)
        except ValueError:
            raise SignatureError('bad hex signature') from None
    if digest not in allowed:
        raise SignatureError('digest %r not allowed' % digest)
    return digest, raw


def signature(key: str, method: str, expires: int, path: str,
              digest: str = 'sha256', ip_range: Optional[str] = None
              ) -> bytes:
    body = '%s\n%d\n%s' % (method, expires, path)
    if ip_range:
        body = 'ip=%s\n%s' % (ip_range, body)
    return hmac.new(key.encode('utf-8'), body.encode('utf-8'),
                    getattr(hashlib, digest)).digest()


def ip_allowed(ip_range: str, remote: str) -> bool:
    try:
        return ipaddress.ip_address(remote) in ipaddress.ip_network(
            ip_range, strict=False)
    except ValueError:
        return False


def content_disposition(name: str, inline: bool) -> str:
    if inline:
        return 'inline' if not name else \
            'inline; filename="%s"; filename*=UTF-8\'\'%s' % (
                name.replace('"', '\\"'), quote(name))
    return 'attachment; filename="%s"; filename*=UTF-8\'\'%s' % (
        name.replace('"', '\\"'), quote(name))

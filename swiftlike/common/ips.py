"""Which ring devices are this node's: the addresses this host has.

The replicators serve the devices whose replication address is one of
ours and whose replication port is our ``bind_port`` (several nodes may
share a host on different ports, as in the all-in-one).
"""
from __future__ import annotations

import fcntl
import socket
import struct
from typing import Dict, List, Set

SIOCGIFADDR = 0x8915
ANY_ADDRESSES = ('', '0.0.0.0', '::')


def _ipv4_of(name: str) -> List[str]:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        try:
            packed = fcntl.ioctl(sock.fileno(), SIOCGIFADDR,
                                 struct.pack('256s', name.encode()[:15]))
        except OSError:
            return []
    return [socket.inet_ntoa(packed[20:24])]


def _ipv6_addresses() -> List[str]:
    try:
        with open('/proc/net/if_inet6') as f:
            lines = f.read().split('\n')
    except OSError:
        return []
    found = []
    for line in lines:
        if line.split():
            raw = line.split()[0]
            found.append(socket.inet_ntop(socket.AF_INET6,
                                          bytes.fromhex(raw)))
    return found


def whataremyips(bind_ip: str = '') -> Set[str]:
    """``bind_ip`` itself when it is a specific address; every address of
    every interface when the server binds to all of them."""
    if bind_ip not in ANY_ADDRESSES:
        return {bind_ip}
    addresses: Set[str] = set()
    for _, name in socket.if_nameindex():
        addresses.update(_ipv4_of(name))
    addresses.update(_ipv6_addresses())
    return addresses


def is_local_device(my_ips: Set[str], my_port: int, device: Dict) -> bool:
    ip = device.get('replication_ip') or device['ip']
    port = device.get('replication_port') or device['port']
    return ip in my_ips and int(port) == int(my_port)

"""Refuse network connections to anything but this machine.

Snippets run with this guard installed: in the pytest process (conftest.py) and, for snippets
that run in their own processes, through tests/netguard_site/sitecustomize.py. Loopback stays
open because torch.distributed rendezvous on 127.0.0.1.
"""

import ipaddress
import socket

LOCAL_NAMES = {"localhost", "", None}


class NetworkBlocked(OSError):
    pass


def _is_local(host):
    if host in LOCAL_NAMES or host == socket.gethostname():
        return True
    try:
        return ipaddress.ip_address(str(host).split("%")[0]).is_loopback
    except ValueError:
        return False


def install():
    if getattr(socket, "_netguard_installed", False):
        return
    real_connect = socket.socket.connect
    real_connect_ex = socket.socket.connect_ex
    real_getaddrinfo = socket.getaddrinfo

    def check(sock, address):
        if sock.family in (socket.AF_INET, socket.AF_INET6) and not _is_local(address[0]):
            raise NetworkBlocked(f"network access blocked in tests: {address[0]}")

    def connect(self, address):
        check(self, address)
        return real_connect(self, address)

    def connect_ex(self, address):
        check(self, address)
        return real_connect_ex(self, address)

    def getaddrinfo(host, *args, **kwargs):
        if not _is_local(host.decode() if isinstance(host, bytes) else host):
            raise NetworkBlocked(f"network access blocked in tests: {host}")
        return real_getaddrinfo(host, *args, **kwargs)

    socket.socket.connect = connect
    socket.socket.connect_ex = connect_ex
    socket.getaddrinfo = getaddrinfo
    socket._netguard_installed = True

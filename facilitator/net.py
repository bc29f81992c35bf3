"""Finding the laptop's address in the local network, for the join URL."""

from __future__ import annotations

import ipaddress
import socket


def lan_address() -> str | None:
    """The IPv4 address this machine uses in its local network, or ``None``.

    Opens a UDP socket towards a private-range address to let the OS pick the
    outgoing interface. UDP ``connect`` sends no packet, so nothing leaves the
    machine; with no network (no route), there is no LAN address.
    """
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        probe.connect(("10.254.254.254", 1))
        address = probe.getsockname()[0]
    except OSError:
        return None
    finally:
        probe.close()
    ip = ipaddress.ip_address(address)
    if ip.is_loopback or ip.is_unspecified or ip.is_link_local:
        return None
    return address


def public_host(bind_host: str) -> str:
    """The host phones should use: the LAN address when the server listens on it."""
    if bind_host in ("0.0.0.0", "", "::"):
        return lan_address() or "127.0.0.1"
    return bind_host


def host_name(value: str | None) -> str:
    """The host of a ``Host`` header or a URL's ``netloc``: lower case, without
    the port, the brackets of an IPv6 address or a final dot (``""`` if none)."""
    host = (value or "").strip().lower()
    if host.startswith("["):  # [IPv6] or [IPv6]:port
        inside, bracket, rest = host[1:].partition("]")
        port = rest.removeprefix(":")
        if not bracket or rest[:1] not in ("", ":") or (port and not port.isdigit()):
            return host  # malformed: matches no name
        host = inside
    elif host.count(":") == 1:  # name:port (a bare IPv6 address has several colons)
        name, _colon, port = host.partition(":")
        if port and not port.isdigit():
            return host  # malformed: matches no name
        host = name
    return host.removesuffix(".")


def machine_names() -> set[str]:
    """The names this machine answers to: loopback, its host name (also as
    ``<name>.local``, as mDNS announces it) and its LAN address."""
    names = {"localhost", "127.0.0.1", "::1"}
    hostname = host_name(socket.gethostname())
    if hostname:
        short = hostname.split(".")[0]
        names |= {hostname, short, f"{short}.local"}
    address = lan_address()
    if address:
        names.add(address)
    return names


def is_local_address(host: str) -> bool:
    """Is ``host`` an IP address of one of this machine's interfaces?

    Binding a UDP socket to an address succeeds only for the machine's own
    addresses; it sends nothing and asks no name server. The unspecified and
    multicast addresses do not count.
    """
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return False
    if ip.is_unspecified or ip.is_multicast:
        return False
    family = socket.AF_INET6 if ip.version == 6 else socket.AF_INET
    try:
        with socket.socket(family, socket.SOCK_DGRAM) as probe:
            probe.bind((host, 0))
    except OSError:
        return False
    return True

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

"""Media on one machine without leaving loopback (docs/janus.md, "The network").

Janus never gathers ICE candidates on a loopback interface, and libnice binds each candidate's
socket to its interface, so a Janus that may only use 127.0.0.1 has nothing to offer and a
browser on the same machine cannot reach it. The fix: a veth pair in the machine's own
network namespace carrying one loopback-range address (JANUS_MEDIA_ADDRESS, 127.0.0.12 in
development and tests) on JANUS_MEDIA_INTERFACE (``mc0``). Janus's ICE is restricted to it
(``ice_enforce_list``), a local Chromium gathers a candidate on it by itself, and the aiortc
bots are told to offer it (:func:`patch_aioice`). Packets to a local address never leave the
machine and the pair has no route anywhere; nothing outside can reach it.

On an ordinary server JANUS_MEDIA_ADDRESS is blank and nothing here runs: Janus gathers the
real interfaces (JANUS_ICE_ENFORCE can name them).
"""

from __future__ import annotations

import ipaddress
import logging
import os
import shutil
import subprocess

log = logging.getLogger("microcourt.janus")


class MediaInterfaceError(RuntimeError):
    """The local media interface could not be made (not root, or no veth support)."""


def _ip(*args: str) -> subprocess.CompletedProcess:
    binary = shutil.which("ip")
    if binary is None:
        raise MediaInterfaceError("the `ip` command (Debian iproute2) is missing")
    return subprocess.run(  # noqa: S603 - fixed argv
        [binary, *args], capture_output=True, text=True, timeout=10, check=False
    )


def interface_with(address: str) -> str | None:
    """The interface carrying ``address``, or None."""
    result = _ip("-o", "-4", "addr", "show")
    for line in result.stdout.splitlines():
        parts = line.split()
        # "5: mc0    inet 127.0.0.12/32 scope host mc0 ..."
        if len(parts) >= 4 and parts[3].split("/")[0] == address:
            return parts[1].split("@")[0]
    return None


def ensure_media_interface(address: str, name: str = "mc0") -> str:
    """Make sure ``address`` sits on a non-loopback interface (creating the veth pair
    ``name``/``name``-peer when missing, which needs root); returns the interface's name.
    Idempotent and safe when two processes race."""
    if not ipaddress.ip_address(address).is_loopback:
        raise MediaInterfaceError(f"{address} is not a loopback-range address (127.0.0.0/8)")
    found = interface_with(address)
    if found and found != "lo":
        _ip("link", "set", found, "up")
        return found
    if found == "lo":
        raise MediaInterfaceError(
            f"{address} is on lo; Janus never uses loopback interfaces: remove it from lo"
        )
    if os.geteuid() != 0:
        raise MediaInterfaceError(
            f"no interface carries {address} and only root can add one: as root run "
            f"`ip link add {name} type veth peer name {name}p && "
            f"ip addr add {address}/32 dev {name} && ip link set {name}p up && "
            f"ip link set {name} up`"
        )
    peer = f"{name}p"
    if _ip("link", "show", name).returncode != 0:
        created = _ip("link", "add", name, "type", "veth", "peer", "name", peer)
        if created.returncode != 0 and _ip("link", "show", name).returncode != 0:
            raise MediaInterfaceError(f"cannot create {name}: {created.stderr.strip()}")
    added = _ip("addr", "add", f"{address}/32", "dev", name)
    if added.returncode != 0 and interface_with(address) != name:
        raise MediaInterfaceError(f"cannot put {address} on {name}: {added.stderr.strip()}")
    for link in (peer, name):
        _ip("link", "set", link, "up")
    found = interface_with(address)
    if found != name:
        raise MediaInterfaceError(f"{address} did not appear on {name}")
    log.info("media interface %s carries %s (loopback-only WebRTC)", name, address)
    return name


def ice_enforce_value(settings) -> str:
    """What Janus's ``ice_enforce_list`` gets: JANUS_ICE_ENFORCE when set, else the media
    address when it is set up, else nothing (Janus's own choice)."""
    if settings.JANUS_ICE_ENFORCE:
        return settings.JANUS_ICE_ENFORCE
    return settings.JANUS_MEDIA_ADDRESS or ""


def prepare(settings) -> str | None:
    """Before starting a managed Janus: set up the media interface when one is configured.
    Returns a plain problem line (logged by the caller) or None."""
    if not settings.JANUS_MEDIA_ADDRESS:
        return None
    try:
        ensure_media_interface(settings.JANUS_MEDIA_ADDRESS, settings.JANUS_MEDIA_INTERFACE)
    except MediaInterfaceError as exc:
        return f"local media interface not available ({exc}); video may not connect"
    return None


def patch_aioice(address: str) -> None:
    """Make aiortc (aioice) offer ``address`` as its only host candidate. aioice leaves out
    loopback addresses, and a candidate on another interface cannot reach Janus's."""
    import aioice.ice

    def host_addresses(use_ipv4: bool = True, use_ipv6: bool = False) -> list[str]:
        return [address]

    aioice.ice.get_host_addresses = host_addresses

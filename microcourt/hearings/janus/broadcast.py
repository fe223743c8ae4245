"""Read-only public viewing as Janus enforces it (在线诉讼规则第二十七条; docs/janus.md,
"Public viewers"): while a public hearing is on the air, each publisher of its VideoRoom is
relayed over 127.0.0.1 (VideoRoom ``rtp_forward``) to a Streaming-plugin mountpoint of its
own, and the public watch the mountpoints with tokens that may use the Streaming plugin only.
A viewer's token cannot even attach to the VideoRoom, so it can neither publish nor look at a
room's participants; a mountpoint has nothing to send back into the room.

The platform's broadcast mode: the VideoRoom carries the few who speak (its publishers), the
Streaming plugin the many who only watch (a creditors' meeting of several hundred), and the
two meet only in these relays.

**One mountpoint per publisher, not one multistream mountpoint for the room.** A mountpoint's
streams are fixed when it is made (Janus 1.1 cannot add one later), while a room's publishers
come and go: one mountpoint a publisher lives and dies with that publisher, and a viewer just
watches one more or one fewer. The price is one PeerConnection per speaker per viewer (a
creditors' meeting has two or three speakers at a time); a room-wide mountpoint with fixed
slots the relays are switched between would need one, and is the way to go if that ever
counts more than the simplicity.

**Nothing kept in our database.** A mountpoint's id, secret and pin are derived from the room
(and the publisher's feed id) with a key (:class:`Names`); its ``metadata`` names the room and
the feed, so the Streaming plugin's ``list`` finds a room's mountpoints after any restart of
Django; the forwarders are Janus's own (``listforwarders``). :func:`relay_sync` makes Janus
match the room's publishers (idempotent: run it as often as you like), :func:`relay_stop`
takes everything down.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
from dataclasses import dataclass
from typing import Any

from .client import NO_SUCH_ROOM, JanusClient, JanusUnavailable

log = logging.getLogger("microcourt.janus")

# The payload types the relays rewrite to and the mountpoints announce (any publisher's).
PT = {"audio": 111, "video": 96}
CODEC = {"audio": "opus", "video": "vp8"}
_METADATA = re.compile(r"^microcourt-live room=(\d+) feed=(\d+)$")


@dataclass(frozen=True)
class Names:
    """How one room's mountpoints are named: ids, secret and pin derived with ``key`` (so
    they need not be stored and cannot be guessed)."""

    room: int
    key: bytes

    def _mac(self, what: str) -> str:
        return hmac.new(self.key, f"live-{what}:{self.room}".encode(), hashlib.sha256).hexdigest()

    def mountpoint(self, feed: int) -> int:
        """The publisher's mountpoint id: 48 bits (exact in JavaScript), never 0."""
        return int(self._mac(f"mountpoint:{feed}")[:12], 16) + 1

    @property
    def secret(self) -> str:  # Django's, to query, relay into and destroy the mountpoints
        return self._mac("secret")[:32]

    @property
    def pin(self) -> str:  # the viewers', given with their grant
        return self._mac("pin")[:24]

    def metadata(self, feed: int) -> str:
        return f"microcourt-live room={self.room} feed={feed}"

    def feed_of(self, metadata: str | None) -> int | None:
        match = _METADATA.match(metadata or "")
        if match is None or int(match.group(1)) != self.room:
            return None
        return int(match.group(2))


@dataclass(frozen=True)
class Relay:
    """A publisher on the air: the mountpoint viewers watch, and whose it is."""

    mountpoint: int
    feed: int
    display: str


def mountpoints_of(client: JanusClient, names: Names) -> dict[int, int]:
    """The room's mountpoints in Janus: ``{feed id: mountpoint id}``."""
    found = {}
    for mountpoint in client.mountpoints():
        feed = names.feed_of(mountpoint.get("metadata"))
        if feed is not None:
            found[feed] = int(mountpoint["id"])
    return found


def _ports(entries: list[dict[str, Any]]) -> dict[str, tuple[int, int | None]]:
    """``{kind: (rtp port, rtcp port or None)}`` from a ``created`` answer's ``ports`` or an
    ``info`` answer's ``media``."""
    out: dict[str, tuple[int, int | None]] = {}
    for entry in entries:
        kind, port = entry.get("type"), entry.get("port")
        if kind in PT and port:
            out[kind] = (int(port), entry.get("rtcp_port") or entry.get("rtcpport") or None)
    return out


def _mountpoint(
    client: JanusClient, names: Names, feed: int, display: str, exists: bool
) -> dict[str, tuple[int, int | None]]:
    """Make the publisher's mountpoint unless it ``exists``; its ports."""
    mountpoint = names.mountpoint(feed)
    if not exists:
        created = client.create_mountpoint(
            mountpoint,
            description=f"live {names.room} {display}"[:120],
            metadata=names.metadata(feed),
            secret=names.secret,
            pin=names.pin,
            media=[
                {"type": "audio", "mid": "a", "port": 0, "pt": PT["audio"],
                 "codec": CODEC["audio"]},
                # rtcpport: viewers' keyframe requests (PLI) go back to the publisher.
                {"type": "video", "mid": "v", "port": 0, "rtcpport": 0, "pt": PT["video"],
                 "codec": CODEC["video"]},
            ],
        )  # fmt: skip
        if created is not None:
            return _ports(created.get("ports", []))
    info = client.mountpoint_info(mountpoint, secret=names.secret) or {}
    return _ports(info.get("media", []))


def _forward(
    client: JanusClient,
    room: int,
    secret: str,
    publisher: dict[str, Any],
    ports: dict[str, tuple[int, int | None]],
    have: list[dict[str, Any]],
) -> None:
    """Relay the publisher's first audio and first video stream to ``ports``, once each: a
    forwarder already there is kept, a second one to the same port stopped."""
    mids: dict[str, str] = {}
    for offered in publisher["streams"]:
        mids.setdefault(offered["type"], offered["mid"])
    kept: set[str] = set()
    for forwarder in have:
        kind = forwarder.get("type")
        if kind not in ports or forwarder.get("port") != ports[kind][0]:
            continue
        if kind in kept:
            client.stop_rtp_forward(
                room, secret=secret, feed_id=publisher["id"], stream_id=forwarder["stream_id"]
            )
        kept.add(kind)
    streams = []
    for kind, mid in mids.items():
        if kind in kept or kind not in ports:
            continue
        port, rtcp = ports[kind]
        stream: dict[str, Any] = {"mid": mid, "port": port, "pt": PT[kind]}
        if rtcp:
            stream["rtcp_port"] = rtcp
        streams.append(stream)
    if streams:
        client.rtp_forward(room, secret=secret, feed_id=publisher["id"], streams=streams)


def relay_sync(client: JanusClient, *, room: int, secret: str, names: Names) -> list[Relay]:
    """Make Janus relay every publisher of ``room`` (and nobody else) to its mountpoint; the
    relays, in the room's order. A room that is gone has none (its mountpoints go too)."""
    try:
        publishers = client.room_publishers(room)
    except JanusUnavailable as exc:
        if exc.janus_code != NO_SUCH_ROOM:
            raise
        publishers = []
    existing = mountpoints_of(client, names)
    forwarders = client.forwarders(room, secret=secret) if publishers else {}
    relays = []
    for publisher in publishers:
        if not publisher["streams"]:
            continue
        feed, display = publisher["id"], publisher["display"]
        ports = _mountpoint(client, names, feed, display, exists=feed in existing)
        _forward(client, room, secret, publisher, ports, forwarders.get(feed, []))
        relays.append(Relay(mountpoint=names.mountpoint(feed), feed=feed, display=display))
    on_air = {r.feed for r in relays}
    for feed, mountpoint in existing.items():
        if feed not in on_air:  # the publisher left: its forwarders went with it
            client.destroy_mountpoint(mountpoint, secret=names.secret)
    return relays


def relay_stop(client: JanusClient, *, room: int, secret: str, names: Names) -> int:
    """Stop every relay of ``room`` and destroy its mountpoints (their viewers' connections
    close); how many mountpoints there were."""
    existing = mountpoints_of(client, names)
    ours: set[int] = set()
    for mountpoint in existing.values():
        info = client.mountpoint_info(mountpoint, secret=names.secret) or {}
        ours.update(port for port, _rtcp in _ports(info.get("media", [])).values())
    for feed, forwarders in client.forwarders(room, secret=secret).items():
        for forwarder in forwarders:
            if forwarder.get("port") in ours:
                client.stop_rtp_forward(
                    room, secret=secret, feed_id=feed, stream_id=forwarder["stream_id"]
                )
    for mountpoint in existing.values():
        client.destroy_mountpoint(mountpoint, secret=names.secret)
    return len(existing)

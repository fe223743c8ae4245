"""Reading a Janus ``.mjr`` recording while Janus is still writing it.

The format (Janus ``src/record.c``): ``MJR00002``; on the first packet a big-endian uint16
length and a JSON header (``t`` a/v/d, ``c`` codec, ``s`` file opened and ``u`` first packet,
wall clock in µs); then per packet ``MEET``, a uint32 of milliseconds since the first packet
(Janus's monotonic clock), a uint16 length and the RTP packet as received (its sequence
numbers and timestamps made continuous across the publisher's renegotiations).

Janus writes through stdio without flushing, so bytes reach the file in blocks (4 KiB here):
a reader sees a packet up to one block late (docs/hearings.md measures it) and must keep a
half-written packet for the next read."""

from __future__ import annotations

import json
import struct
from dataclasses import dataclass, field
from pathlib import Path

MAGIC = b"MJR00002"
FRAME = b"MEET"


class MjrInvalid(ValueError):
    """Not a recording this reader understands (old format, corrupt)."""


@dataclass
class RtpPacket:
    offset_ms: int  # Janus's arrival time, ms after the first packet
    seq: int
    timestamp: int  # RTP clock (48 kHz for Opus)
    payload_type: int
    payload: bytes


@dataclass
class MjrTail:
    """Follows one file: call :meth:`read` again and again; each call yields the packets
    completely written since the last one."""

    path: Path
    header: dict | None = None
    position: int = 0  # bytes consumed
    _pending: bytes = field(default=b"", repr=False)

    @property
    def first_us(self) -> int | None:
        """Wall clock (µs) of the first packet, from the header."""
        if self.header is None:
            return None
        return int(self.header.get("u") or self.header.get("s") or 0) or None

    @property
    def kind(self) -> str:
        kind = str((self.header or {}).get("t") or "")
        return {"a": "audio", "v": "video", "d": "data"}.get(kind, "")

    @property
    def codec(self) -> str:
        return str((self.header or {}).get("c") or "")

    def read(self, limit: int = 1 << 20) -> list[RtpPacket]:
        packets: list[RtpPacket] = []
        with self.path.open("rb") as handle:
            handle.seek(self.position + len(self._pending))
            chunk = handle.read(limit)
        if not chunk:
            return packets
        data = self._pending + chunk
        start = self.position
        used = 0
        if self.header is None:
            used = self._read_header(data)
            if self.header is None:
                self._pending = data
                return packets
        while True:
            if len(data) - used < 10:
                break
            if data[used : used + 4] != FRAME:
                raise MjrInvalid(f"{self.path.name}: no packet marker at byte {start + used}")
            offset_ms, length = struct.unpack_from(">IH", data, used + 4)
            if len(data) - used - 10 < length:
                break
            rtp = data[used + 10 : used + 10 + length]
            used += 10 + length
            packet = parse_rtp(rtp, offset_ms)
            if packet is not None:
                packets.append(packet)
        self.position = start + used
        self._pending = data[used:]
        return packets

    def _read_header(self, data: bytes) -> int:
        if len(data) < len(MAGIC) + 2:
            return 0
        if data[: len(MAGIC)] != MAGIC:
            raise MjrInvalid(f"{self.path.name}: not an MJR00002 recording")
        (size,) = struct.unpack_from(">H", data, len(MAGIC))
        end = len(MAGIC) + 2 + size
        if len(data) < end:
            return 0
        try:
            self.header = json.loads(data[len(MAGIC) + 2 : end])
        except ValueError:
            raise MjrInvalid(f"{self.path.name}: unreadable header") from None
        return end


def parse_rtp(rtp: bytes, offset_ms: int) -> RtpPacket | None:
    """The payload of one RTP packet (CSRCs, header extension and padding removed)."""
    if len(rtp) < 12 or rtp[0] >> 6 != 2:
        return None
    csrc = rtp[0] & 0x0F
    at = 12 + 4 * csrc
    if rtp[0] & 0x10:  # header extension
        if len(rtp) < at + 4:
            return None
        (words,) = struct.unpack_from(">H", rtp, at + 2)
        at += 4 + 4 * words
    end = len(rtp)
    if rtp[0] & 0x20 and end > at:  # padding
        end -= rtp[-1]
    if end <= at:
        return None
    seq, timestamp = struct.unpack_from(">HI", rtp, 2)
    return RtpPacket(
        offset_ms=offset_ms,
        seq=seq,
        timestamp=timestamp,
        payload_type=rtp[1] & 0x7F,
        payload=bytes(rtp[at:end]),
    )

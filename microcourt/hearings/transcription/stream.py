"""One publisher's audio file, followed while Janus writes it: Opus packets decoded onto the
file's own timeline (the RTP clock, 48 kHz, so a lost or silent stretch is silence in its
place) and cut into utterances by voice activity.

Positions are samples at 48 kHz from the file's first packet; ``source_ms`` of a line is its
start in milliseconds on that timeline, which a second reading of the file (a restarted
worker) computes identically."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import av
import numpy as np
from scipy.signal import resample_poly  # type: ignore[import-untyped]

from .mjr import MjrTail, RtpPacket

RATE = 48_000
OUT_RATE = 16_000  # what the speech engine takes (assist.speech.SAMPLE_RATE)
# Decoding starts this long before a resume point, so the decoder has settled by then.
PRIME = RATE // 5
# A jump in the RTP clock (a publisher muted by the judge: Janus drops its packets) longer
# than this is not filled with silence: this much closes what was said before it, then the
# timeline jumps (it still counts the stretch, so later positions stay right).
MAX_FILL = RATE * 2
# Bytes read from a file at a time: a file read again from its start (a restarted worker)
# goes through in pieces of a few seconds of speech, or half a minute of silence.
READ_BYTES = 64 * 1024


@dataclass
class Utterance:
    start: int  # samples at 48 kHz from the file's first packet
    end: int
    audio: np.ndarray  # float32 mono at 16 kHz
    cut: str = ""  # "max" (too long, cut), "dropped" (the stream stopped in it)


@dataclass
class Cutting:
    """How utterances are cut (settings TRANSCRIBE_*)."""

    min_silence_ms: int = 500  # a pause shorter than this stays inside an utterance
    close_ms: int = 600  # an utterance ends once this much silence follows it
    max_ms: int = 15_000  # longer speech is cut into pieces this long
    pad_ms: int = 150  # audio kept either side of the speech the detector found
    keep_ms: int = 500  # silence kept before a possible start


Regions = Callable[..., list[tuple[float, float]]]


@dataclass
class FeedStream:
    path: Path
    feed: int
    regions: Regions  # assist.speech.speech_regions
    cutting: Cutting = field(default_factory=Cutting)
    resume_at: int = 0  # samples: everything before is already in the transcript
    tail: MjrTail = field(init=False)
    base_ts: int | None = None
    produced: int = 0  # timeline position of the buffer's end
    buf_start: int = 0
    last_growth: float = field(default_factory=time.monotonic)
    closed: bool = False  # not an audio file: nothing to follow
    stalled: bool = False  # no audio for a while (marked dropped if it was mid-speech)
    _chunks: list[np.ndarray] = field(default_factory=list, repr=False)
    _decoder: Any = field(default=None, repr=False)  # av's audio CodecContext
    _checked_at: int = -1
    _held: list[RtpPacket] = field(default_factory=list, repr=False)
    _jump_to: int | None = None

    def __post_init__(self) -> None:
        self.tail = MjrTail(self.path)
        self.buf_start = self.resume_at

    @property
    def source(self) -> str:
        return self.path.name

    @property
    def first_us(self) -> int | None:
        return self.tail.first_us

    def wall_us(self, position: int) -> int:
        return (self.first_us or 0) + position * 1_000_000 // RATE

    # -- reading ---------------------------------------------------------------------------

    def read(self) -> int:
        """Take in what Janus has written since; the number of packets read. After a long
        jump of the clock it stops there: call :meth:`utterances`, then read again."""
        if self._jump_to is not None:
            self._chunks, self.produced = [], self._jump_to
            self.buf_start, self._jump_to = self._jump_to, None
        fresh = self.tail.read(limit=READ_BYTES)
        if self.tail.header is not None and self.tail.kind not in ("", "audio"):
            self.closed = True
            return 0
        packets, self._held = [*self._held, *fresh], []
        for i, packet in enumerate(packets):
            if not self._take(packet):
                self._held = packets[i:]
                break
        if fresh:
            self.last_growth = time.monotonic()
        return len(packets) - len(self._held) + (self._jump_to is not None)

    def _take(self, packet: RtpPacket) -> bool:
        """Place one packet; False after a long jump of the clock (reading pauses)."""
        if self.tail.codec not in ("opus", "multiopus"):
            return True
        if self.base_ts is None:
            self.base_ts = packet.timestamp
        at = (packet.timestamp - self.base_ts) & 0xFFFFFFFF
        if at < self.produced or at >= 1 << 31:
            return True  # repeated, or reordered too late: its place is taken
        if at < self.resume_at - PRIME:
            self.produced = at + 960  # before the resume point: counted, not decoded
            self.buf_start = max(self.buf_start, self.produced)
            return True
        if at - self.produced > MAX_FILL:
            self._append(np.zeros(MAX_FILL, np.float32))
            self._jump_to = at
            return False
        if at > self.produced:
            self._append(np.zeros(at - self.produced, np.float32))
        self._append(self._decode(packet.payload))
        return True

    def _decode(self, payload: bytes) -> np.ndarray:
        if self._decoder is None:
            self._decoder = av.CodecContext.create("libopus", "r")
            self._decoder.sample_rate = RATE
            self._decoder.layout = "mono"
            self._decoder.format = "flt"
        try:
            frames = self._decoder.decode(av.Packet(payload))
        except (av.error.FFmpegError, ValueError):
            return np.zeros(960, np.float32)  # a damaged packet: 20 ms of silence
        parts = []
        for frame in frames:
            parts.append(_mono_float(frame))
        return np.concatenate(parts) if parts else np.zeros(0, np.float32)

    def _append(self, samples: np.ndarray) -> None:
        if not len(samples):
            return
        end = self.produced + len(samples)
        if end <= self.buf_start:
            self.produced = end
            return
        if self.produced < self.buf_start:
            samples = samples[self.buf_start - self.produced :]
        self._chunks.append(samples)
        self.produced = end

    def buffer(self) -> np.ndarray:
        if len(self._chunks) > 1:
            self._chunks = [np.concatenate(self._chunks)]
        return self._chunks[0] if self._chunks else np.zeros(0, np.float32)

    def _drop_before(self, position: int) -> None:
        if position <= self.buf_start:
            return
        data = self.buffer()
        self._chunks = [data[position - self.buf_start :]] if position < self.produced else []
        self.buf_start = min(position, self.produced)

    # -- cutting ---------------------------------------------------------------------------

    def utterances(self, *, final: bool = False, stalled: bool = False) -> list[Utterance]:
        """The utterances the audio so far completes. ``final``: the file is finished, the
        last one ends with it; ``stalled``: the stream stopped while someone spoke (the
        utterance is taken as far as it got, marked ``dropped``)."""
        if self.produced == self._checked_at and not (final or stalled):
            return []
        self._checked_at = self.produced
        cut = self.cutting
        data = self.buffer()
        if not len(data):
            return []
        audio = to_16k(data)
        regions = self.regions(audio, min_silence_ms=cut.min_silence_ms)
        length = len(audio) / OUT_RATE
        out: list[Utterance] = []
        consumed = 0.0  # seconds from buf_start
        for start, end in regions:
            start, end = max(start, consumed), min(end, length)
            if end <= start:
                continue
            closed = end <= length - cut.close_ms / 1000
            if not closed and end - start >= cut.max_ms / 1000:
                end, closed, why = start + cut.max_ms / 1000, True, "max"
            else:
                why = ""
            if not closed and (final or stalled):
                closed, why = True, ("dropped" if stalled else "")
            if not closed:
                break
            lo = max(consumed, start - cut.pad_ms / 1000)
            hi = min(length, end + cut.pad_ms / 1000) if why != "max" else end
            out.append(self._utterance(audio, lo, hi, why))
            consumed = hi
        else:
            # Nothing open: keep a little before the end, where speech may be starting.
            consumed = max(consumed, length - cut.keep_ms / 1000)
        if final or stalled:
            consumed = length
        self._drop_before(self.buf_start + int(max(0.0, consumed) * RATE))
        return out

    def _utterance(self, audio: np.ndarray, lo: float, hi: float, why: str) -> Utterance:
        a, b = int(lo * OUT_RATE), int(hi * OUT_RATE)
        return Utterance(
            start=self.buf_start + int(lo * RATE),
            end=self.buf_start + int(hi * RATE),
            audio=audio[a:b].astype(np.float32),
            cut=why,
        )

    def open_speech(self) -> bool:
        """Whether the audio so far ends inside speech (an utterance not yet closed)."""
        data = self.buffer()
        if not len(data):
            return False
        audio = to_16k(data)
        regions = self.regions(audio, min_silence_ms=self.cutting.min_silence_ms)
        length = len(audio) / OUT_RATE
        return bool(regions) and regions[-1][1] > length - self.cutting.close_ms / 1000


def _mono_float(frame: av.AudioFrame) -> np.ndarray:
    """A decoded frame as mono float32 in [-1, 1] (libopus decodes to s16 whatever it is
    asked; interleaved or planar, one channel or two)."""
    data = frame.to_ndarray()
    channels = len(frame.layout.channels)
    # planar: one row per channel; packed: the channels interleaved
    data = data.reshape(channels, -1) if frame.format.is_planar else data.reshape(-1, channels).T
    if data.dtype == np.int16:
        samples = data.astype(np.float32) / 32768.0
    elif data.dtype == np.int32:
        samples = data.astype(np.float32) / 2147483648.0
    else:
        samples = data.astype(np.float32)
    return samples.mean(axis=0) if channels > 1 else samples[0]


def to_16k(samples: np.ndarray) -> np.ndarray:
    """48 kHz → 16 kHz with an anti-aliasing filter, clipped to [-1, 1]."""
    out = resample_poly(samples, 1, 3).astype(np.float32)
    return np.clip(out, -1.0, 1.0, out=out)

"""A WebRTC participant without a browser: an asyncio aiortc bot that speaks Janus's WebSocket
API (subprotocol ``janus-protocol``) to the VideoRoom plugin, as janus.js does.

It publishes synthetic 320x180@15 video in which every frame carries its creation time and
its sender's id, coded as black or white blocks (docs/janus.md), subscribes to other
publishers on one multistream handle, decodes the stamps of every frame it receives and
keeps the latency of each (all bots share the machine's clock). Used by the tests
(microcourt/hearings/tests/test_janus.py and the hearings' tests) and by
benchmarks/hearing_latency.py::

    bot = JanusBot(janus_ws_url, room=1234, token="…", display="审判长 陈法官", sender_id=1,
                   media_address="127.0.0.12")
    await bot.connect(); await bot.join(); await bot.publish()
    await other.subscribe([bot.feed_id]); await other.wait_frames(30)
    other.latencies  # ms, one per decoded frame
    await bot.hangup()   # leaves cleanly;  bot.drop(): the network goes away instead

Every wait has a timeout; a refusal by Janus raises :class:`JanusRefused` with its code.
"""

from __future__ import annotations

import asyncio
import contextlib
import fractions
import logging
import secrets
import statistics
import time
import zlib
from collections import Counter
from collections.abc import Callable
from typing import Any

import av
import numpy as np
import websockets
from aiortc import (
    MediaStreamTrack,
    RTCConfiguration,
    RTCPeerConnection,
    RTCSessionDescription,
)
from aiortc.mediastreams import AudioStreamTrack, MediaStreamError

log = logging.getLogger("rtcbot")

WIDTH, HEIGHT, FPS = 320, 180, 15
BLOCK = 20  # px; 16 x 4 blocks = 64 bits across the top of a 320-wide frame
TIME_BITS, ID_BITS, CHECK_BITS = 44, 12, 8
BITS = TIME_BITS + ID_BITS + CHECK_BITS
VIDEO_CLOCK = 90_000


class JanusRefused(Exception):
    """Janus (core or plugin) answered with an error."""

    def __init__(self, code: int | None, reason: str) -> None:
        super().__init__(f"{code}: {reason}")
        self.code, self.reason = code, reason


# -- the stamp ---------------------------------------------------------------------------


def _check(ms: int, sender: int) -> int:
    return zlib.crc32(((ms << ID_BITS) | sender).to_bytes(8, "big")) & 0xFF


def stamp_bits(ms: int, sender: int) -> list[int]:
    value = (ms % (1 << TIME_BITS)) << (ID_BITS + CHECK_BITS)
    value |= (sender % (1 << ID_BITS)) << CHECK_BITS
    value |= _check(ms % (1 << TIME_BITS), sender % (1 << ID_BITS))
    return [(value >> (BITS - 1 - i)) & 1 for i in range(BITS)]


def draw(ms: int, sender: int, width: int = WIDTH, height: int = HEIGHT) -> np.ndarray:
    """A yuv420p frame (as PyAV's ndarray layout) with the stamp in its top rows."""
    luma = np.full((height, width), 96, dtype=np.uint8)
    per_row = width // BLOCK
    for i, bit in enumerate(stamp_bits(ms, sender)):
        y, x = divmod(i, per_row)
        luma[y * BLOCK : (y + 1) * BLOCK, x * BLOCK : (x + 1) * BLOCK] = 235 if bit else 16
    chroma = np.full((height // 2, width), 128, dtype=np.uint8)  # U and V planes, flat grey
    return np.concatenate([luma, chroma])


def read_stamp(luma: np.ndarray) -> tuple[int, int] | None:
    """(creation time in ms, sender id) from a decoded frame's luma, or None if unreadable."""
    height, width = luma.shape
    per_row = width // BLOCK
    if per_row == 0 or -(-BITS // per_row) * BLOCK > height:
        return None
    value = 0
    for i in range(BITS):
        y, x = divmod(i, per_row)
        cell = luma[y * BLOCK + 5 : (y + 1) * BLOCK - 5, x * BLOCK + 5 : (x + 1) * BLOCK - 5]
        value = (value << 1) | int(cell.mean() > 128)
    check = value & 0xFF
    sender = (value >> CHECK_BITS) & ((1 << ID_BITS) - 1)
    ms = value >> (ID_BITS + CHECK_BITS)
    if check != _check(ms, sender):
        return None
    now = int(time.time() * 1000)
    ms += (now >> TIME_BITS) << TIME_BITS  # the high bits the stamp leaves out
    return ms, sender


class StampTrack(MediaStreamTrack):
    """Synthetic camera: each frame is stamped with its creation time and ``sender``."""

    kind = "video"

    def __init__(self, sender: int, *, fps: int = FPS, width: int = WIDTH, height: int = HEIGHT):
        super().__init__()
        self.sender, self.fps, self.width, self.height = sender, fps, width, height
        self._start: float | None = None
        self._count = 0
        self.sent = 0

    async def recv(self) -> av.VideoFrame:
        if self.readyState != "live":
            raise MediaStreamError
        if self._start is None:
            self._start = time.monotonic()
        else:
            self._count += 1
            delay = self._start + self._count / self.fps - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
        ms = int(time.time() * 1000)
        frame = av.VideoFrame.from_ndarray(
            draw(ms, self.sender, self.width, self.height), format="yuv420p"
        )
        frame.pts = self._count * (VIDEO_CLOCK // self.fps)
        frame.time_base = fractions.Fraction(1, VIDEO_CLOCK)
        self.sent += 1
        return frame


# -- the bot -----------------------------------------------------------------------------


class JanusBot:
    def __init__(
        self,
        url: str,
        *,
        room: int,
        token: str | None = None,
        display: str = "bot",
        sender_id: int = 1,
        audio: bool = False,
        video: bool = True,
        fps: int = FPS,
        width: int = WIDTH,
        height: int = HEIGHT,
        media_address: str | None = None,
        timeout: float = 10.0,
        keepalive: float = 20.0,
    ) -> None:
        self.url, self.room, self.token, self.display = url, room, token, display
        self.sender_id, self.audio, self.video = sender_id, audio, video
        self.fps, self.width, self.height = fps, width, height
        self.timeout, self.keepalive_every = timeout, keepalive
        if media_address:
            from microcourt.hearings.janus.network import patch_aioice

            patch_aioice(media_address)
        self.ws: Any = None
        self.session: int | None = None
        self.pub_handle: int | None = None
        self.sub_handle: int | None = None
        self.feed_id: int | None = None
        self.private_id: int | None = None
        self.publishers: dict[int, dict] = {}  # feed id → what Janus said of it
        self.pub_pc: RTCPeerConnection | None = None
        self.sub_pc: RTCPeerConnection | None = None
        self.track: StampTrack | None = None
        self.events: list[dict] = []  # every asynchronous message Janus sent
        self.latencies: list[float] = []  # ms, frame creation → decoded here
        self.frames: Counter[int] = Counter()  # sender id → frames decoded
        self.bad_frames = 0
        self.media_frames: Counter[str] = Counter()  # "audio"/"video" → frames, stamped or not
        self.first_frame_at: float | None = None
        self._last_pli = 0.0
        self._pending: dict[str, tuple[asyncio.Future, bool]] = {}
        self._tasks: set[asyncio.Task] = set()
        self._changed = asyncio.Condition()

    # -- websocket plumbing ----------------------------------------------------------------

    async def connect(self) -> None:
        """Open the socket, create the session, attach a VideoRoom handle."""
        self.ws = await websockets.connect(
            self.url, subprotocols=["janus-protocol"], open_timeout=self.timeout
        )
        self._spawn(self._reader())
        answer = await self._call({"janus": "create"})
        self.session = answer["data"]["id"]
        self._spawn(self._keepalive())
        self.pub_handle = await self._attach()

    async def _attach(self) -> int:
        answer = await self._call({"janus": "attach", "plugin": "janus.plugin.videoroom"})
        return answer["data"]["id"]

    def _spawn(self, coro) -> asyncio.Task:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def _call(self, message: dict, *, ack: bool = False) -> dict:
        """Send and wait for the answer to this transaction (the "ack" when ``ack``, else
        the "success" or the plugin's "event" that follows the ack)."""
        transaction = secrets.token_hex(8)
        message = {**message, "transaction": transaction}
        if (
            self.session is not None
            and "session_id" not in message
            and message["janus"] != ("create")
        ):
            message["session_id"] = self.session
        if self.token:
            message["token"] = self.token
        future: asyncio.Future = asyncio.get_running_loop().create_future()
        self._pending[transaction] = (future, ack)
        import json

        await self.ws.send(json.dumps(message))
        try:
            answer = await asyncio.wait_for(future, self.timeout)
        finally:
            self._pending.pop(transaction, None)
        if answer.get("janus") == "error":
            error = answer.get("error", {})
            raise JanusRefused(error.get("code"), error.get("reason", ""))
        data = answer.get("plugindata", {}).get("data", {})
        if data.get("error_code"):
            raise JanusRefused(data["error_code"], data.get("error", ""))
        return answer

    async def message(self, handle: int, body: dict, jsep: dict | None = None) -> dict:
        message: dict[str, Any] = {"janus": "message", "handle_id": handle, "body": body}
        if jsep:
            message["jsep"] = jsep
        return await self._call(message)

    async def _reader(self) -> None:
        import json

        try:
            async for raw in self.ws:
                message = json.loads(raw)
                pending = self._pending.get(message.get("transaction", ""))
                kind = message.get("janus")
                if pending is not None:
                    future, want_ack = pending
                    if kind == "ack" and not want_ack:
                        continue
                    if not future.done():
                        future.set_result(message)
                    if kind != "event":
                        continue
                if kind in {"ack", "success"}:
                    continue
                await self._on_event(message)
        except websockets.ConnectionClosed:
            return  # the socket closed (a hang-up or a drop): the reader ends with it
        finally:
            for future, _ack in self._pending.values():
                if not future.done():
                    future.set_exception(ConnectionError("Janus closed the socket"))

    async def _on_event(self, message: dict) -> None:
        self.events.append(message)
        data = message.get("plugindata", {}).get("data", {})
        if message.get("sender") == self.pub_handle:
            for publisher in data.get("publishers", []) or []:
                self.publishers[publisher["id"]] = publisher
            for key in ("unpublished", "leaving", "kicked"):
                gone = data.get(key)
                if isinstance(gone, int):
                    self.publishers.pop(gone, None)
        elif (
            message.get("sender") == self.sub_handle
            and message.get("jsep", {}).get("type") == "offer"
            and "transaction" not in message
        ):
            self._spawn(self._answer(message["jsep"]))  # Janus renegotiates on its own
        async with self._changed:
            self._changed.notify_all()

    async def wait_event(self, predicate: Callable[[dict], bool], timeout: float | None = None):
        """The first event (past or future) for which ``predicate`` holds."""

        def found():
            return next((e for e in self.events if predicate(e)), None)

        async with self._changed:
            await asyncio.wait_for(
                self._changed.wait_for(lambda: found() is not None), timeout or self.timeout
            )
        return found()

    async def _keepalive(self) -> None:
        while True:
            await asyncio.sleep(self.keepalive_every)
            with contextlib.suppress(Exception):
                await self._call({"janus": "keepalive"}, ack=True)

    # -- publishing ------------------------------------------------------------------------

    def _new_pc(self) -> RTCPeerConnection:
        return RTCPeerConnection(RTCConfiguration(iceServers=[]))  # no public STUN

    async def join(self) -> dict:
        """Join as a publisher; the VideoRoom's "joined" data (id, private_id, publishers)."""
        body: dict[str, Any] = {
            "request": "join",
            "ptype": "publisher",
            "room": self.room,
            "display": self.display,
        }
        if self.token:
            body["token"] = self.token
        answer = await self.message(self.pub_handle, body)
        data = answer["plugindata"]["data"]
        self.feed_id, self.private_id = data["id"], data.get("private_id")
        for publisher in data.get("publishers", []):
            self.publishers[publisher["id"]] = publisher
        return data

    async def publish(self) -> None:
        """Send stamped video (and silence when ``audio``); returns once Janus answered and
        the connection is up."""
        pc = self.pub_pc = self._new_pc()
        if self.audio:
            pc.addTrack(AudioStreamTrack())
        if self.video:
            self.track = StampTrack(
                self.sender_id, fps=self.fps, width=self.width, height=self.height
            )
            pc.addTrack(self.track)
        await pc.setLocalDescription(await pc.createOffer())
        answer = await self.message(
            self.pub_handle,
            {"request": "publish", "display": self.display},
            {"type": "offer", "sdp": pc.localDescription.sdp},
        )
        await pc.setRemoteDescription(RTCSessionDescription(**answer["jsep"]))
        await self._connected(pc)

    async def _connected(self, pc: RTCPeerConnection) -> None:
        deadline = time.monotonic() + self.timeout
        while pc.connectionState != "connected":
            if pc.connectionState in {"failed", "closed"} or time.monotonic() > deadline:
                raise ConnectionError(f"WebRTC connection {pc.connectionState}")
            await asyncio.sleep(0.05)

    async def unpublish(self) -> None:
        await self.message(self.pub_handle, {"request": "unpublish"})

    # -- subscribing -----------------------------------------------------------------------

    async def subscribe(self, feeds: list[int] | None = None) -> None:
        """Receive ``feeds`` (default: every other publisher known) on one handle; later
        calls add feeds to the same subscription."""
        if feeds is None:
            feeds = [f for f in self.publishers if f != self.feed_id]
        streams = [{"feed": f} for f in feeds]
        if self.sub_handle is None:
            self.sub_handle = await self._attach()
            body: dict[str, Any] = {
                "request": "join",
                "ptype": "subscriber",
                "room": self.room,
                "streams": streams,
            }
            if self.private_id is not None:
                body["private_id"] = self.private_id
            if self.token:
                body["token"] = self.token
            answer = await self.message(self.sub_handle, body)
        else:
            answer = await self.message(
                self.sub_handle, {"request": "subscribe", "streams": streams}
            )
        await self._answer(answer["jsep"])
        await self._connected(self.sub_pc)

    async def _answer(self, offer: dict) -> None:
        if self.sub_pc is None:
            self.sub_pc = self._new_pc()
            self.sub_pc.on("track", self._on_track)
        pc = self.sub_pc
        await pc.setRemoteDescription(RTCSessionDescription(**offer))
        await pc.setLocalDescription(await pc.createAnswer())
        await self.message(
            self.sub_handle,
            {"request": "start"},
            {"type": "answer", "sdp": pc.localDescription.sdp},
        )

    def _on_track(self, track) -> None:
        self._spawn(self._consume(track))

    async def _consume(self, track) -> None:
        stamped = False  # this track carried a readable stamp (a bot, not a browser camera)
        while True:
            try:
                frame = await track.recv()
            except MediaStreamError:
                return
            self.media_frames[track.kind] += 1
            if track.kind != "video":
                continue
            luma = frame.to_ndarray(format="gray")
            stamp = read_stamp(luma)
            if stamp is None:
                if stamped:
                    self.bad_frames += 1
                    await self._picture_lost(track)
                continue
            stamped = True
            ms, sender = stamp
            now = time.time() * 1000
            if self.first_frame_at is None:
                self.first_frame_at = time.monotonic()
            self.latencies.append(now - ms)
            self.frames[sender] += 1

    async def _picture_lost(self, track) -> None:
        """As a browser does when it cannot decode (after its sender was muted, say): ask
        for a keyframe (RTCP PLI), at most every 0.5 s."""
        now = time.monotonic()
        if now - self._last_pli < 0.5 or self.sub_pc is None:
            return
        self._last_pli = now
        for receiver in self.sub_pc.getReceivers():
            if receiver.track is track:
                for source in receiver.getSynchronizationSources():
                    with contextlib.suppress(Exception):
                        await receiver._send_rtcp_pli(source.source)

    async def wait_frames(self, count: int, *, sender: int | None = None, timeout=None) -> int:
        """Wait until ``count`` frames (from ``sender``, or in all) were decoded."""
        deadline = time.monotonic() + (timeout or self.timeout)
        while True:
            got = self.frames[sender] if sender is not None else sum(self.frames.values())
            if got >= count:
                return got
            if time.monotonic() > deadline:
                raise TimeoutError(f"{self.display}: {got} of {count} frames decoded")
            await asyncio.sleep(0.05)

    def reset_stats(self) -> None:
        self.latencies.clear()
        self.frames.clear()
        self.media_frames.clear()
        self.bad_frames = 0

    def stats(self) -> dict[str, float]:
        values = sorted(self.latencies)
        if not values:
            return {"frames": 0, "bad": self.bad_frames}
        return {
            "frames": len(values),
            "bad": self.bad_frames,
            "median_ms": statistics.median(values),
            "p95_ms": values[min(len(values) - 1, int(len(values) * 0.95))],
        }

    # -- leaving ---------------------------------------------------------------------------

    async def hangup(self) -> None:
        """Leave cleanly: leave the room, detach, destroy the session, close the socket."""
        with contextlib.suppress(Exception):
            if self.pub_handle is not None and self.feed_id is not None:
                await self.message(self.pub_handle, {"request": "leave"})
        for handle in (self.sub_handle, self.pub_handle):
            if handle is not None:
                with contextlib.suppress(Exception):
                    await self._call({"janus": "detach", "handle_id": handle})
        with contextlib.suppress(Exception):
            await self._call({"janus": "destroy"})
        await self.close()

    async def drop(self, *, keep_socket: bool = False) -> None:
        """The network goes away: media stops without a word (no DTLS alert, no leave), and
        unless ``keep_socket`` the signalling socket dies without a close frame."""
        for pc in (self.pub_pc, self.sub_pc):
            if pc is None:
                continue
            for transceiver in pc.getTransceivers():
                ice = transceiver.sender.transport.transport
                for protocol in getattr(ice._connection, "_protocols", []):
                    transport = getattr(protocol, "transport", None)
                    if transport is not None:
                        transport.abort()
        if not keep_socket and self.ws is not None:
            self.ws.transport.abort()
        if not keep_socket:
            await self.close(quiet=True)

    async def close(self, *, quiet: bool = False) -> None:
        """Release everything (no message to Janus)."""
        for task in list(self._tasks):
            task.cancel()
        for pc in (self.pub_pc, self.sub_pc):
            if pc is not None:
                with contextlib.suppress(Exception):
                    await pc.close()
        if self.ws is not None and not quiet:
            with contextlib.suppress(Exception):
                await self.ws.close()
        await asyncio.gather(*self._tasks, return_exceptions=True)


# -- speaking bots (live transcription: microcourt/hearings/tests/test_transcription*.py) --

AUDIO_RATE = 48_000
AUDIO_FRAME = 960  # 20 ms


def load_wav(path) -> np.ndarray:
    """A WAV file (espeak-ng writes 22 050 Hz mono) as 48 kHz mono int16."""
    container = av.open(str(path))
    resampler = av.AudioResampler(format="s16", layout="mono", rate=AUDIO_RATE)
    chunks = []
    for frame in container.decode(audio=0):
        for out in resampler.resample(frame):
            chunks.append(out.to_ndarray().reshape(-1))
    for out in resampler.resample(None):
        chunks.append(out.to_ndarray().reshape(-1))
    container.close()
    return np.concatenate(chunks).astype(np.int16) if chunks else np.zeros(0, np.int16)


def noise(seconds: float, *, level: float = 0.05, seed: int = 7) -> np.ndarray:
    """Steady hiss (no speech) at ``level`` of full scale, 48 kHz int16."""
    rng = np.random.default_rng(seed)
    samples = rng.normal(0.0, level, int(seconds * AUDIO_RATE))
    return (np.clip(samples, -1, 1) * 32767).astype(np.int16)


class ScriptedAudioTrack(MediaStreamTrack):
    """A microphone that plays the clips given to :meth:`say`, one after the other, in real
    time, and silence between them; ``spoken`` keeps, per clip, the wall-clock times (s) its
    first and last samples were handed to the encoder, for measuring delays."""

    kind = "audio"

    def __init__(self) -> None:
        super().__init__()
        self._queue: list[tuple[str, np.ndarray]] = []
        self._current: tuple[str, np.ndarray, int, float] | None = None
        self._start: float | None = None
        self._count = 0
        self.spoken: list[dict] = []

    def say(self, samples: np.ndarray, label: str = "") -> None:
        self._queue.append((label, samples.astype(np.int16)))

    @property
    def idle(self) -> bool:
        return not self._queue and self._current is None

    async def recv(self) -> av.AudioFrame:
        if self.readyState != "live":
            raise MediaStreamError
        if self._start is None:
            self._start = time.monotonic()
        else:
            self._count += 1
            delay = self._start + self._count * AUDIO_FRAME / AUDIO_RATE - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
        block = np.zeros(AUDIO_FRAME, np.int16)
        filled = 0
        while filled < AUDIO_FRAME:
            if self._current is None:
                if not self._queue:
                    break
                label, samples = self._queue.pop(0)
                self._current = (label, samples, 0, time.time())
            label, samples, pos, began = self._current
            take = min(AUDIO_FRAME - filled, len(samples) - pos)
            block[filled : filled + take] = samples[pos : pos + take]
            filled, pos = filled + take, pos + take
            if pos >= len(samples):
                self.spoken.append({"label": label, "start": began, "end": time.time()})
                self._current = None
            else:
                self._current = (label, samples, pos, began)
        frame = av.AudioFrame.from_ndarray(block.reshape(1, -1), format="s16", layout="mono")
        frame.sample_rate = AUDIO_RATE
        frame.pts = self._count * AUDIO_FRAME
        frame.time_base = fractions.Fraction(1, AUDIO_RATE)
        return frame


class SpeakingBot(JanusBot):
    """A :class:`JanusBot` whose microphone is a :class:`ScriptedAudioTrack` (``self.mic``):
    ``await bot.publish()`` then ``bot.mic.say(load_wav(path), "label")``. Video only when
    ``video=True`` (default off: audio is what is transcribed)."""

    def __init__(self, url: str, *, video: bool = False, **kw) -> None:
        super().__init__(url, video=video, **kw)
        self.mic = ScriptedAudioTrack()

    async def publish(self) -> None:
        pc = self.pub_pc = self._new_pc()
        pc.addTrack(self.mic)
        if self.video:
            self.track = StampTrack(
                self.sender_id, fps=self.fps, width=self.width, height=self.height
            )
            pc.addTrack(self.track)
        await pc.setLocalDescription(await pc.createOffer())
        answer = await self.message(
            self.pub_handle,
            {"request": "publish", "display": self.display},
            {"type": "offer", "sdp": pc.localDescription.sdp},
        )
        await pc.setRemoteDescription(RTCSessionDescription(**answer["jsep"]))
        await self._connected(pc)

    async def speak(self, samples: np.ndarray, label: str = "", *, timeout: float = 60) -> dict:
        """Say ``samples`` and wait until the last of them was sent; its ``spoken`` entry."""
        before = len(self.mic.spoken)
        self.mic.say(samples, label)
        deadline = time.monotonic() + timeout
        while len(self.mic.spoken) <= before:
            if time.monotonic() > deadline:
                raise TimeoutError(f"{self.display}: clip {label!r} not sent")
            await asyncio.sleep(0.02)
        return self.mic.spoken[before]

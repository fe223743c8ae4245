"""One participant of benchmarks/hearing_latency.py, in a process of its own (as each person's
device is): a ``tests.rtcbot.JanusBot`` driven by JSON lines on stdin, answering one JSON line
on stdout per command.

Commands (``{"cmd": …}``):

- ``enter``: press 进入法庭 — for our room ``POST /api/v1/sessions/{id}/join`` with the
  person's bearer token first (its answer gives the Janus URL, room, token and display),
  for bare Janus straight in; then connect, join as publisher, publish stamped 320x180@15
  video and, at the same time, subscribe to ``feeds`` (as janus.js's VideoRoom page does);
  answers once the first remote frame is decoded, with the times of each step.
- ``subscribe``: add ``feeds`` to the subscription.
- ``report``: the latency of each frame whose stamp lies in ``[w0, w1)`` (ms since the
  epoch), the frames this participant created in it, its unreadable frames.
- ``leave``: hang up cleanly.  ``quit``: exit.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests import rtcbot  # noqa: E402
from tests.rtcbot import JanusBot, StampTrack  # noqa: E402


class CountingTrack(StampTrack):
    """Keeps the creation time of every frame it makes: a publisher that fell behind makes
    the frames it owes at once, so the frames created in a window are counted, not assumed."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.created: list[int] = []

    async def recv(self):
        frame = await super().recv()
        self.created.append(int(time.time() * 1000))
        return frame


rtcbot.StampTrack = CountingTrack  # JanusBot.publish makes its track from this name


class Arrivals(list):
    """``JanusBot.latencies`` that also keeps when each latency was taken, so a report can
    take exactly the frames created in a window (stamp = arrival − latency) while the bot's
    own frame handling (stamp reading, keyframe requests) stays as rtcbot has it."""

    def __init__(self) -> None:
        super().__init__()
        self.arrivals: list[float] = []

    def append(self, latency: float) -> None:
        self.arrivals.append(time.time() * 1000)
        super().append(latency)


def _join_api(base: str, session_id: int, bearer: str, device: str) -> dict:
    request = urllib.request.Request(  # noqa: S310 - our own server on loopback
        f"{base}/api/v1/sessions/{session_id}/join?device={device}",
        data=b"",
        method="POST",
        headers={"Authorization": f"Bearer {bearer}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - loopback
        return json.load(response)


class Participant:
    def __init__(self, media_address: str) -> None:
        self.media_address = media_address
        self.bot: JanusBot | None = None

    async def enter(self, c: dict) -> dict:
        started = time.monotonic()
        times: dict[str, float] = {}
        if c["mode"] == "ours":
            answer = await asyncio.to_thread(
                _join_api, c["api"], c["session"], c["bearer"], c["device"]
            )
            times["api_ms"] = (time.monotonic() - started) * 1000
            url, room, token, display = (
                answer["janus_url"],
                answer["room"],
                answer["token"],
                answer["display"],
            )
        else:
            url, room, token, display = c["ws"], c["room"], None, c["display"]
        bot = self.bot = JanusBot(
            url,
            room=room,
            token=token,
            display=display,
            sender_id=c["sender"],
            media_address=self.media_address,
            timeout=20.0,
        )
        bot.latencies = Arrivals()
        await bot.connect()
        times["connect_ms"] = (time.monotonic() - started) * 1000
        await bot.join()
        times["joined_ms"] = (time.monotonic() - started) * 1000

        async def publish() -> None:
            await bot.publish()
            times["published_ms"] = (time.monotonic() - started) * 1000

        async def subscribe() -> None:
            if c["feeds"]:
                await bot.subscribe(c["feeds"])
                times["subscribed_ms"] = (time.monotonic() - started) * 1000

        await asyncio.gather(publish(), subscribe())
        if c["feeds"]:
            deadline = time.monotonic() + 20
            while bot.first_frame_at is None and time.monotonic() < deadline:
                await asyncio.sleep(0.005)
            if bot.first_frame_at is not None:
                times["first_frame_ms"] = (bot.first_frame_at - started) * 1000
        return {"feed": bot.feed_id, "display": display, **times}

    async def subscribe(self, c: dict) -> dict:
        await self.bot.subscribe(c["feeds"])
        return {"ok": True}

    async def report(self, c: dict) -> dict:
        w0, w1 = c["w0"], c["w1"]
        bot = self.bot
        inside = [
            latency
            for at, latency in zip(bot.latencies.arrivals, bot.latencies, strict=True)
            if w0 <= at - latency < w1
        ]
        return {
            "latencies": [round(x, 2) for x in inside],
            "bad": bot.bad_frames,  # unreadable frames since this participant entered
            "created": sum(1 for ms in bot.track.created if w0 <= ms < w1) if bot.track else 0,
        }

    async def leave(self, c: dict) -> dict:
        if self.bot is not None:
            await self.bot.hangup()
            self.bot = None
        return {"ok": True}


async def main() -> None:
    media_address = sys.argv[1]
    participant = Participant(media_address)
    loop = asyncio.get_running_loop()
    print(json.dumps({"ready": True}), flush=True)
    while True:
        line = await loop.run_in_executor(None, sys.stdin.readline)
        if not line:
            break
        command = json.loads(line)
        if command["cmd"] == "quit":
            break
        try:
            answer = await getattr(participant, command["cmd"])(command)
        except Exception as exc:  # reported to the benchmark, which stops
            answer = {"error": f"{type(exc).__name__}: {exc}"}
        print(json.dumps(answer), flush=True)
    if participant.bot is not None:
        await participant.bot.close()


if __name__ == "__main__":
    asyncio.run(main())

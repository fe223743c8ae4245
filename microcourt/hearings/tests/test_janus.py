"""The media server layer against a real Janus (tests/janus_support.py) and real WebRTC
(aiortc bots, tests/rtcbot.py): our generated configuration, rooms, per-participant tokens
that Janus itself checks, media through the SFU, recording, and the judge's kick and mute."""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import socket
import time
import urllib.request

import pytest

from microcourt.hearings.janus.client import JanusUnavailable, get_client
from microcourt.hearings.janus.config import PROTECTED_FOLDERS
from tests.rtcbot import JanusRefused

UNAUTHORIZED_CORE = 403  # Janus core: no token, or one it does not know
UNAUTHORIZED_ROOM = 433  # VideoRoom: a token not on this room's list


def _post(url: str, body: dict) -> dict:
    request = urllib.request.Request(  # noqa: S310 - our own Janus on loopback
        url, data=json.dumps({**body, "transaction": "t1"}).encode(), method="POST"
    )
    with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310 - loopback
        return json.loads(response.read())


async def _publisher(janus, room, token, name, sender, **kw):
    bot = janus.bot(room=room.room, token=token, display=name, sender_id=sender, **kw)
    await bot.connect()
    await bot.join()
    await bot.publish()
    return bot


def test_janus_runs_from_our_config_on_loopback_with_token_auth(janus):
    info = get_client().info()
    assert info["name"] == "Janus WebRTC Server"
    # Nothing else loaded: the VideoRoom, and the Streaming plugin for public viewers.
    assert set(info["plugins"]) == {"janus.plugin.videoroom", "janus.plugin.streaming"}
    assert set(info["transports"]) == {"janus.transport.http", "janus.transport.websockets"}
    conf = (janus.root / "conf" / "janus.jcfg").read_text()
    assert "token_auth = true" in conf
    assert f'ice_enforce_list = "{janus.media_address}"' in conf
    assert "ignore_mdns = true" in conf
    # The recordings folder is one Janus may write to (a protected one fails silently).
    folders = re.search(r"protected_folders = \[(.*)\]", conf).group(1)
    assert '"/usr"' in folders
    assert not any(str(janus.rec_dir).startswith(f + "/") for f in json.loads(f"[{folders}]"))
    assert all(not str(janus.rec_dir).startswith(f + "/") for f in ["/usr", "/etc"])
    assert "/var" in PROTECTED_FOLDERS
    # The secrets are random, kept in the data directory, and unreadable to others.
    stored = json.loads((janus.root / "secrets.json").read_text())
    assert stored["admin_secret"] not in {"janusoverlord", ""}
    assert (janus.root / "secrets.json").stat().st_mode & 0o077 == 0
    assert stored["room_admin_key"] in (janus.root / "conf/janus.plugin.videoroom.jcfg").read_text()
    # Only Django may create mountpoints, and none exists but those it creates.
    streaming = (janus.root / "conf/janus.plugin.streaming.jcfg").read_text()
    assert f'admin_key = "{stored["stream_admin_key"]}"' in streaming
    assert streaming.count(": {") == 1  # the general section alone
    assert all(
        (m.get("metadata") or "").startswith("microcourt-live ") for m in get_client().mountpoints()
    )

    # Every API listens on loopback only: the machine's other addresses refuse.
    api_port = int(janus.api_url.split(":")[2].split("/")[0])
    for host in [a for a in _other_addresses() if a]:
        with socket.socket() as s, pytest.raises(OSError):
            s.settimeout(1)
            s.connect((host, api_port))

    # The client API wants a token; the admin API its secret.
    refused = _post(janus.api_url, {"janus": "create"})
    assert refused["janus"] == "error" and refused["error"]["code"] == UNAUTHORIZED_CORE
    refused = _post(janus.admin_url, {"janus": "list_tokens", "admin_secret": "janusoverlord"})
    assert refused["janus"] == "error"
    # Django's own client adds its token by itself and works.
    assert get_client().room_exists(424242) is False


def _other_addresses() -> list[str]:
    import subprocess

    out = subprocess.run(["ip", "-o", "-4", "addr"], capture_output=True, text=True).stdout
    found = [line.split()[3].split("/")[0] for line in out.splitlines()]
    return [a for a in found if not a.startswith("127.")]


def test_rooms_are_created_idempotently_and_destroyed(janus):
    client = get_client()
    room = janus.new_room(allowed=["token-a"])
    assert client.room_exists(room.room)
    client.create_room(
        room.room,
        secret=room.secret,
        description="again",
        publishers=6,
        record=False,
        rec_dir=None,
        allowed=["token-a", "token-b"],
    )
    assert {"token-a", "token-b", client.server_token} <= set(
        client.allowed(room.room, secret=room.secret)
    )
    with pytest.raises(JanusUnavailable) as wrong:
        client.allow(room.room, secret="not-the-secret", tokens=["intruder"])
    assert wrong.value.janus_code == UNAUTHORIZED_ROOM
    assert "intruder" not in client.allowed(room.room, secret=room.secret)
    # Only Django (holding the VideoRoom admin key) may create rooms.
    sneaky = type(client)(
        api_url=client.api_url,
        admin_url=client.admin_url,
        admin_secret=client.admin_secret,
        room_admin_key="guessed",
        server_token=client.server_token,
    )
    with pytest.raises(JanusUnavailable):
        sneaky.create_room(
            room.room + 1, secret="x", description="x", publishers=2, record=False,
            rec_dir=None, allowed=[],
        )  # fmt: skip
    assert not client.room_exists(room.room + 1)
    # A recordings folder Janus would refuse to write to (silently) is refused up front.
    with pytest.raises(JanusUnavailable) as protected:
        client.create_room(
            room.room + 2, secret="x", description="x", publishers=2, record=True,
            rec_dir="/usr/share/court-recordings", allowed=[],
        )  # fmt: skip
    assert "protected" in protected.value.detail
    assert not client.room_exists(room.room + 2)
    client.destroy_room(room.room, secret=room.secret)
    assert not client.room_exists(room.room)
    client.destroy_room(room.room, secret=room.secret)  # already gone: fine


def test_janus_unreachable_is_a_plain_error(janus, settings):
    settings.JANUS_API_URL = f"http://127.0.0.1:{_closed_port()}/janus"
    with pytest.raises(JanusUnavailable) as error:
        get_client().room_exists(1)
    assert error.value.status == 503
    assert "稍后再试" in str(error.value.message)
    assert "127.0.0.1" in error.value.detail


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_a_publisher_reaches_a_subscriber_through_janus_with_low_latency(janus, janus_room):
    judge, party = janus.admit(janus_room), janus.admit(janus_room)

    async def scenario():
        a = await _publisher(janus, janus_room, judge, "审判长", 1)
        b = await _publisher(janus, janus_room, party, "原告", 2)
        try:
            assert a.feed_id in b.publishers  # Janus told B who publishes
            await b.subscribe([a.feed_id])
            await a.subscribe([b.feed_id])
            await b.wait_frames(5, sender=1, timeout=10)
            await a.wait_frames(5, sender=2, timeout=10)
            b.reset_stats()
            a.reset_stats()
            await asyncio.sleep(2.5)
            return a.stats(), b.stats(), dict(a.frames), dict(b.frames)
        finally:
            await a.hangup()
            await b.hangup()

    a_stats, b_stats, a_frames, b_frames = janus.run(scenario())
    print(f"\nlatency through Janus (320x180@15): A←B {a_stats}, B←A {b_stats}")
    # Each saw only the other's frames, about 15 a second, decoded intact.
    assert set(a_frames) == {2} and set(b_frames) == {1}
    for stats in (a_stats, b_stats):
        assert stats["frames"] >= 20, stats
        assert stats["bad"] <= 2, stats
        assert stats["median_ms"] < 300, stats


def test_janus_refuses_no_token_an_unknown_token_and_another_rooms_token(janus):
    room_a, room_b = janus.new_room(), janus.new_room()
    token_a = janus.admit(room_a)

    async def scenario():
        # No token: Janus will not even open a session.
        anonymous = janus.bot(room=room_b.room, token=None)
        with pytest.raises(JanusRefused) as refused:
            await anonymous.connect()
        assert refused.value.code == UNAUTHORIZED_CORE
        await anonymous.close()
        # A made-up token: the same.
        stranger = janus.bot(room=room_b.room, token="made-up-token")
        with pytest.raises(JanusRefused) as refused:
            await stranger.connect()
        assert refused.value.code == UNAUTHORIZED_CORE
        await stranger.close()
        # Room A's participant knocking at room B: refused by the VideoRoom plugin, both as a
        # publisher and as a subscriber of B's feeds (no private id of a participant of B).
        in_b = await _publisher(janus, room_b, janus.admit(room_b), "被告", 13)
        wrong_room = janus.bot(room=room_b.room, token=token_a)
        await wrong_room.connect()
        with pytest.raises(JanusRefused) as refused:
            await wrong_room.join()
        assert refused.value.code == UNAUTHORIZED_ROOM
        with pytest.raises(JanusRefused) as refused:
            await wrong_room.subscribe([in_b.feed_id])
        assert refused.value.code == UNAUTHORIZED_ROOM
        await wrong_room.hangup()
        # (Why rooms require a participant's private id: without it, the VideoRoom lets any
        # token Janus knows subscribe — what a public hearing's viewers may do, nothing else.)
        get_client().edit_room(room_b.room, secret=room_b.secret, require_pvtid=False)
        viewer = janus.bot(room=room_b.room, token=token_a)
        await viewer.connect()
        await viewer.subscribe([in_b.feed_id])
        await viewer.wait_frames(3, sender=13)
        await viewer.hangup()
        await in_b.hangup()
        # … while in room A the same token works.
        right_room = await _publisher(janus, room_a, token_a, "原告", 3)
        assert right_room.feed_id
        await right_room.hangup()

    janus.run(scenario())
    ids = [p["id"] for p in get_client().participants(room_b.room)]
    assert ids == []
    # The participant's token is limited to the VideoRoom plugin in Janus's core.
    tokens = _post(
        janus.admin_url, {"janus": "list_tokens", "admin_secret": get_client().admin_secret}
    )["data"]["tokens"]
    assert {"token": token_a, "allowed_plugins": ["janus.plugin.videoroom"]} in tokens
    get_client().remove_token(token_a)
    assert token_a not in get_client().list_tokens()
    for room in (room_a, room_b):
        get_client().destroy_room(room.room, secret=room.secret)


def test_recording_writes_mjr_files_and_stops_when_switched_off(janus):
    client = get_client()
    room = janus.new_room(record=True)
    rec_dir = janus.rec_dir / f"room-{room.room}"
    token = janus.admit(room)

    def sizes() -> dict[str, int]:
        return {p.name: p.stat().st_size for p in rec_dir.glob("*.mjr")}

    async def scenario():
        bot = await _publisher(janus, room, token, "书记员", 4, audio=True)
        try:
            await _until(lambda: len(sizes()) >= 2 and min(sizes().values()) > 2000, 8)
            recorded = sizes()
            client.set_recording(room.room, secret=room.secret, record=False)
            await asyncio.sleep(0.5)  # what was in flight
            paused = sizes()
            await asyncio.sleep(1.5)
            after_pause = sizes()
            client.set_recording(room.room, secret=room.secret, record=True)
            await _until(lambda: len(sizes()) >= len(paused) + 2, 8)
            return recorded, paused, after_pause, sizes()
        finally:
            await bot.hangup()

    recorded, paused, after_pause, resumed = janus.run(scenario())
    kinds = {re.search(r"-(audio|video)-\d+\.mjr$", name).group(1) for name in recorded}
    assert kinds == {"audio", "video"}, recorded  # one file per track
    assert all(name.startswith(f"videoroom-{room.room}-user-") for name in recorded)
    assert after_pause == paused  # nothing more written while recording is off
    assert len(resumed) == len(paused) + 2  # switched on again: new files for both tracks
    client.destroy_room(room.room, secret=room.secret)


def _data(event: dict) -> dict:
    return event.get("plugindata", {}).get("data", {})


async def _until(predicate, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.1)


def test_kick_removes_a_publisher_and_a_removed_token_cannot_come_back(janus, janus_room):
    client = get_client()
    judge, party = janus.admit(janus_room), janus.admit(janus_room)

    async def scenario():
        a = await _publisher(janus, janus_room, judge, "审判长", 5)
        b = await _publisher(janus, janus_room, party, "被告", 6)
        try:
            await a.subscribe([b.feed_id])
            await a.wait_frames(3, sender=6)
            # The judge removes the defendant: off the room's list, token gone, kicked.
            client.allow(janus_room.room, secret=janus_room.secret, tokens=[party], add=False)
            client.remove_token(party)
            client.kick(janus_room.room, secret=janus_room.secret, feed_id=b.feed_id)
            # Everyone is told who was kicked; the kicked one is told why and hung up.
            await a.wait_event(lambda e: _data(e).get("kicked") == b.feed_id)
            await b.wait_event(lambda e: _data(e).get("reason") == "kicked")
            await b.wait_event(lambda e: e.get("janus") == "hangup")
            ids = [p["id"] for p in client.participants(janus_room.room)]
            assert b.feed_id not in ids and a.feed_id in ids
            client.kick(janus_room.room, secret=janus_room.secret, feed_id=b.feed_id)  # gone: ok
            again = janus.bot(room=janus_room.room, token=party)
            with pytest.raises(JanusRefused):
                await again.connect()
            await again.close()
        finally:
            await a.hangup()
            await b.close()

    janus.run(scenario())


def test_moderate_stops_and_restores_a_publishers_video(janus, janus_room):
    client = get_client()
    judge, party = janus.admit(janus_room), janus.admit(janus_room)

    async def scenario():
        a = await _publisher(janus, janus_room, judge, "审判长", 7)
        b = await _publisher(janus, janus_room, party, "原告", 8, audio=True)
        try:
            await a.subscribe([b.feed_id])
            await a.wait_frames(5, sender=8)
            assert {s["type"] for s in client.publisher_streams(janus_room.room, b.feed_id)} == {
                "audio",
                "video",
            }
            client.moderate(janus_room.room, secret=janus_room.secret, feed_id=b.feed_id,
                            mute_video=True)  # fmt: skip
            await asyncio.sleep(0.7)
            muted_from = a.frames[8]
            await asyncio.sleep(1.5)
            during = a.frames[8] - muted_from
            client.moderate(janus_room.room, secret=janus_room.secret, feed_id=b.feed_id,
                            mute_video=False)  # fmt: skip
            await a.wait_frames(muted_from + during + 5, sender=8, timeout=10)
            # Django's look into the room (for the mids) never showed up as a participant:
            # at most a "leaving" of an id that never joined or published.
            for event in a.events + b.events:
                assert "joining" not in _data(event), event
                published = {p["id"] for p in _data(event).get("publishers", [])}
                assert published <= {a.feed_id, b.feed_id}, event
            # Everyone is told of the moderation (mid by mid).
            muted = [_data(e) for e in a.events if _data(e).get("moderation") == "muted"]
            assert [m["id"] for m in muted] == [b.feed_id]
            return during
        finally:
            await a.hangup()
            await b.hangup()

    during = janus.run(scenario())
    assert during == 0  # no frame of the muted camera reached anyone


def test_a_dropped_connection_leaves_the_room_without_a_hangup(janus, janus_room):
    client = get_client()
    judge, party = janus.admit(janus_room), janus.admit(janus_room)

    async def scenario():
        a = await _publisher(janus, janus_room, judge, "审判长", 9)
        b = await _publisher(janus, janus_room, party, "原告", 10)
        try:
            await b.drop()  # network gone: no leave, no hangup, no close frame
            # Janus sees the signalling socket die and takes the feed down: others are told
            # it is unpublished and left, and never get a "kicked" or a hang-up for it.
            await a.wait_event(lambda e: _data(e).get("leaving") == b.feed_id, timeout=15)
            assert any(_data(e).get("unpublished") == b.feed_id for e in a.events)
            assert not any(_data(e).get("kicked") == b.feed_id for e in a.events)
            return [p["id"] for p in client.participants(janus_room.room)], b.feed_id
        finally:
            await a.hangup()

    ids, dropped = janus.run(scenario())
    assert dropped not in ids


# A page that speaks Janus's WebSocket API with nothing but the browser's own WebRTC: it
# publishes Chromium's fake camera and subscribes to one feed, decoding the bots' stamps.
BROWSER_PAGE = """<!doctype html><html lang="en"><title>janus check</title><body><script>
const CRC = Array.from({length: 256}, (_, n) => { let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xEDB88320 ^ (c >>> 1) : c >>> 1; return c >>> 0; });
function crc32(bytes) { let c = 0xFFFFFFFF;
  for (const b of bytes) c = CRC[(c ^ b) & 0xFF] ^ (c >>> 8); return (c ^ 0xFFFFFFFF) >>> 0; }
function readStamp(ctx) {
  const img = ctx.getImageData(0, 0, 320, 80).data; let v = 0n;
  for (let i = 0; i < 64; i++) { const x = (i % 16) * 20 + 10, y = Math.floor(i / 16) * 20 + 10;
    v = (v << 1n) | (img[(y * 320 + x) * 4] > 128 ? 1n : 0n); }
  const check = Number(v & 0xFFn), sender = Number((v >> 8n) & 0xFFFn), ms = v >> 20n;
  const payload = (ms << 12n) | BigInt(sender), bytes = [];
  for (let i = 7; i >= 0; i--) bytes.push(Number((payload >> BigInt(i * 8)) & 0xFFn));
  if ((crc32(bytes) & 0xFF) !== check) return null;
  const high = (BigInt(Date.now()) >> 44n) << 44n;
  return {ms: Number(high | ms), sender};
}
async function gathered(pc) { if (pc.iceGatheringState === 'complete') return;
  await new Promise(r => { pc.onicegatheringstatechange = () =>
    pc.iceGatheringState === 'complete' && r(); setTimeout(r, 5000); }); }
async function connected(pc) { for (let i = 0; i < 100 && pc.connectionState !== 'connected'; i++)
  await new Promise(r => setTimeout(r, 100)); return pc.connectionState; }
async function pair(pc) { for (const s of (await pc.getStats()).values())
  if (s.type === 'candidate-pair' && s.nominated && s.state === 'succeeded') {
    const stats = await pc.getStats();
    return [stats.get(s.localCandidateId).address, stats.get(s.remoteCandidateId).address]; } }
async function run({url, room, token, feed, seconds}) {
  const ws = new WebSocket(url, 'janus-protocol'); const pending = {}; let session = null;
  await new Promise((ok, fail) => { ws.onopen = ok; ws.onerror = fail; });
  ws.onmessage = m => { const msg = JSON.parse(m.data), done = pending[msg.transaction];
    if (done && msg.janus !== 'ack') { delete pending[msg.transaction]; done(msg); } };
  const call = body => new Promise(done => { const t = Math.random().toString(36).slice(2);
    pending[t] = done;
    const ids = session ? {session_id: session} : {};
    ws.send(JSON.stringify({...body, transaction: t, token, ...ids})); });
  session = (await call({janus: 'create'})).data.id;
  const attach = async () =>
    (await call({janus: 'attach', plugin: 'janus.plugin.videoroom'})).data.id;
  const send = (handle_id, body, jsep) => call({janus: 'message', handle_id, body, jsep});
  const pub = await attach();
  const joined = await send(pub, {request: 'join', ptype: 'publisher', room, token,
                                  display: 'chromium'});
  const me = joined.plugindata.data;
  const media = await navigator.mediaDevices.getUserMedia({video: {width: 320, height: 180}});
  const pc = new RTCPeerConnection({iceServers: []});
  media.getTracks().forEach(t => pc.addTrack(t, media));
  await pc.setLocalDescription(await pc.createOffer()); await gathered(pc);
  const answer = await send(pub, {request: 'publish'}, pc.localDescription);
  await pc.setRemoteDescription(answer.jsep);
  const sub = await attach();
  const offer = await send(sub, {request: 'join', ptype: 'subscriber', room, token,
                                 private_id: me.private_id, streams: [{feed}]});
  const spc = new RTCPeerConnection({iceServers: []}); const latencies = []; let frames = 0;
  const canvas = document.createElement('canvas'); canvas.width = 320; canvas.height = 180;
  const ctx = canvas.getContext('2d', {willReadFrequently: true});
  spc.ontrack = e => { const v = document.createElement('video'); v.muted = true;
    v.srcObject = new MediaStream([e.track]); document.body.append(v); v.play();
    const tick = () => { frames++; ctx.drawImage(v, 0, 0, 320, 180); const s = readStamp(ctx);
      if (s) latencies.push(Date.now() - s.ms); v.requestVideoFrameCallback(tick); };
    v.requestVideoFrameCallback(tick); };
  await spc.setRemoteDescription(offer.jsep);
  await spc.setLocalDescription(await spc.createAnswer()); await gathered(spc);
  await send(sub, {request: 'start'}, spc.localDescription);
  const states = [await connected(pc), await connected(spc)];
  await new Promise(r => setTimeout(r, seconds * 1000));
  latencies.sort((a, b) => a - b);
  return {states, frames, stamped: latencies.length, feed: me.id,
          median: latencies[Math.floor(latencies.length / 2)], pair: await pair(spc)};
}
</script></body></html>"""
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
]  # fmt: skip


@pytest.mark.e2e
def test_chromium_publishes_and_receives_through_janus_on_this_machine(janus, janus_room):
    """Debian's Chromium, as the hearing page will run it: media reaches Janus over the
    local media interface with no STUN server, both ways."""
    from playwright.sync_api import sync_playwright

    from tests.browser import CHROMIUM

    bot_token, browser_token = janus.admit(janus_room), janus.admit(janus_room)
    result: dict = {}

    async def scenario():
        bot = await _publisher(janus, janus_room, bot_token, "审判长", 11)
        try:
            loop = asyncio.get_running_loop()
            result.update(await loop.run_in_executor(None, _browser_run, bot.feed_id))
            return bot.media_frames["video"]
        finally:
            await bot.hangup()

    def _browser_run(feed: int) -> dict:
        with sync_playwright() as p, _page_server() as base:
            chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
            try:
                page = chromium.new_page()
                # Served from a real loopback server: Chromium's local-network-access checks
                # block a page of unknown origin (a Playwright route) from ws://127.0.0.1.
                page.goto(base + "/janus.html")
                args = {"url": janus.ws_url, "room": janus_room.room, "token": browser_token,
                        "feed": feed, "seconds": 3}  # fmt: skip
                answer = page.evaluate("args => run(args)", args)
                # While the page still publishes, the bot subscribes to it.
                loop = asyncio.run_coroutine_threadsafe(_bot_watches(answer["feed"]), main)
                answer["bot_frames"] = loop.result(timeout=20)
                return answer
            finally:
                chromium.close()

    async def _bot_watches(feed: int) -> int:
        watcher = janus.bot(room=janus_room.room, token=janus.admit(janus_room), sender_id=12)
        await watcher.connect()
        await watcher.join()
        try:
            await watcher.subscribe([feed])
            deadline = time.monotonic() + 10
            while watcher.media_frames["video"] < 15 and time.monotonic() < deadline:
                await asyncio.sleep(0.1)
            return watcher.media_frames["video"]
        finally:
            await watcher.hangup()

    async def with_loop():
        nonlocal main
        main = asyncio.get_running_loop()
        return await scenario()

    main = None
    janus.run(with_loop(), timeout=60)
    print(f"\nChromium through Janus: {result}")
    assert result["states"] == ["connected", "connected"], result
    assert result["pair"][1] == janus.media_address, result  # Janus's candidate
    assert result["stamped"] >= 15, result  # the bot's frames decoded in the page
    assert result["median"] < 300, result
    assert result["bot_frames"] >= 15, result  # the fake camera reached the bot


@contextlib.contextmanager
def _page_server():
    import http.server
    import threading

    class Page(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            body = BROWSER_PAGE.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            return None  # quiet: the test reads the page, not the server's log

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Page)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()

"""Live transcription: end of an utterance → its line on the clerk's screen (issue 17).

    .venv/bin/python -m benchmarks.transcript_delay          # the fake engine, then the local one
    BENCH_ENGINES=fake BENCH_PAIRS=4 .venv/bin/python -m benchmarks.transcript_delay

One Janus from microcourt's generated configuration on loopback ports (media on the local
media interface, 127.0.0.12; needs root, docs/janus.md) and, per engine, ``microcourt serve``
with its task workers (the transcription worker among them), ``SPEECH_ENGINE`` set to the
engine, ``TRANSCRIBE_LIVE`` on, and Redis as the channel layer (``REDIS_URL``, default
``redis://127.0.0.1:6379/13``): the worker's pushes reach the web process's sockets only
through it. Without Redis answering, the delay is measured to the line's commit in the
database instead, and the output says so.

A case with 陈法官 (presiding), 赵书记员 (clerk) and 张三 (plaintiff): the judge opens the
session through the API (which queues the transcription task), 张三 goes through the rules,
the waiting room and the clerk's admission; both press 进入法庭 (``POST …/join``) and publish
audio from a ``tests.rtcbot.SpeakingBot`` with the token they got. The clerk's browser is a
websocket client on ``ws/hearings/<id>/`` with the clerk's log-in cookie.

The two speak ``BENCH_PAIRS`` exchanges (default 6, so 12 utterances) of espeak-ng speech
(English and Mandarin sentences of 2–5 s): the judge, then 张三 after a 0.8 s pause; every
third exchange 张三 starts 1 s before the judge has finished (two voices at once). The end of
an utterance is when its bot handed the last sample to its encoder (one clock on one
machine); its line is the ``transcript.line`` event with that speaker whose start is nearest the
utterance's start, within 1.5 s (a gap line, the engine having failed, counts: it is what the
clerk sees in that place). Reported: lines matched, p50 / p95 / max delay, and
(from the database) how much of it was the commit → screen push.

Goal (issue 17): p95 ≤ 3 s with two speakers. Exit status 0 when every engine met it.
"""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks import _court as court_setup  # noqa: E402
from tests.live_server import live_server  # noqa: E402

ENGINES = [e for e in os.environ.get("BENCH_ENGINES", "fake,local").split(",") if e]
PAIRS = int(os.environ.get("BENCH_PAIRS", "6"))
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/13")
# BENCH_OPUS_CBR=1: the bots send constant-bitrate Opus at 32 kbit/s (what a browser does with
# ``cbr=1`` in the Opus fmtp) instead of aiortc's 96 kbit/s VBR: Janus then fills its 4 KiB
# write blocks at the same pace in silence as in speech (docs/hearings.md, "How fast").
OPUS_CBR = os.environ.get("BENCH_OPUS_CBR", "0") == "1"
GOAL_P95 = 3.0
RATE = 48_000
SENTENCES = [
    ("en", "The defendant borrowed fifty thousand yuan in March."),
    ("cmn-latn-pinyin", "yuan2 gao4 qing3 qiu2 bei4 gao4 chang2 huan2 jie4 kuan3"),
    ("en", "Please state your name and address for the record."),
    ("cmn-latn-pinyin", "wo3 fang1 you3 jie4 tiao2 he2 zhuan3 zhang4 ji4 lu4"),
    ("en", "I paid back twenty thousand yuan by bank transfer last year, in two parts."),
    ("cmn-latn-pinyin", "bei4 gao4 shi4 fou3 cheng2 ren4 zhe4 bi3 jie4 kuan3"),
]
# BENCH_LANGUAGE=en: English sentences only, and the engine asked for English
# (SPEECH_LANGUAGE): the small model's speed on speech it understands. By default the
# court's language (zh) is asked of a mix, as in a hearing where espeak's robotic Mandarin
# makes Whisper base loop to its token limit (slow, then a gap line).
LANGUAGE = os.environ.get("BENCH_LANGUAGE", "")
if LANGUAGE == "en":
    SENTENCES = [s for s in SENTENCES if s[0] == "en"] + [
        ("en", "The hearing is adjourned until the witness arrives."),
        ("en", "We have the loan agreement and the transfer records."),
        ("en", "Does the defendant admit this debt?"),
    ]
PEOPLE = [
    ("td_judge", "陈法官", "judge"),
    ("td_clerk", "赵书记员", "clerk"),
    ("td_zhang", "张三", "plaintiff"),
]


def _redis_answers(url: str) -> bool:
    host_port = url.split("//", 1)[1].split("/", 1)[0]
    host, _, port = host_port.partition(":")
    try:
        with socket.create_connection((host, int(port or 6379)), timeout=1) as s:
            s.sendall(b"PING\r\n")
            return s.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def _clips(folder: Path) -> list:
    from tests.rtcbot import load_wav

    espeak = shutil.which("espeak-ng")
    if espeak is None:
        raise SystemExit("espeak-ng is needed (scripts/system-deps.sh installs it)")
    clips = []
    for n, (voice, text) in enumerate(SENTENCES):
        path = folder / f"s{n}.wav"
        subprocess.run([espeak, "-v", voice, "-w", str(path), text], check=True, timeout=30)
        clips.append(load_wav(path))
    return clips


def _setup(base: str, serial: int) -> tuple[int, dict[str, str], str]:
    """The case and its three people, the session opened by the judge, 张三 admitted;
    returns (session id, bearer per role, the clerk's log-in cookie)."""
    import django

    django.setup()
    from django.db import connection

    from microcourt.cases.models import CaseParticipant
    from microcourt.core.actor import Actor
    from microcourt.courts.models import Court
    from microcourt.courts.tests.factories import CourtFactory
    from microcourt.identity import verification

    court = Court.objects.filter(name__contains="海曙").first() or CourtFactory.haishu()
    users = {
        role: court_setup.person(court, f"{username}{serial}", name, role)
        for username, name, role in PEOPLE
    }
    case = court_setup.accepted_case(
        court, serial=serial, title="张三诉王五民间借贷纠纷", filed_by=users["plaintiff"]
    )
    for (_u, name, role), user in zip(PEOPLE, users.values(), strict=True):
        CaseParticipant.objects.create(case=case, user=user, display_name=name, role=role)
    judge = Actor(user=users["judge"], role="judge", court_id=court.pk)
    clerk = Actor(user=users["clerk"], role="clerk")
    verification.verification_in_person(
        actor=clerk,
        user=users["plaintiff"],
        id_type="resident_id",
        name="张三",
        id_number=court_setup.resident_id(serial),
    )
    bearers = {
        role: court_setup.bearer_token(user, "transcript benchmark") for role, user in users.items()
    }
    session = court_setup.session_now(case, judge)
    opened = court_setup.api(base, f"/api/v1/sessions/{session.pk}/open", bearers["judge"])
    assert opened["status"] == "open", opened
    court_setup.admit(base, session.pk, users["plaintiff"], bearers["plaintiff"], bearers["clerk"])
    cookie = court_setup.login_cookie(users["clerk"])
    connection.close()
    return session.pk, bearers, cookie


def _constant_bitrate() -> None:
    from aiortc.codecs import opus

    original = opus.OpusEncoder.__init__

    def init(self) -> None:
        original(self)
        self.codec.bit_rate = 32000
        self.codec.options = {**self.codec.options, "vbr": "off"}

    opus.OpusEncoder.__init__ = init


async def _bot(base: str, session_id: int, bearer: str, media_address: str):
    from tests.rtcbot import SpeakingBot

    joined = court_setup.api(base, f"/api/v1/sessions/{session_id}/join", bearer, {})
    bot = SpeakingBot(
        joined["janus_url"],
        room=joined["room"],
        token=joined["token"],
        display=joined["display"],
        media_address=media_address,
    )
    await bot.connect()
    await bot.join()
    await bot.publish()
    return bot


async def _clerk(base: str, session_id: int, cookie: str, arrivals: list, ready: asyncio.Event):
    import websockets

    url = base.replace("http://", "ws://") + f"/ws/hearings/{session_id}/"
    async with websockets.connect(
        url, origin=base, additional_headers={"Cookie": f"sessionid={cookie}"}, open_timeout=10
    ) as ws:
        ready.set()
        async for raw in ws:
            now = time.time()
            message = json.loads(raw)
            if message.get("event") == "transcript.line":
                arrivals.append((now, message["line"]))


async def _talk(judge, zhang, clips) -> list[dict]:
    """The exchanges; what each said, with the wall-clock times of its first and last
    samples."""
    said = []
    for i in range(PAIRS):
        a, b = clips[(2 * i) % len(clips)], clips[(2 * i + 1) % len(clips)]
        overlap = i % 3 == 2
        judge.mic.say(a, f"judge-{i}")
        await asyncio.sleep(len(a) / RATE - 1.0 if overlap else len(a) / RATE + 0.8)
        zhang.mic.say(b, f"zhang-{i}")
        while not (judge.mic.idle and zhang.mic.idle):
            await asyncio.sleep(0.02)
        await asyncio.sleep(1.0)
    for who, bot in (("judge", judge), ("plaintiff", zhang)):
        for spoken in bot.mic.spoken:
            said.append({**spoken, "who": who, "display": bot.display})
    return sorted(said, key=lambda s: s["start"])


async def _round(base: str, session_id: int, bearers: dict, cookie: str, clips, ctx) -> dict:
    arrivals: list = []
    ready = asyncio.Event()
    listener = None
    if ctx["redis"]:
        listener = asyncio.ensure_future(_clerk(base, session_id, cookie, arrivals, ready))
        await asyncio.wait_for(ready.wait(), 15)
    judge = await _bot(base, session_id, bearers["judge"], ctx["media_address"])
    zhang = await _bot(base, session_id, bearers["plaintiff"], ctx["media_address"])
    await asyncio.sleep(1.5)  # the worker has found both files
    said = await _talk(judge, zhang, clips)
    # The last lines: up to 20 s more (the local engine on a busy machine).
    deadline = time.time() + 20
    while time.time() < deadline:
        if len(await asyncio.to_thread(_lines, session_id)) >= len(said):
            break
        await asyncio.sleep(0.25)
    await asyncio.sleep(1.0)
    for bot in (judge, zhang):
        await bot.hangup()
    if listener is not None:
        listener.cancel()
    return {
        "said": said,
        "arrivals": arrivals,
        "lines": await asyncio.to_thread(_lines, session_id),
    }


def _lines(session_id: int) -> list[dict]:
    from django.db import connection

    from microcourt.hearings.models import TranscriptLine

    rows = list(
        TranscriptLine.objects.filter(session_id=session_id).values(
            "id", "speaker", "started_at", "ended_at", "created_at", "text", "gap", "engine"
        )
    )
    connection.close()
    return rows


def _match(result: dict, redis: bool) -> dict:
    shown = {}
    for at, line in result["arrivals"]:
        shown.setdefault(line["id"], at)
    delays, pushes, missing, used = [], [], [], set()
    for spoken in result["said"]:
        best = None
        for row in result["lines"]:
            if row["id"] in used or row["speaker"] != spoken["display"]:
                continue
            gap = abs(row["started_at"].timestamp() - spoken["start"])
            if gap <= 1.5 and (best is None or gap < best[0]):
                best = (gap, row)
        if best is None:
            missing.append(spoken["label"])
            continue
        row = best[1]
        used.add(row["id"])
        committed = row["created_at"].timestamp()
        arrived = shown.get(row["id"]) if redis else committed
        if arrived is None:
            missing.append(spoken["label"] + " (not pushed)")
            continue
        if os.environ.get("BENCH_DEBUG"):
            print(
                spoken["label"],
                round(spoken["start"], 2),
                round(spoken["end"], 2),
                row["started_at"].isoformat(),
                row["created_at"].isoformat(),
                arrived,
            )
        delays.append(arrived - spoken["end"])
        pushes.append(arrived - committed)
    extra = [r for r in result["lines"] if r["id"] not in used]
    delays.sort()
    return {
        "utterances": len(result["said"]),
        "matched": len(delays),
        "missing": missing,
        "extra": [(r["speaker"], r["text"][:30], r["gap"]) for r in extra],
        "p50": statistics.median(delays) if delays else None,
        "p95": delays[min(len(delays) - 1, int(len(delays) * 0.95))] if delays else None,
        "max": delays[-1] if delays else None,
        "push_p50": statistics.median(pushes) if pushes else None,
        "engine": sorted({r["engine"] for r in result["lines"]}),
        # Lines that mark a gap (the engine failed or timed out): lines on screen all the same.
        "gaps": sum(1 for r in result["lines"] if r["gap"]),
    }


def main() -> int:
    media_address = court_setup.media_address()
    data = Path(tempfile.mkdtemp(prefix="mc-bench-transcript-"))
    redis = _redis_answers(REDIS_URL)
    print(
        f"{court_setup.machine()}; start {court_setup.utc_now()}, load average "
        f"{court_setup.load_average()}; measured to "
        + ("the clerk’s websocket (Redis channel layer)" if redis else "the DB commit (no Redis)"),
        flush=True,
    )
    clips = _clips(data)
    if LANGUAGE:
        print(f"sentences and the engine's language: {LANGUAGE} (BENCH_LANGUAGE)", flush=True)
    if OPUS_CBR:
        _constant_bitrate()
        print("bots send constant-bitrate Opus, 32 kbit/s (BENCH_OPUS_CBR=1)", flush=True)
    layout, janus = court_setup.start_janus(
        data / "janus", media_address, rtp_base=34000, rtp_blocks=100
    )
    results = {}
    try:
        for n, engine in enumerate(ENGINES):
            env = {
                **court_setup.janus_env(layout, janus, media_address),
                "MICROCOURT_SPEECH_ENGINE": engine,
                "MICROCOURT_TRANSCRIBE_LIVE": "true",
                **({"MICROCOURT_SPEECH_LANGUAGE": LANGUAGE} if LANGUAGE else {}),
                **({"REDIS_URL": REDIS_URL} if redis else {}),
            }
            with live_server(data, ready="/api/v1/ledger/key", worker=True, **env) as server:
                os.environ.update(server.env)
                print(f"{engine}: serving, setting up …", flush=True)
                session_id, bearers, cookie = _setup(
                    server.base, 1700 + secrets.randbelow(300) * 10 + n
                )
                ctx = {"redis": redis, "media_address": media_address}
                result = asyncio.run(_round(server.base, session_id, bearers, cookie, clips, ctx))
                court_setup.api(
                    server.base, f"/api/v1/sessions/{session_id}/close", bearers["judge"]
                )
                results[engine] = _match(result, redis)
                print(f"{engine}: {json.dumps(results[engine], ensure_ascii=False)}", flush=True)
    finally:
        janus.stop()
        if not results:
            shutil.rmtree(data, ignore_errors=True)
    ok = True
    print()
    print(
        "| engine | utterances | lines matched | p50 (s) | p95 (s) | max (s) "
        "| commit → screen p50 (s) | gap lines |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for engine, r in results.items():
        f = lambda v: "–" if v is None else f"{v:.2f}"  # noqa: E731
        print(
            f"| {', '.join(r['engine']) or engine} | {r['utterances']} | {r['matched']} | "
            f"{f(r['p50'])} | {f(r['p95'])} | {f(r['max'])} | {f(r['push_p50'])} | {r['gaps']} |"
        )
        ok = ok and r["p95"] is not None and r["p95"] <= GOAL_P95 and not r["missing"]
    print(f"{court_setup.ended()}; goal p95 ≤ {GOAL_P95:.0f} s: {'met' if ok else 'NOT met'}")
    shutil.rmtree(data, ignore_errors=True)
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())

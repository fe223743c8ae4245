"""Case space chat (issue 7): one sender, 50 websocket members, in-memory and Redis layers.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/microcourt_bench_spaces \
        REDIS_URL=redis://127.0.0.1:6379/13 .venv/bin/python -m benchmarks.spaces

Makes one case with 51 active participants in that PostgreSQL database (the sender, a
plaintiff with a bearer token, and 50 members: a judge, a clerk, 24 co-plaintiffs and 24
defendants, each logged in with a database session), then for each channel layer starts
``microcourt serve --no-worker`` on a loopback port (in-memory: 1 uvicorn worker, the only
set-up in which that layer works; Redis: ``BENCH_REDIS_WORKERS`` workers, default 2, with
``REDIS_URL``), opens 50 websockets on ``ws/cases/<id>/space/`` with each member's
``sessionid`` cookie, and posts ``BENCH_SECONDS`` (default 20) of messages at 10 and at 50
messages/s through ``POST /api/v1/cases/<id>/space/messages`` (open loop: sends start on a
fixed schedule, up to 8 in flight, each on its own keep-alive connection). Latency is from
just before the HTTP request is written to the moment each member's ``recv()`` returns the
pushed message (one process, one clock), so it includes the whole write path (membership,
seq, message row, ledger entry and its after-commit integration, commit, push). Every member
must receive every message exactly once (matched by the index in its text and by seq).
Target: p95 ≤ 50 ms at 10 msg/s on 2 cores, zero lost. Without ``REDIS_URL`` only the
in-memory layer runs. That database's users (and, by CASCADE, everything that refers to
them), cases, spaces, sessions, tokens and ledger are emptied first: never point it at a
database that matters.
"""

from __future__ import annotations

import asyncio
import base64
import datetime as dt
import hashlib
import http.client
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.ledger import TABLES, _ensure_database

MEMBERS = 50
RATES = (10, 50)
SECONDS = float(os.environ.get("BENCH_SECONDS", "20"))
REDIS_WORKERS = int(os.environ.get("BENCH_REDIS_WORKERS", "2"))
IN_FLIGHT = 8
WARMUP = 10  # messages sent (at 10/s) before each layer's measured runs, not counted
DRAIN = 5.0  # seconds to wait for the last deliveries
TARGET_P95_MS = 50.0
STORES = ("postgres", "redis-server")
ROOT = Path(__file__).resolve().parent.parent


def _env(data_dir: str, redis_url: str = "") -> dict[str, str]:
    seed = base64.b64encode(hashlib.sha256(b"microcourt benchmark ledger key").digest()).decode()
    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    env.update(
        DJANGO_SETTINGS_MODULE="microcourt.settings.dev",
        MICROCOURT_DATA_DIR=data_dir,
        MICROCOURT_DEBUG="false",
        MICROCOURT_DEMO="false",
        MICROCOURT_LEDGER_KEY=env.get("MICROCOURT_LEDGER_KEY", seed),
        MICROCOURT_LEDGER_ORIGIN="bench.microcourt.test/ledger",
    )
    if redis_url:
        env["REDIS_URL"] = redis_url
    return env


@dataclass
class Fixture:
    case_id: int
    token: str
    cookies: list[str]  # one sessionid per member
    member_ids: list[int]


def _setup(data_dir: str) -> Fixture:
    """Migrate, empty the tables, make the case with its 51 participants and log them in."""
    os.environ.update(_env(data_dir))
    os.environ.pop("REDIS_URL", None)  # the set-up needs no Redis; each server gets its own
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from microcourt.cases import actions as cases
    from microcourt.cases.models import CaseType
    from microcourt.core.actor import Actor
    from microcourt.courts.tests.factories import CourtFactory, StaffFactory
    from microcourt.identity import actions as identity_actions
    from microcourt.identity.tests.factories import PASSWORD, UserFactory

    call_command("migrate", verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE identity_user, cases_case, identity_apitoken, django_session, "
            f"notifications_notification, {TABLES} RESTART IDENTITY CASCADE"
        )
    court = CourtFactory.haishu()
    judge_user = StaffFactory(
        court=court, role="judge", user__username="bench_judge", user__display_name="陈法官"
    ).user
    clerk_user = StaffFactory(
        court=court, role="clerk", user__username="bench_clerk", user__display_name="赵书记员"
    ).user
    judge = Actor(user=judge_user, role="judge", court_id=court.pk)
    sender = UserFactory(username="bench_sender", display_name="张三")
    civil = CaseType.objects.get_or_create(code="民初", defaults={"name": "民事一审"})[0]
    case = cases.case_open(
        court=court,
        case_type=civil,
        title="张三诉王五等民间借贷纠纷",
        cause="民间借贷纠纷",
        actor=Actor.citizen(sender),
    )
    add = cases.participant_add
    add(case=case, actor=judge, role="plaintiff", user=sender, display_name="张三")
    add(case=case, actor=judge, role="judge", user=judge_user, display_name="陈法官")
    add(case=case, actor=judge, role="clerk", user=clerk_user, display_name="赵书记员")
    members = [judge_user, clerk_user]
    for i in range(MEMBERS - 2):
        role = "plaintiff" if i % 2 == 0 else "defendant"
        user = UserFactory(username=f"bench_member_{i}", display_name=f"成员{i}")
        add(case=case, actor=judge, role=role, user=user, display_name=f"成员{i}")
        members.append(user)
    token = identity_actions.api_token_issue(username="bench_sender", password=PASSWORD)
    cookies = []
    for user in members:
        client = Client()
        client.force_login(user)
        cookies.append(client.cookies[settings.SESSION_COOKIE_NAME].value)
    fixture = Fixture(case.pk, token, cookies, [u.pk for u in members])
    connection.close()
    return fixture


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _serve(env: dict[str, str], port: int, workers: int, log_path: Path) -> subprocess.Popen:
    log = open(log_path, "w")  # noqa: SIM115 - closed with the process
    command = [sys.executable, "-m", "microcourt.cli", "serve", "--no-worker"]
    command += ["--port", str(port), "--workers", str(workers)]
    proc = subprocess.Popen(
        command, env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            break
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/api/v1/filing/kinds")
            if connection.getresponse().status in (200, 401):
                return proc
        except OSError:
            time.sleep(0.3)
    _stop(proc)
    sys.exit("the server did not start:\n" + log_path.read_text()[-3000:])


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, 15)
    proc.wait(timeout=30)


def _cpu_seconds(pgid: int | None = None, names: tuple[str, ...] = ()) -> float:
    """User + system CPU of the live processes in a process group (the uvicorn master and
    its workers), or of those with one of ``names`` (postgres, redis-server), from /proc."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        name = stat[stat.index("(") + 1 : stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2 :].split()
        if (pgid is not None and int(fields[2]) == pgid) or name in names:  # field 5: pgrp
            total += int(fields[11]) + int(fields[12])  # fields 14, 15: utime, stime
    return total / tick


def _machine_cpu() -> tuple[float, float]:
    """(busy, total) jiffies of the whole machine."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
    idle = values[3] + values[4]
    return sum(values) - idle, sum(values)


class Sender:
    """Posts messages through the API from a small pool of keep-alive connections."""

    def __init__(self, port: int, token: str, case_id: int):
        self.port, self.token = port, token
        self.path = f"/api/v1/cases/{case_id}/space/messages"
        self.local = threading.local()
        self.pool = ThreadPoolExecutor(IN_FLIGHT)

    def _connection(self) -> http.client.HTTPConnection:
        if getattr(self.local, "connection", None) is None:
            self.local.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        return self.local.connection

    def post(self, text: str) -> tuple[float, float, int]:
        """(sent at, answered at, seq); perf_counter times."""
        body = urllib.parse.urlencode({"text": text}).encode()
        headers = {
            "Authorization": f"Bearer {self.token}",
            "Content-Type": "application/x-www-form-urlencoded",
        }
        for attempt in (1, 2):
            connection = self._connection()
            sent = time.perf_counter()
            try:
                connection.request("POST", self.path, body=body, headers=headers)
                response = connection.getresponse()
                payload = response.read()
                break
            except (ConnectionError, http.client.HTTPException):
                connection.close()
                self.local.connection = None
                if attempt == 2:
                    raise
        answered = time.perf_counter()
        if response.status != 201:
            raise RuntimeError(f"post: {response.status} {payload[:300]!r}")
        return sent, answered, json.loads(payload)["seq"]


@dataclass
class Member:
    index: int
    # (perf_counter at receipt, seq, text, wall clock at receipt - the message's created_at)
    received: list[tuple[float, int, str, float]] = field(default_factory=list)
    others: int = 0

    async def listen(self, ws) -> None:
        async for raw in ws:
            at, wall = time.perf_counter(), time.time()
            data = json.loads(raw)
            if data.get("type") == "message":
                created = dt.datetime.fromisoformat(data["created_at"]).timestamp()
                self.received.append((at, data["seq"], data["text"], wall - created))
            else:
                self.others += 1


async def _connect(port: int, case_id: int, cookie: str, after: int):
    from websockets.asyncio.client import connect

    return await connect(
        f"ws://127.0.0.1:{port}/ws/cases/{case_id}/space/?after={after}",
        additional_headers={"Cookie": f"sessionid={cookie}", "Origin": f"http://127.0.0.1:{port}"},
        open_timeout=30,
        max_queue=None,
        compression=None,
    )


@dataclass
class Result:
    layer: str
    rate: int
    sent: int
    expected: int
    delivered: int
    lost: int
    duplicates: int
    out_of_order: int
    latencies: list[float]
    spread: list[float]  # per message: last member's receipt - first member's
    after_row: list[float]  # receipt - the message row's created_at (server clock = ours)
    post: list[float]  # HTTP round trip of the POST
    lag: float  # how far the sender fell behind its schedule, at most
    achieved: float  # messages/s actually posted (first send to last answer)
    server_cpu: float  # % of one core
    client_cpu: float  # this process, % of one core
    stores_cpu: float  # PostgreSQL and Redis processes, % of one core
    machine_cpu: float  # % of all cores

    @property
    def foreign_cpu(self) -> float:
        """Everything else on the machine (other users' work), % of one core."""
        cores = os.cpu_count() or 1
        used = self.server_cpu + self.client_cpu + self.stores_cpu
        return max(0.0, self.machine_cpu * cores - used)

    errors: list[str]


async def _run_rate(
    layer: str, rate: int, seconds: float, tag: str, sender: Sender, members: list[Member], pgid
) -> Result:
    loop = asyncio.get_running_loop()
    count = int(rate * seconds)
    marks = [len(m.received) for m in members]
    sends: dict[int, tuple[float, float, int]] = {}
    errors: list[str] = []
    lag = 0.0

    async def one(k: int) -> None:
        try:
            sends[k] = await loop.run_in_executor(sender.pool, sender.post, f"{tag}#{k}")
        except Exception as exc:  # report, do not hide
            errors.append(str(exc)[:300])

    cpu_before, machine_before, own_before = _cpu_seconds(pgid), _machine_cpu(), os.times()
    stores_before = _cpu_seconds(names=STORES)
    wall_before = time.perf_counter()
    start = time.perf_counter() + 0.05
    tasks = []
    for k in range(count):
        due = start + k / rate
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        lag = max(lag, time.perf_counter() - due)
        tasks.append(asyncio.create_task(one(k)))
    await asyncio.gather(*tasks)
    deadline = time.perf_counter() + DRAIN
    want = len(sends)
    while time.perf_counter() < deadline:
        got = sum(
            1
            for m, mark in zip(members, marks, strict=True)
            for _at, _seq, text, _w in m.received[mark:]
            if text.startswith(tag + "#")
        )
        if got >= want * len(members):
            break
        await asyncio.sleep(0.1)
    await asyncio.sleep(0.3)  # late duplicates, if any
    wall = time.perf_counter() - wall_before
    cpu = (_cpu_seconds(pgid) - cpu_before) / wall * 100
    machine_after, own_after = _machine_cpu(), os.times()
    stores = (_cpu_seconds(names=STORES) - stores_before) / wall * 100
    own = (own_after.user + own_after.system - own_before.user - own_before.system) / wall * 100
    machine = (machine_after[0] - machine_before[0]) / max(1, machine_after[1] - machine_before[1])

    latencies, lost, duplicates, out_of_order, delivered = [], 0, 0, 0, 0
    after_row: list[float] = []
    first: dict[int, float] = {}
    last: dict[int, float] = {}
    for m, mark in zip(members, marks, strict=True):
        seen: dict[int, float] = {}
        previous_seq = 0
        for at, seq, text, since_row in m.received[mark:]:
            if not text.startswith(tag + "#"):
                continue
            k = int(text.rsplit("#", 1)[1])
            delivered += 1
            if k in seen:
                duplicates += 1
                continue
            if k not in sends or sends[k][2] != seq:
                errors.append(f"member {m.index}: message {k} arrived with seq {seq}")
                continue
            seen[k] = at
            if seq < previous_seq:
                out_of_order += 1
            previous_seq = max(previous_seq, seq)
            latencies.append((at - sends[k][0]) * 1000)
            after_row.append(since_row * 1000)
            first[k] = min(first.get(k, at), at)
            last[k] = max(last.get(k, at), at)
        lost += sum(1 for k in sends if k not in seen)
    return Result(
        layer=layer,
        rate=rate,
        sent=len(sends),
        expected=count * len(members),
        delivered=delivered,
        lost=lost + (count - len(sends)) * len(members),
        duplicates=duplicates,
        out_of_order=out_of_order,
        latencies=latencies,
        spread=[(last[k] - first[k]) * 1000 for k in first],
        after_row=after_row,
        post=[(answered - sent) * 1000 for sent, answered, _seq in sends.values()],
        lag=lag * 1000,
        achieved=len(sends)
        / max(1e-9, max((a for _s, a, _q in sends.values()), default=start) - start),
        server_cpu=cpu,
        client_cpu=own,
        stores_cpu=stores,
        machine_cpu=machine * 100,
        errors=errors,
    )


async def _layer(
    layer: str, port: int, fixture: Fixture, pgid: int, after: int
) -> tuple[list[Result], int]:
    sender = Sender(port, fixture.token, fixture.case_id)
    members = [Member(i) for i in range(len(fixture.cookies))]
    sockets = await asyncio.gather(
        *(_connect(port, fixture.case_id, c, after) for c in fixture.cookies)
    )
    listeners = [asyncio.create_task(m.listen(ws)) for m, ws in zip(members, sockets, strict=True)]
    try:
        await _run_rate(layer, 10, WARMUP / 10, f"{layer}-warmup", sender, members, pgid)
        results = []
        for rate in RATES:
            results.append(
                await _run_rate(layer, rate, SECONDS, f"{layer}-{rate}", sender, members, pgid)
            )
        last_seq = max((r[1] for m in members for r in m.received), default=after)
    finally:
        for ws in sockets:
            await ws.close()
        for task in listeners:
            task.cancel()
        await asyncio.gather(*listeners, return_exceptions=True)
        sender.pool.shutdown(wait=True)
    return results, last_seq


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] if ordered else 0.0


def _report(results: list[Result]) -> bool:
    def ms(values: list[float]) -> str:
        if not values:
            return "-"
        return f"{statistics.median(values):.1f} / {_pct(values, 0.95):.1f}"

    print(
        f"{'layer':<24} {'msg/s':>5} {'sent':>5} {'deliveries':>11} {'lost':>5} {'dup':>4} "
        f"{'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} {'max ms':>7}"
    )
    for r in results:
        lat = r.latencies
        print(
            f"{r.layer:<24} {r.rate:>5} {r.sent:>5} {r.delivered:>5}/{r.expected:<5} "
            f"{r.lost:>5} {r.duplicates:>4} {statistics.median(lat) if lat else 0:>7.1f} "
            f"{_pct(lat, 0.95):>7.1f} {_pct(lat, 0.99):>7.1f} {max(lat, default=0):>7.1f}"
        )
    print(
        f"{'layer':<24} {'msg/s':>5} {'taken/s':>7} {'POST p50/p95':>15} "
        f"{'row→recv p50/p95':>17} {'spread p50/p95':>15} {'server':>7} {'client':>7} "
        f"{'pg+redis':>8} {'other':>6}"
    )
    for r in results:
        print(
            f"{r.layer:<24} {r.rate:>5} {r.achieved:>7.1f} {ms(r.post):>15} "
            f"{ms(r.after_row):>17} {ms(r.spread):>15} {r.server_cpu:>6.0f}% "
            f"{r.client_cpu:>6.0f}% {r.stores_cpu:>7.0f}% {r.foreign_cpu:>5.0f}%"
        )
    print(
        "  POST: the sender's HTTP round trip; row→recv: receipt minus the message row's "
        "created_at;\n  spread: last member's receipt minus the first's; server/client: % of "
        "one core;\n  pg+redis: PostgreSQL and Redis processes; other: the rest of the machine "
        "(work that is not this benchmark's)"
    )
    for r in results:
        label = f"  {r.layer}, {r.rate} msg/s:"
        if r.lag > 50:
            print(label, f"the sender started sends up to {r.lag:.0f} ms late")
        if r.out_of_order:
            print(label, f"{r.out_of_order} deliveries came after a higher seq (client re-orders)")
        for error in r.errors[:5]:
            print(label, "error:", error)
    ok = all(r.lost == 0 and r.duplicates == 0 and not r.errors for r in results)
    print("every member got every message exactly once:", "yes" if ok else "NO")
    for r in results:
        if r.rate == 10:
            p95 = _pct(r.latencies, 0.95)
            verdict = "met" if p95 <= TARGET_P95_MS else f"MISSED by {p95 - TARGET_P95_MS:.1f} ms"
            print(f"target p95 ≤ {TARGET_P95_MS:.0f} ms at 10 msg/s, {r.layer}: {verdict}")
    return ok


def main() -> int:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit("benchmarks.spaces needs DATABASE_URL=postgres://… (a database it may empty)")
    redis_url = os.environ.get("REDIS_URL", "")
    _ensure_database(url)
    data_dir = tempfile.mkdtemp(prefix="microcourt-bench-spaces-")
    fixture = _setup(data_dir)
    layers = [("in-memory, 1 worker", "", 1)]
    if redis_url:
        layers.append((f"Redis pubsub, {REDIS_WORKERS} workers", redis_url, REDIS_WORKERS))
    else:
        print("REDIS_URL is not set: the Redis layer is skipped")
    load_before = os.getloadavg()
    results: list[Result] = []
    after = 0
    for layer, redis, workers in layers:
        port = _free_port()
        log_path = Path(data_dir) / f"server-{workers}-{'redis' if redis else 'memory'}.log"
        proc = _serve(_env(data_dir, redis), port, workers, log_path)
        try:
            got, after = asyncio.run(_layer(layer, port, fixture, proc.pid, after))
            results += got
        finally:
            _stop(proc)
    load_after = os.getloadavg()
    print(
        f"machine: {os.cpu_count()} CPUs, {platform.python_implementation()} "
        f"{platform.python_version()}; load average {load_before[0]:.1f} before, "
        f"{load_after[0]:.1f} after"
    )
    print(
        f"case {fixture.case_id}: 51 participants, {len(fixture.cookies)} members on websockets; "
        f"{SECONDS:.0f} s per rate; sender: POST /api/v1/…/space/messages, ≤ {IN_FLIGHT} "
        "in flight"
    )
    ok = _report(results)
    print(f"server logs: {data_dir}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())

"""Request path: microcourt's API reads against a bare Django + django-ninja app, same run.

    .venv/bin/python -m benchmarks.request_path                 # SQLite (a fresh temp file)
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/microcourt_bench_request \
        .venv/bin/python -m benchmarks.request_path             # PostgreSQL

Starts two servers side by side on loopback ports, served the same way (uvicorn with the
keyword arguments of ``microcourt serve``, ``BENCH_WORKERS`` worker processes, default 2) on
the same database engine with the same connection options:

- **bare**: ``benchmarks/_bare``, a bare Django + django-ninja app (no middleware) whose one
  endpoint authenticates a bearer token with one indexed lookup and returns one row as JSON;
- **microcourt** (``microcourt serve --no-worker``, ``settings.dev`` with
  ``MICROCOURT_DEBUG=false``), with a real bearer token of a plaintiff on a case of a court
  holding ``BENCH_CASES`` cases (default 200; the plaintiff is in 20 of them), asked for
  ``GET /api/v1/cases/{id}/space/messages?after=…`` (the last 10 of 60 chat messages: a client
  catching up), ``GET /api/v1/cases/{id}`` (the case with parties, panel, deadlines) and
  ``GET /api/v1/cases`` (my cases, first page of 20).

The targets take turns, ``BENCH_ROUNDS`` rounds (default 5) of ``BENCH_SECONDS`` each (default
4, at most 20), each driven by ``BENCH_CONNECTIONS`` keep-alive connections (default 8) from
an asyncio client in this process, closed loop, with ``Accept-Encoding: gzip`` as browsers and
HTTP libraries send it. Reports requests/s, p50/p95 latency and server CPU per request (user +
system time of the server's process group, from /proc) per target, and each microcourt
target's ratio to the bare app: the median over rounds of the ratio within a round, so that
other load on the machine, which changes from minute to minute, weighs on both sides of each
ratio alike. Goal: ≥ 0.5× the bare app's requests/s. ``BENCH_PROFILE=N`` then profiles N
in-process requests per microcourt target with cProfile (Django's test client) and prints
where the time goes and the SQL statements of one request.

On PostgreSQL the named database is created if missing and its users (with everything that
refers to them), cases, sessions, tokens and ledger are emptied first: never point it at a
database that matters. Other people's work on the machine slows both servers alike; compare
the ratios, which are measured in the same rounds.
"""

from __future__ import annotations

import asyncio
import base64
import cProfile
import hashlib
import http.client
import io
import os
import platform
import pstats
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from benchmarks.spaces import _cpu_seconds, _free_port

ROOT = Path(__file__).resolve().parent.parent
WORKERS = int(os.environ.get("BENCH_WORKERS", "2"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "8"))
SECONDS = min(float(os.environ.get("BENCH_SECONDS", "4")), 20.0)
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "5"))
CASES = int(os.environ.get("BENCH_CASES", "200"))
MY_CASES = 20
MESSAGES = 60
PROFILE = int(os.environ.get("BENCH_PROFILE", "0"))
GOAL = 0.5


def _env(data_dir: str) -> dict[str, str]:
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
    return env


@dataclass
class Fixture:
    token: str
    case_id: int
    after: int  # the seq before the last 10 messages


def _setup(data_dir: str) -> Fixture:
    """Migrate, empty, and make the court's cases, the plaintiff's token and the chat."""
    os.environ.update(_env(data_dir))
    os.environ.pop("REDIS_URL", None)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from microcourt.cases import actions as cases
    from microcourt.cases.models import CaseType
    from microcourt.core.actor import actor_for
    from microcourt.courts.tests.factories import CourtFactory, StaffFactory
    from microcourt.identity import actions as identity_actions
    from microcourt.identity.tests.factories import PASSWORD, UserFactory
    from microcourt.payments import actions as payments
    from microcourt.spaces import actions as spaces

    call_command("migrate", verbosity=0)
    if connection.vendor == "postgresql":
        from benchmarks.ledger import TABLES

        with connection.cursor() as cursor:
            cursor.execute(
                "TRUNCATE identity_user, cases_case, identity_apitoken, django_session, "
                f"notifications_notification, {TABLES} RESTART IDENTITY CASCADE"
            )
    court = CourtFactory.haishu()
    judge_user = StaffFactory(
        court=court, role="judge", user__username="bench_judge", user__display_name="陈法官"
    ).user
    # The filing division registers the parties and puts the judge on each panel (分案).
    officer = actor_for(
        StaffFactory(court=court, role="filing_officer", user__username="bench_officer").user
    )
    plaintiff = UserFactory(username="bench_plaintiff", display_name="张三")
    civil = CaseType.objects.get_or_create(code="民初", defaults={"name": "民事一审"})[0]
    others = [UserFactory(username=f"bench_party_{i}", display_name=f"当事人{i}") for i in range(8)]
    target = None
    for i in range(CASES):
        mine = i % (CASES // MY_CASES) == 0 and i // (CASES // MY_CASES) < MY_CASES
        filer = plaintiff if mine else others[i % len(others)]
        case = cases.case_open(
            court=court,
            case_type=civil,
            title=f"民间借贷纠纷 {i}",
            cause="民间借贷纠纷",
            actor=actor_for(filer),
        )
        add = cases.participant_add
        add(case=case, actor=officer, role="plaintiff", user=filer, display_name="张三")
        add(
            case=case,
            actor=officer,
            role="defendant",
            user=others[(i + 1) % len(others)],
            display_name="王五",
        )
        add(case=case, actor=officer, role="judge", user=judge_user, display_name="陈法官")
        if mine:
            target = case
    assert target is not None
    # The acceptance fee the case page and GET /cases/{id} show as a deadline.
    payments.order_create(
        payer=plaintiff,
        kind="acceptance",
        amount=Decimal("1050.00"),
        description="案件受理费",
        actor=officer,
        case_id=target.pk,
        court=court,
    )
    sender = actor_for(plaintiff)
    for i in range(MESSAGES):
        spaces.message_post(case=target, actor=sender, text=f"第{i}条消息：请查收补充证据。")
    token = identity_actions.api_token_issue(username="bench_plaintiff", password=PASSWORD)
    connection.close()
    return Fixture(token=token, case_id=target.pk, after=MESSAGES - 10)


def _bare_setup(env: dict[str, str]) -> tuple[str, int]:
    out = subprocess.run(
        [sys.executable, "-m", "benchmarks._bare.setup"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    ).stdout.split()
    return out[0], int(out[1])


def _start(command: list[str], env: dict[str, str], port: int, probe: str, log: Path):
    handle = open(log, "w")  # noqa: SIM115 - closed with the process
    proc = subprocess.Popen(
        command, env=env, cwd=ROOT, stdout=handle, stderr=subprocess.STDOUT, start_new_session=True
    )
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", probe)
            if connection.getresponse().status in (200, 401, 404):
                return proc
        except OSError:
            time.sleep(0.3)
    _stop(proc)
    sys.exit(f"the server did not start:\n{log.read_text()[-3000:]}")


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, 15)
    proc.wait(timeout=30)


# --- The load: closed-loop keep-alive connections ---------------------------------------------


@dataclass
class Run:
    latencies: list[float] = field(default_factory=list)
    errors: dict[int, int] = field(default_factory=dict)
    seconds: float = 0.0
    cpu: float = 0.0
    body_bytes: int = 0


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, int]:
    """(status, body length) of one HTTP/1.1 response (Content-Length or chunked)."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            name, value = line.split(":", 1)
            headers[name.strip().lower()] = value.strip()
    if "content-length" in headers:
        length = int(headers["content-length"])
        await reader.readexactly(length)
        return status, length
    total = 0
    while True:  # chunked
        size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
        await reader.readexactly(size + 2)
        total += size
        if size == 0:
            return status, total


async def _connection(port: int, request: bytes, until: float, run: Run) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        while time.perf_counter() < until:
            started = time.perf_counter()
            writer.write(request)
            status, length = await _read_response(reader)
            run.latencies.append(time.perf_counter() - started)
            run.body_bytes += length
            if status != 200:
                run.errors[status] = run.errors.get(status, 0) + 1
    finally:
        writer.close()


def _drive(port: int, path: str, key: str, pgid: int, seconds: float) -> Run:
    request = (
        f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {key}\r\n"
        "Accept: application/json\r\nAccept-Encoding: gzip\r\n\r\n"
    ).encode()
    run = Run()

    async def all_connections() -> None:
        until = time.perf_counter() + seconds
        await asyncio.gather(*(_connection(port, request, until, run) for _ in range(CONNECTIONS)))

    cpu = _cpu_seconds(pgid=pgid)
    started = time.perf_counter()
    asyncio.run(all_connections())
    run.seconds = time.perf_counter() - started
    run.cpu = _cpu_seconds(pgid=pgid) - cpu
    return run


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


@dataclass
class Target:
    name: str
    port: int
    path: str
    key: str
    pgid: int
    runs: list[Run] = field(default_factory=list)

    @property
    def rate(self) -> float:
        return sum(len(r.latencies) for r in self.runs) / sum(r.seconds for r in self.runs)

    @property
    def cpu_ms(self) -> float:
        return (
            1000 * sum(r.cpu for r in self.runs) / max(1, sum(len(r.latencies) for r in self.runs))
        )

    def ratio(self, bare: Target) -> float:
        """The median over rounds of requests/s against the bare app's in the same round:
        the machine's other load changes from round to round, not within one."""
        return statistics.median(
            (len(mine.latencies) / mine.seconds) / (len(theirs.latencies) / theirs.seconds)
            for mine, theirs in zip(self.runs, bare.runs, strict=True)
        )

    def cpu_ratio(self, bare: Target) -> float:
        return statistics.median(
            (mine.cpu / max(1, len(mine.latencies)))
            / (theirs.cpu / max(1, len(theirs.latencies)) or 1e-9)
            for mine, theirs in zip(self.runs, bare.runs, strict=True)
        )

    def line(self, bare: Target) -> str:
        latencies = [x for r in self.runs for x in r.latencies]
        errors: dict[int, int] = {}
        for r in self.runs:
            for status, n in r.errors.items():
                errors[status] = errors.get(status, 0) + n
        size = sum(r.body_bytes for r in self.runs) / max(1, len(latencies))
        ratio = "" if self is bare else f"{self.ratio(bare):>6.2f}× {self.cpu_ratio(bare):>6.1f}×"
        return (
            f"{self.name:<38} {len(latencies):>7} {self.rate:>8.0f} "
            f"{statistics.median(latencies) * 1000:>7.1f} {_pct(latencies, 0.95) * 1000:>7.1f} "
            f"{self.cpu_ms:>7.2f} {size:>7.0f}  {ratio}" + (f"  errors {errors}" if errors else "")
        )


# --- Profile ----------------------------------------------------------------------------------


def _profile(targets: list[Target]) -> None:
    """Where a request's time goes, in this process through Django's test client."""
    from django.db import connection
    from django.test import Client

    for target in targets:
        client = Client(
            HTTP_AUTHORIZATION=f"Bearer {target.key}",
            HTTP_ACCEPT_ENCODING="gzip",
            HTTP_HOST="127.0.0.1",
        )
        for _ in range(20):
            assert client.get(target.path).status_code == 200
        statements: list[str] = []

        def record(execute, sql, params, many, context, statements=statements):
            statements.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(record):
            client.get(target.path)
        profiler = cProfile.Profile()
        started = time.perf_counter()
        profiler.enable()
        for _ in range(PROFILE):
            client.get(target.path)
        profiler.disable()
        per = (time.perf_counter() - started) / PROFILE * 1000
        print(
            f"\n== {target.name}: {per:.2f} ms per request in-process (profiled), "
            f"{len(statements)} SQL statements"
        )
        for sql in statements:
            print("   ", sql[:220])
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out).strip_dirs().sort_stats("cumulative")
        stats.print_stats(45)
        print(out.getvalue()[-9000:])


def main() -> int:
    url = os.environ.get("DATABASE_URL", "")
    data_dir = tempfile.mkdtemp(prefix="microcourt-bench-request-")
    if url:
        from benchmarks.ledger import _ensure_database

        _ensure_database(url)
    fixture = _setup(data_dir)
    env = _env(data_dir)
    bare_env = {
        **env,
        "DJANGO_SETTINGS_MODULE": "benchmarks._bare.settings",
        "BARE_DATABASE_URL": url or f"sqlite:///{data_dir}/bare.sqlite3",
    }
    bare_key, item_id = _bare_setup(bare_env)
    logs = Path(data_dir)
    bare_port, mc_port = _free_port(), _free_port()
    bare = _start(
        [sys.executable, "-m", "benchmarks._bare.serve", "--port", str(bare_port),
         "--workers", str(WORKERS)],
        bare_env, bare_port, "/api/items/1", logs / "bare.log",
    )  # fmt: skip
    court = _start(
        [sys.executable, "-m", "microcourt.cli", "serve", "--no-worker", "--port", str(mc_port),
         "--workers", str(WORKERS)],
        env, mc_port, "/api/v1/cases", logs / "microcourt.log",
    )  # fmt: skip
    case = fixture.case_id
    targets = [
        Target("bare: GET /api/items/{id}", bare_port, f"/api/items/{item_id}", bare_key, bare.pid),
        Target(
            "GET /api/v1/cases/{id}/space/messages",
            mc_port,
            f"/api/v1/cases/{case}/space/messages?after={fixture.after}",
            fixture.token,
            court.pid,
        ),
        Target(
            "GET /api/v1/cases/{id}", mc_port, f"/api/v1/cases/{case}", fixture.token, court.pid
        ),
        Target("GET /api/v1/cases", mc_port, "/api/v1/cases", fixture.token, court.pid),
    ]
    load_before = os.getloadavg()
    try:
        for target in targets:  # warm every worker's caches and connections
            _drive(target.port, target.path, target.key, target.pgid, 1.5)
        for _ in range(ROUNDS):
            for target in targets:
                target.runs.append(
                    _drive(target.port, target.path, target.key, target.pgid, SECONDS)
                )
    finally:
        load_after = os.getloadavg()
        _stop(bare)
        _stop(court)
    print(
        f"machine: {os.cpu_count()} CPUs, {platform.python_implementation()} "
        f"{platform.python_version()}; load average {load_before[0]:.1f} before, "
        f"{load_after[0]:.1f} after; database: " + ("PostgreSQL" if url else "SQLite")
    )
    print(
        f"servers: uvicorn, {WORKERS} worker processes each; client: {CONNECTIONS} keep-alive "
        f"connections, {ROUNDS} rounds × {SECONDS:.0f} s per target"
    )
    print(
        f"{'target':<38} {'requests':>7} {'req/s':>8} {'p50 ms':>7} {'p95 ms':>7} "
        f"{'CPU ms':>7} {'bytes':>7}  ratio: req/s, CPU/request"
    )
    base = targets[0]
    for target in targets:
        print(target.line(base))
    worst = min(t.ratio(base) for t in targets[1:])
    print(f"goal ≥ {GOAL}× the bare app's requests/s: " + ("met" if worst >= GOAL else "MISSED"))
    failed = any(r.errors for t in targets for r in t.runs)
    if PROFILE:
        _profile(targets[1:])
    if failed:
        print(f"kept for inspection: {data_dir}")
    else:
        shutil.rmtree(data_dir, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())

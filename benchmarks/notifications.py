"""Notifications: 100,000 SMS through the outbox on PostgreSQL, 2 workers, local backends.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/microcourt_bench_notify \
        .venv/bin/python -m benchmarks.notifications

Makes ``BENCH_PEOPLE`` users (default 20,000) with mobile numbers, then queues
``BENCH_MESSAGES`` notices (default 100,000: five each, SMS, a registered event rendered from
its params) with ``notify_many`` in transactions of 1,000 — each queues one batch task —
and starts ``BENCH_WORKERS`` (default 2) ``microcourt worker`` processes (``settings.dev``,
``MICROCOURT_DEBUG=false``, the local SMS gateway, whose console output goes to a file).
The workers run the batch path: ``deliver_batch`` claims up to 500 due rows in one
``UPDATE … FOR UPDATE SKIP LOCKED … RETURNING``, records them at the local gateway with one
upsert, marks them sent with one ``UPDATE … FROM unnest(…)`` and queues its successor while
the backlog lasts. Throughput is messages over the wall time from starting the workers to
the last row sent (worker start-up included), and over the span of ``sent_at`` (steady
state). Duplicates: gateway rows whose message was sent to it more than once
(``send_count > 1``), outbox rows without a gateway row or the reverse, console lines.

A second round queues another 100,000 and SIGKILLs one worker when ``BENCH_KILL_AT``
(default 40 %) of them are sent, restarting it at once; claims are stale after 10 s in
that round (``MICROCOURT_NOTIFICATIONS_STALE_CLAIM_SECONDS``), so the dead worker's batch
is looked up at the gateway and finished by the survivors. Target: ≥ 500 messages/s on 2
cores and zero duplicates. That database's users (and by CASCADE everything that refers to
them), notifications and tasks are emptied first: never point it at a database that matters.
"""

from __future__ import annotations

import base64
import hashlib
import os
import platform
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.ledger import _ensure_database

PEOPLE = int(os.environ.get("BENCH_PEOPLE", "20000"))
MESSAGES = int(os.environ.get("BENCH_MESSAGES", "100000"))
WORKERS = int(os.environ.get("BENCH_WORKERS", "2"))
KILL_AT = float(os.environ.get("BENCH_KILL_AT", "0.4"))
CHUNK = 1000
TARGET = 500.0
ROOT = Path(__file__).resolve().parent.parent


def _env(data_dir: str, **extra: str) -> dict[str, str]:
    seed = base64.b64encode(hashlib.sha256(b"microcourt benchmark ledger key").digest()).decode()
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="microcourt.settings.dev",
        MICROCOURT_DATA_DIR=data_dir,
        MICROCOURT_DEBUG="false",
        MICROCOURT_DEMO="false",
        MICROCOURT_LOG_LEVEL="WARNING",
        MICROCOURT_LEDGER_KEY=env.get("MICROCOURT_LEDGER_KEY", seed),
        MICROCOURT_LEDGER_ORIGIN="bench.microcourt.test/ledger",
        MICROCOURT_SMS_BACKEND="microcourt.notifications.backends.LocalSmsBackend",
        **extra,
    )
    return env


def _setup(data_dir: str) -> list:
    os.environ.update(_env(data_dir))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from microcourt.identity import phones
    from microcourt.identity.models import User

    call_command("migrate", verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE identity_user, notifications_notification, "
            "notifications_localgatewaymessage, notifications_wechatsentevent, "
            "django_tasks_database_dbtaskresult, core_periodicjob, core_workerheartbeat "
            "RESTART IDENTITY CASCADE"
        )
    started = time.perf_counter()
    users = []
    for n in range(PEOPLE):
        user = User(username=f"bench_notify_{n}", display_name=f"当事人{n}")
        e164 = phones.normalise(f"139{n:08d}")
        user.phone, user.phone_index, user.phone_verified = e164, phones.phone_index(e164), True
        user.set_unusable_password()
        users.append(user)
    User.objects.bulk_create(users, batch_size=2000)
    print(f"set-up: {PEOPLE:,} users with phones in {time.perf_counter() - started:.1f} s")
    return list(User.objects.filter(username__startswith="bench_notify_").order_by("pk"))


def _enqueue(users: list, round_name: str) -> float:
    from django.db import transaction

    from microcourt.notifications import actions
    from microcourt.notifications.models import Channel

    started = time.perf_counter()
    made = 0
    for start in range(0, MESSAGES, CHUNK):
        items = []
        for i in range(start, min(start + CHUNK, MESSAGES)):
            user = users[i % len(users)]
            items.append(
                {
                    "recipient": user,
                    "event": "deadline.reminder",
                    "params": {"what": f"第{i}号案件举证", "deadline": "2026-12-07 17:00"},
                    "idempotency_key": f"bench:{round_name}:{i}",
                    "channels": [Channel.SMS],
                }
            )
        with transaction.atomic():
            made += actions.notify_many(items)
    elapsed = time.perf_counter() - started
    assert made == MESSAGES, made
    print(
        f"[{round_name}] queued {made:,} with notify_many in {elapsed:.1f} s "
        f"({made / elapsed:,.0f}/s)"
    )
    return elapsed


def _worker(data_dir: str, log: Path, **extra: str) -> subprocess.Popen:
    out = open(log, "ab")  # noqa: SIM115 - closed with the process
    return subprocess.Popen(
        [sys.executable, "-m", "microcourt.cli", "worker", "--interval", "0.1"],
        env=_env(data_dir, **extra),
        cwd=ROOT,
        stdout=out,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def _cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _system_cpu() -> tuple[float, float]:
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + values[4]
    return sum(values) - idle, sum(values)


def _counts(round_name: str) -> dict[str, int]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT status, count(*) FROM notifications_notification "
            "WHERE idempotency_key LIKE %s GROUP BY status",
            [f"bench:{round_name}:%"],
        )
        return dict(cursor.fetchall())


def _unrecorded(pid: int, round_name: str) -> tuple[int, int]:
    """Rows the worker holds claimed, and how many of those are at the gateway already."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*), count(g.id) FROM notifications_notification n "
            "LEFT JOIN notifications_localgatewaymessage g ON g.out_id = n.out_id "
            "WHERE n.status = 'sending' AND n.claim LIKE %s AND n.idempotency_key LIKE %s",
            [f"{pid}:%", f"bench:{round_name}:%"],
        )
        return cursor.fetchone()


def _kill_mid_send(proc: subprocess.Popen, round_name: str, patience: float = 30.0) -> int:
    """SIGKILL the worker at the most dangerous moment: its SMS recorded at the gateway,
    its rows not yet marked sent. The worker is frozen (SIGSTOP) and looked at; a statement
    it had already sent finishes meanwhile. In the gap: killed; otherwise thawed and tried
    again a moment later. Returns how many times it was frozen."""
    stop, tries = time.perf_counter() + patience, 0
    while time.perf_counter() < stop:
        tries += 1
        os.kill(proc.pid, signal.SIGSTOP)
        time.sleep(0.05)
        _, at_gateway = _unrecorded(proc.pid, round_name)
        if at_gateway:
            break
        os.kill(proc.pid, signal.SIGCONT)
        time.sleep(0.003 * (tries % 7))
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    return tries


def _run(data_dir: str, round_name: str, *, kill: bool) -> dict:
    from django.db import connection

    logs = [Path(data_dir) / f"{round_name}-worker{i}.log" for i in range(WORKERS)]
    extra = {"MICROCOURT_NOTIFICATIONS_STALE_CLAIM_SECONDS": "10"} if kill else {}
    busy_before, total_before = _system_cpu()
    load_before = os.getloadavg()
    started = time.perf_counter()
    procs = [_worker(data_dir, log, **extra) for log in logs]
    cpu = dict.fromkeys(range(WORKERS), 0.0)
    killed = None
    snapshot = {}
    deadline = started + 1800
    while True:
        counts = _counts(round_name)
        done = counts.get("sent", 0) + counts.get("failed", 0)
        if done >= MESSAGES:
            break
        if kill and killed is None and counts.get("sent", 0) >= KILL_AT * MESSAGES:
            victim = procs[0]
            cpu[0] += _cpu_seconds(victim.pid)
            tries = _kill_mid_send(victim, round_name)
            killed = time.perf_counter() - started
            time.sleep(0.5)  # anything it had sent to PostgreSQL has finished
            claimed, at_gateway = _unrecorded(victim.pid, round_name)
            snapshot = {"claimed by the dead worker": claimed, "at the gateway": at_gateway}
            procs[0] = _worker(data_dir, logs[0], **extra)
            print(
                f"[{round_name}] killed worker 0 at {killed:.1f} s ({counts.get('sent', 0):,} "
                f"sent, frozen {tries}× to find the moment) holding {claimed} claimed rows, "
                f"{at_gateway} of them already at the gateway but not marked sent; restarted it"
            )
        if time.perf_counter() > deadline:
            raise SystemExit(f"[{round_name}] not done after 30 minutes: {counts}")
        time.sleep(0.2)
    elapsed = time.perf_counter() - started
    for i, proc in enumerate(procs):
        cpu[i] += _cpu_seconds(proc.pid)
        os.killpg(proc.pid, signal.SIGTERM)
    for proc in procs:
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
    busy_after, total_after = _system_cpu()
    load_after = os.getloadavg()

    with connection.cursor() as cursor:
        key = f"bench:{round_name}:%"
        cursor.execute(
            "SELECT count(*), min(sent_at), max(sent_at), count(DISTINCT out_id) "
            "FROM notifications_notification WHERE idempotency_key LIKE %s AND status = 'sent'",
            [key],
        )
        sent, first, last, distinct = cursor.fetchone()
        cursor.execute(
            "SELECT count(*), count(*) FILTER (WHERE g.send_count > 1), "
            "coalesce(sum(g.send_count - 1), 0), "
            "count(*) FILTER (WHERE n.sent_at = g.created_at) "
            "FROM notifications_notification n JOIN notifications_localgatewaymessage g "
            "ON g.out_id = n.out_id WHERE n.idempotency_key LIKE %s",
            [key],
        )
        matched, repeated, extra_sends, recovered = cursor.fetchone()
        cursor.execute(
            "SELECT count(*) FROM notifications_localgatewaymessage g WHERE NOT EXISTS "
            "(SELECT 1 FROM notifications_notification n WHERE n.out_id = g.out_id)"
        )
        (orphans,) = cursor.fetchone()
    lines = sum(log.read_text(errors="replace").count("LOCAL SMS, not sent") for log in logs)
    span = (last - first).total_seconds() if first and last else float("nan")
    cores = (busy_after - busy_before) / max(1, total_after - total_before) * (os.cpu_count() or 1)
    result = {
        "round": round_name,
        "sent": sent,
        "elapsed": elapsed,
        "rate": sent / elapsed,
        "steady": sent / span if span else float("nan"),
        "distinct": distinct,
        "gateway rows": matched,
        "repeated": repeated,
        "extra sends": extra_sends,
        "orphans": orphans,
        "recovered": recovered,
        "console lines": lines,
        "worker cpu": sum(cpu.values()),
        "machine cores busy": cores,
        "load": (load_before[0], load_after[0]),
        "killed at": killed,
        **snapshot,
    }
    print(
        f"[{round_name}] {sent:,} sent in {elapsed:.1f} s = {result['rate']:,.0f}/s "
        f"(sent_at span {span:.1f} s = {result['steady']:,.0f}/s); target ≥ {TARGET:.0f}/s: "
        + ("met" if result["rate"] >= TARGET else "MISSED")
    )
    print(
        f"[{round_name}] gateway: {matched:,} rows for {distinct:,} messages, {repeated} sent "
        f"more than once ({extra_sends} extra sends), {orphans} without an outbox row; "
        f"{lines:,} console lines; {recovered} found by lookup after a dead worker"
    )
    print(
        f"[{round_name}] CPU: workers {result['worker cpu']:.1f} s; whole machine "
        f"{cores:.2f} of {os.cpu_count()} cores busy on average; load average "
        f"{load_before[0]:.1f} before, {load_after[0]:.1f} after"
    )
    return result


def main() -> int:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit(
            "benchmarks.notifications needs DATABASE_URL=postgres://… (a database it may empty)"
        )
    _ensure_database(url)
    data_dir = tempfile.mkdtemp(prefix="microcourt-bench-notify-")
    users = _setup(data_dir)
    print(
        f"machine: {os.cpu_count()} CPUs, {platform.python_implementation()} "
        f"{platform.python_version()}; {WORKERS} workers; {MESSAGES:,} SMS per round"
    )
    results = []
    for round_name, kill in (("clean", False), ("killed", True)):
        _enqueue(users, round_name)
        results.append(_run(data_dir, round_name, kill=kill))
    failed = any(
        r["sent"] != MESSAGES or r["repeated"] or r["orphans"] or r["gateway rows"] != MESSAGES
        for r in results
    )
    print("zero duplicates: " + ("NO — see above" if failed else "yes, in both rounds"))
    print(f"worker logs: {data_dir}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Urgent queue: the delay of a log-in code while a slow job occupies the general worker.

    .venv/bin/python -m benchmarks.urgent

A fresh SQLite database in a temporary data directory (the set-up the outside test used),
migrated; the local SMS gateway. Two rounds, each with its workers started by the
``Supervisor`` that ``microcourt serve`` uses:

- **one worker** (before issue 14): a single ``microcourt worker`` for every queue;
- **serve's two workers**: the general worker plus the dedicated ``--queue-name urgent`` one.

In each round ``BENCH_SLOW_JOBS`` (default 2) CPU-bound jobs of ``BENCH_SLOW_SECONDS``
(default 30) are queued; once the first is running, ``BENCH_CODES`` (default 10) log-in
codes (``identity.sms_code``, as the log-in page sends them) are queued one second apart.
The delay of a code is its SMS row's ``sent_at`` − ``created_at``: from the request's commit
to the gateway's acceptance. Goal: ≤ 2 s with the slow jobs running.
"""

from __future__ import annotations

import base64
import hashlib
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

SLOW_JOBS = int(os.environ.get("BENCH_SLOW_JOBS", "2"))
SLOW_SECONDS = float(os.environ.get("BENCH_SLOW_SECONDS", "30"))
CODES = int(os.environ.get("BENCH_CODES", "10"))
GOAL = 2.0
ROOT = Path(__file__).resolve().parent.parent


def _env(data_dir: str) -> dict[str, str]:
    seed = base64.b64encode(hashlib.sha256(b"microcourt benchmark ledger key").digest()).decode()
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env.update(
        DJANGO_SETTINGS_MODULE="microcourt.settings.dev",
        MICROCOURT_DATA_DIR=data_dir,
        MICROCOURT_DEBUG="false",
        MICROCOURT_DEMO="false",
        MICROCOURT_LOG_LEVEL="WARNING",
        MICROCOURT_LEDGER_KEY=env.get("MICROCOURT_LEDGER_KEY", seed),
        MICROCOURT_LEDGER_ORIGIN="bench.microcourt.test/ledger",
        MICROCOURT_SMS_BACKEND="microcourt.notifications.backends.LocalSmsBackend",
        PYTHONPATH=str(ROOT),
    )
    return env


def _round(name: str, programs: dict[str, list[str]], first_code: int) -> list[float]:
    from django.db import transaction
    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    from benchmarks._urgent_tasks import slow_render
    from microcourt.core.models import WorkerHeartbeat
    from microcourt.core.supervisor import Supervisor
    from microcourt.notifications import actions
    from microcourt.notifications.models import Notification

    DBTaskResult.objects.all().delete()
    for _ in range(SLOW_JOBS):
        slow_render.enqueue(SLOW_SECONDS)
    began = timezone.now()
    workers = Supervisor(programs)
    workers.start()
    try:
        # Every worker up (its first heartbeat) and the slow job running.
        deadline = time.monotonic() + 90
        while WorkerHeartbeat.objects.filter(started_at__gte=began).count() < len(
            programs
        ) or not DBTaskResult.objects.filter(status="RUNNING", task_path__endswith="slow_render"):
            if time.monotonic() > deadline:
                raise SystemExit("the workers did not start, or took no slow job, within 90 s")
            time.sleep(0.1)
        keys = []
        for n in range(first_code, first_code + CODES):
            key = f"bench-code-{n}"
            with transaction.atomic():
                actions.notify(
                    address=f"+86139{n:08d}",
                    channels=["sms"],
                    event="identity.sms_code",
                    params={"code": f"{n:06d}", "minutes": 5},
                    idempotency_key=key,
                )
            keys.append(f"{key}:sms")
            time.sleep(1.0)
        deadline = time.monotonic() + SLOW_JOBS * SLOW_SECONDS + 60
        rows = Notification.objects.filter(idempotency_key__in=keys)
        while rows.filter(sent_at__isnull=True).exists():
            if time.monotonic() > deadline:
                raise SystemExit(f"[{name}] codes still unsent after the slow jobs")
            time.sleep(0.1)
        delays = sorted((r.sent_at - r.created_at).total_seconds() for r in rows)
        busy = DBTaskResult.objects.filter(
            task_path__endswith="slow_render", status__in=["RUNNING", "READY"]
        ).count()
    finally:
        workers.stop(timeout=SLOW_SECONDS + 10)
    print(
        f"[{name}] {len(delays)} codes: median {statistics.median(delays):.2f} s, "
        f"max {max(delays):.2f} s, min {min(delays):.2f} s "
        f"(slow jobs still queued or running when the last code was sent: {busy})",
        flush=True,
    )
    return delays


def main() -> int:
    data_dir = tempfile.mkdtemp(prefix="bench-urgent-")
    os.environ.update(_env(data_dir))
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    print(
        f"{platform.node()}: {os.cpu_count()} CPUs, Python {platform.python_version()}, "
        f"SQLite in {data_dir}; migrated in {time.perf_counter() - started:.0f} s",
        flush=True,
    )
    worker = [sys.executable, "-m", "microcourt.cli", "worker"]
    before = _round("one worker", {"worker": worker}, 0)
    after = _round(
        "serve's two workers",
        {"worker": worker, "urgent worker": [*worker, "--queue-name", "urgent"]},
        CODES,
    )
    met = max(after) <= GOAL
    print(
        f"log-in code delay with {SLOW_JOBS} × {SLOW_SECONDS:.0f} s jobs running: "
        f"max {max(before):.2f} s → {max(after):.2f} s (goal ≤ {GOAL:.0f} s: "
        f"{'met' if met else 'NOT met'})"
    )
    return 0 if met else 1


if __name__ == "__main__":
    raise SystemExit(main())

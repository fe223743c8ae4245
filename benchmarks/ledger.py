"""Ledger (issue 3): appends/s on PostgreSQL, proofs at 10^3 and 10^6 entries, 10^6 audit.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/microcourt_bench \
        .venv/bin/python -m benchmarks.ledger

The database is created if missing, migrated, and its ledger tables are emptied (TRUNCATE: the
append-only triggers guard rows against UPDATE and DELETE, not a benchmark's reset). Never
point it at a database whose ledger matters.

- **appends**: 20,000 entries through ``ledger.record`` in transactions of 500, each committed
  and integrated by the after-commit integration exactly as in production. Target ≥ 2,000/s.
- **proofs**: inclusion and consistency proofs through the selectors the API uses, at 10^3
  entries (recorded through ``record``) and at 10^6. The 10^6 tree is built in memory with
  ``merkle.append_many`` from canonical public parts and bulk-loaded with COPY (Entry, Leaf,
  Node rows, as the integrator would have written them) instead of 10^6 calls to ``record``.
  Target: median(10^6) / median(10^3) ≤ 3.
- **audit**: ``microcourt ledger audit`` over the 10^6 entries.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import time
from urllib.parse import urlparse

APPEND_TOTAL = 20_000
APPEND_BATCH = 500
SMALL = 1_000
LARGE = 1_000_000
PROOF_SAMPLES = 300
TABLES = ", ".join(
    f"ledger_{name}"
    for name in ("cosignature", "checkpoint", "node", "leaf", "entry", "ledgerstate")
)


def _ensure_database(url: str) -> None:
    import psycopg

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    admin = parsed._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [name]
        ).fetchone()
        if not exists:
            connection.execute(f'CREATE DATABASE "{name}"')


def _setup() -> None:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit("benchmarks.ledger needs DATABASE_URL=postgres://… (a database it may empty)")
    _ensure_database(url)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "microcourt.settings.test")
    seed = base64.b64encode(hashlib.sha256(b"microcourt benchmark ledger key").digest()).decode()
    os.environ.setdefault("MICROCOURT_LEDGER_KEY", seed)
    os.environ.setdefault("MICROCOURT_LEDGER_ORIGIN", "bench.microcourt.test/ledger")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _reset() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {TABLES} RESTART IDENTITY")


def _analyze() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE ledger_entry, ledger_leaf, ledger_node, ledger_checkpoint")


# --- Appends ------------------------------------------------------------------------------------


def bench_appends() -> dict:
    from django.db import transaction

    from microcourt.core.actor import Actor
    from microcourt.ledger import actions
    from microcourt.ledger.events import LedgerEvent
    from microcourt.ledger.models import LedgerState

    _reset()
    actor = Actor.system("benchmark")
    started = time.perf_counter()
    for batch in range(APPEND_TOTAL // APPEND_BATCH):
        with transaction.atomic():  # integration and checkpointing run after each commit
            for n in range(APPEND_BATCH):
                digest = "sha256:" + hashlib.sha256(b"%d-%d" % (batch, n)).hexdigest()
                actions.record(
                    code=LedgerEvent.PRIVATE_PART_VIEWED,
                    actor=actor,
                    subject_digest=digest,
                    case_id=n,
                    data={"batch": batch},
                )
    elapsed = time.perf_counter() - started
    state = LedgerState.objects.get()
    assert state.size == APPEND_TOTAL, f"only {state.size} of {APPEND_TOTAL} integrated"
    return {"entries": APPEND_TOTAL, "seconds": elapsed, "per_second": APPEND_TOTAL / elapsed}


# --- Proofs -------------------------------------------------------------------------------------


def _timed(function, samples: int) -> dict:
    times = []
    for _ in range(samples):
        started = time.perf_counter()
        function()
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return {
        "median_ms": statistics.median(times),
        "p95_ms": times[int(len(times) * 0.95) - 1],
    }


def bench_proofs(size: int) -> dict:
    from microcourt.ledger import selectors

    rng = random.Random(size)
    _analyze()
    for _ in range(20):  # warm the connection and the buffer cache a little
        selectors.inclusion(rng.randrange(size), size)
    inclusion = _timed(lambda: selectors.inclusion(rng.randrange(size), size), PROOF_SAMPLES)
    consistency = _timed(lambda: selectors.consistency(rng.randrange(1, size), size), PROOF_SAMPLES)
    proof = selectors.inclusion(size // 3, size)
    return {
        "size": size,
        "inclusion": inclusion,
        "consistency": consistency,
        "hashes": len(proof["hashes"]),
    }


def load_small() -> None:
    from django.db import transaction

    from microcourt.core.actor import Actor
    from microcourt.ledger import actions
    from microcourt.ledger.events import LedgerEvent

    _reset()
    with transaction.atomic():
        for _ in range(SMALL):
            actions.record(code=LedgerEvent.PRIVATE_PART_VIEWED, actor=Actor.system("benchmark"))


def load_large() -> float:
    """10^6 entries as the integrator would have stored them, built in memory and COPYed."""
    from django.db import connection

    import microcourt_verify as verify
    from microcourt.ledger import actions, merkle
    from microcourt.ledger.models import LedgerState

    _reset()
    started = time.perf_counter()
    base = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    store = merkle.InMemoryNodeStore()
    leaf_hashes = []
    connection.ensure_connection()
    raw = connection.connection
    with raw.cursor() as cursor:
        with cursor.copy(
            "COPY ledger_entry (id, code, created_at, public_json, subject_digest, case_ref, "
            "actor_user_id, actor_role, actor_label, case_id, request_id, details) FROM STDIN"
        ) as copy:
            for index in range(LARGE):
                created = base + dt.timedelta(seconds=index // 20)
                digest = "sha256:" + hashlib.sha256(b"%d" % index).hexdigest()
                public = actions.public_part(
                    code=9001,
                    created_at=created,
                    subject_digest=digest,
                    case_ref=None,
                    role="system",
                )
                text = verify.canonical_json(public).decode()
                leaf_hashes.append(verify.leaf_hash(text.encode()))
                copy.write_row(
                    (
                        index + 1,
                        9001,
                        created,
                        text,
                        digest,
                        None,
                        None,
                        "system",
                        "system:benchmark",
                        None,
                        "",
                        "{}",
                    )
                )
        with cursor.copy('COPY ledger_leaf ("index", entry_id, leaf_hash) FROM STDIN') as copy:
            for index, hashed in enumerate(leaf_hashes):
                copy.write_row((index, index + 1, hashed))
        for start in range(0, LARGE, 100_000):
            store.put_nodes(merkle.append_many(start, leaf_hashes[start : start + 100_000], store))
        with cursor.copy('COPY ledger_node (level, "index", hash) FROM STDIN') as copy:
            for (level, index), hashed in store.nodes.items():
                copy.write_row((level, index, hashed))
        cursor.execute("SELECT setval('ledger_entry_id_seq', %s)", [LARGE])
    LedgerState.objects.update_or_create(
        pk=1,
        defaults={
            "size": LARGE,
            "root_hash": merkle.root_hash(store, LARGE),
            "last_entry_id": LARGE,
            "entry_floor": LARGE,
        },
    )
    actions.checkpoint_for_size(LARGE)
    return time.perf_counter() - started


def bench_audit() -> dict:
    from microcourt.ledger.audit import audit

    started = time.perf_counter()
    result = audit()
    elapsed = time.perf_counter() - started
    assert result.ok, result.divergence
    return {"entries": result.entries, "seconds": elapsed, "result": str(result)}


# --- Report -------------------------------------------------------------------------------------


def machine() -> dict:
    def run(*command: str) -> str:
        return subprocess.run(command, capture_output=True, text=True, check=False).stdout.strip()

    with open("/proc/cpuinfo", encoding="utf-8") as handle:
        models = [line.split(":", 1)[1].strip() for line in handle if line.startswith("model name")]
    cpu = models[0] if models else platform.processor()
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        postgres = cursor.fetchone()[0]
    return {
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "nproc": run("nproc"),
        "free_g": run("free", "-g"),
        "cpu": cpu,
        "python": platform.python_version(),
        "postgres": postgres,
    }


def main(argv: list[str] | None = None) -> int:
    _setup()
    results: dict = {"machine": machine()}
    print("ledger benchmark on", results["machine"]["cpu"], flush=True)

    load_small()
    results["proofs_small"] = bench_proofs(SMALL)
    print("proofs at 10^3:", results["proofs_small"], flush=True)

    results["appends"] = bench_appends()
    print("appends:", results["appends"], flush=True)

    results["load_large_seconds"] = load_large()
    print(f"loaded 10^6 entries in {results['load_large_seconds']:.1f} s", flush=True)
    results["proofs_large"] = bench_proofs(LARGE)
    print("proofs at 10^6:", results["proofs_large"], flush=True)
    results["audit"] = bench_audit()
    print("audit:", results["audit"], flush=True)

    small, large = results["proofs_small"], results["proofs_large"]
    ratio = large["inclusion"]["median_ms"] / small["inclusion"]["median_ms"]
    ratio_consistency = large["consistency"]["median_ms"] / small["consistency"]["median_ms"]
    results["ratio_inclusion"] = ratio
    results["ratio_consistency"] = ratio_consistency
    appends = results["appends"]["per_second"]
    print()
    verdict = "met" if appends >= 2000 else "MISSED"
    print(f"appends/s:            {appends:,.0f}  (target ≥ 2,000: {verdict})")
    print(f"inclusion ratio:      {ratio:.2f}  (target ≤ 3: {'met' if ratio <= 3 else 'MISSED'})")
    print(f"consistency ratio:    {ratio_consistency:.2f}")
    print(f"audit of 10^6:        {results['audit']['seconds']:.1f} s")
    print(json.dumps(results, indent=2, default=str))
    _reset()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

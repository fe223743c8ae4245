"""Filing API: complete filings with a 1 MB PDF from concurrent clients against a real server.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/microcourt_bench_filing \
        .venv/bin/python -m benchmarks.filing

Starts ``microcourt serve --no-worker`` (uvicorn, ``BENCH_WORKERS`` processes, default 2) on a
loopback port against that PostgreSQL database, then ``BENCH_CLIENTS`` threads (default 8),
each a law firm's script with its own bearer token, file ``BENCH_FILINGS`` cases (default
300) through the API alone: create the draft with its court, cause, facts, consent, two
parties and two claims in one request, then upload a distinct 1 MB PDF complaint (multipart)
and submit. Reports
filings/s (target ≥ 50/s on 2 cores), p50/p95 per filing and the per-request breakdown, and
checks that every filing was submitted with its material stored. The filing, ledger,
notification and task tables of that database are emptied first: never point it at a
database that matters. The receipt PDFs that submission enqueues are not rendered (no
worker runs); they are a worker's load, not the request's.
"""

from __future__ import annotations

import base64
import hashlib
import http.client
import json
import os
import platform
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import defaultdict
from pathlib import Path

from benchmarks.ledger import TABLES, _ensure_database

FILINGS = int(os.environ.get("BENCH_FILINGS", "300"))
CLIENTS = int(os.environ.get("BENCH_CLIENTS", "8"))
WORKERS = int(os.environ.get("BENCH_WORKERS", "2"))
PDF_BYTES = 1024 * 1024
TARGET = 50.0
ROOT = Path(__file__).resolve().parent.parent
WANG_ID = "330203198505051237"


def _pdf(size: int, tag: str) -> bytes:
    """A valid one-page PDF of ``size`` bytes whose bulk is an incompressible stream, unique
    per ``tag`` so that content-addressed storage really stores every upload."""
    head = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"
    noise = hashlib.sha256(tag.encode()).digest() + os.urandom(size - 1200)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n" % len(noise) + noise + b"\nendstream",
    ]
    body, offsets = bytearray(head), []
    for number, obj in enumerate(objects, start=1):
        offsets.append(len(body))
        body += b"%d 0 obj\n" % number + obj + b"\nendobj\n"
    xref = len(body)
    body += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    body += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    body += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(body)


def _multipart(fields: dict[str, str], name: str, data: bytes) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
        for k, v in fields.items()
    ]
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
        "Content-Type: application/pdf\r\n\r\n".encode()
        + data
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


class Client:
    """One law firm's script: a keep-alive connection and a bearer token."""

    def __init__(self, port: int, token: str, timings: dict[str, list[float]]):
        self.port, self.token, self.timings = port, token, timings
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def call(self, label, method, path, body=None, content_type="application/json"):
        if isinstance(body, dict):
            body = json.dumps(body).encode()
        headers = {"Authorization": f"Bearer {self.token}"}
        if body is not None:
            headers["Content-Type"] = content_type
        started = time.perf_counter()
        for attempt in (1, 2):
            try:
                self.connection.request(method, "/api/v1" + path, body=body, headers=headers)
                response = self.connection.getresponse()
                payload = response.read()
                break
            except (ConnectionError, http.client.HTTPException):
                # The server closed an idle keep-alive connection: reconnect once.
                self.connection.close()
                self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
                if attempt == 2:
                    raise
        self.timings[label].append(time.perf_counter() - started)
        if response.status >= 300:
            raise RuntimeError(f"{label}: {response.status} {payload[:300]!r}")
        return json.loads(payload) if payload else None

    def file(self, court: str, cause_id: int, pdf: bytes) -> str:
        """Three requests, as a law firm's software files: the whole draft, the complaint,
        the submission."""
        filing = self.call(
            "create draft",
            "POST",
            "/filing/filings",
            {
                "kind": "civil_first",
                "court": court,
                "cause": cause_id,
                "facts": "2025年1月1日，被告向原告借款50000元，约定2025年6月30日还款，至今未还。",
                "consent": {"mediation": True, "hearing": True, "service": True},
                "parties": [
                    {
                        "side": "claimant",
                        "name": "张三",
                        "id_number": "330203198801021235",
                        "phone": "13811112222",
                        "address": "浙江省宁波市海曙区中山西路1号",
                        "service_address_confirmed": True,
                    },
                    {
                        "side": "respondent",
                        "name": "王五",
                        "id_number": WANG_ID,
                        "phone": "13933334444",
                        "address": "浙江省宁波市鄞州区天童南路2号",
                    },
                ],
                "claims": [
                    {"text": "判令被告偿还借款本金50000元", "amount": "50000"},
                    {"text": "本案诉讼费用由被告承担"},
                ],
            },
        )
        path = f"/filing/filings/{filing['number']}"
        body, content_type = _multipart({"kind": "complaint"}, "起诉状.pdf", pdf)
        self.call("upload 1 MB", "POST", f"{path}/materials", body, content_type)
        submitted = self.call("submit", "POST", f"{path}/submit")
        assert submitted["receipt"]["content_digest"].startswith("sha256:")
        return filing["number"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _env(data_dir: str) -> dict[str, str]:
    seed = base64.b64encode(hashlib.sha256(b"microcourt benchmark ledger key").digest()).decode()
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="microcourt.settings.dev",
        MICROCOURT_DATA_DIR=data_dir,
        MICROCOURT_DEBUG="false",
        MICROCOURT_DEMO="false",
        MICROCOURT_LEDGER_KEY=env.get("MICROCOURT_LEDGER_KEY", seed),
        MICROCOURT_LEDGER_ORIGIN="bench.microcourt.test/ledger",
    )
    return env


def _setup(data_dir: str) -> tuple[str, int, list[str]]:
    """Migrate, empty the tables, and make the court, a cause and one user per client."""
    os.environ.update(_env(data_dir))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from microcourt.courts.tests.factories import CourtFactory
    from microcourt.filing.models import CauseOfAction
    from microcourt.identity import actions as identity_actions
    from microcourt.identity.models import User

    call_command("migrate", verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE filing_caseinvitation, filing_filingdecision, filing_filingmaterial, "
            "filing_filingclaim, filing_filingparty, filing_filing, identity_apitoken, "
            "notifications_notification, django_tasks_database_dbtaskresult, "
            f"{TABLES} RESTART IDENTITY CASCADE"
        )
    court = CourtFactory.haishu()
    cause = CauseOfAction.objects.get(name="民间借贷纠纷")
    password = secrets.token_urlsafe(16)
    tokens = []
    for i in range(CLIENTS):
        user, _ = User.objects.get_or_create(username=f"bench_firm_{i}")
        user.set_password(password)
        user.save(update_fields=["password"])
        tokens.append(identity_actions.api_token_issue(username=user.username, password=password))
    connection.close()
    return court.code, cause.pk, tokens


def _serve(data_dir: str, port: int, log_path: Path) -> subprocess.Popen:
    log = open(log_path, "w")  # noqa: SIM115 - closed with the process
    command = [sys.executable, "-m", "microcourt.cli", "serve", "--no-worker"]
    command += ["--port", str(port), "--workers", str(WORKERS)]
    proc = subprocess.Popen(
        command,
        env=_env(data_dir),
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/api/v1/filing/kinds")
            if connection.getresponse().status in (200, 401):
                return proc
        except OSError:
            time.sleep(0.3)
    os.killpg(proc.pid, 15)
    sys.exit("the server did not start:\n" + log_path.read_text()[-3000:])


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> int:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit("benchmarks.filing needs DATABASE_URL=postgres://… (a database it may empty)")
    _ensure_database(url)
    data_dir = tempfile.mkdtemp(prefix="microcourt-bench-filing-")
    court, cause_id, tokens = _setup(data_dir)
    port = _free_port()
    proc = _serve(data_dir, port, Path(data_dir) / "server.log")
    try:
        timings: dict[str, list[float]] = defaultdict(list)
        per_filing: list[float] = []
        numbers: list[str] = []
        errors: list[str] = []
        pdfs = [_pdf(PDF_BYTES, f"bench-{i}") for i in range(FILINGS)]
        lock = threading.Lock()
        todo = iter(range(FILINGS))

        def work(token: str) -> None:
            local: dict[str, list[float]] = defaultdict(list)
            client = Client(port, token, local)
            while True:
                with lock:
                    i = next(todo, None)
                if i is None:
                    break
                started = time.perf_counter()
                try:
                    number = client.file(court, cause_id, pdfs[i])
                except Exception as exc:  # report, do not hide
                    with lock:
                        errors.append(str(exc)[:300])
                    continue
                with lock:
                    per_filing.append(time.perf_counter() - started)
                    numbers.append(number)
            with lock:
                for label, values in local.items():
                    timings[label].extend(values)

        load_before = os.getloadavg()
        started = time.perf_counter()
        threads = [threading.Thread(target=work, args=(t,)) for t in tokens]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - started
        load_after = os.getloadavg()
    finally:
        os.killpg(proc.pid, 15)
        proc.wait(timeout=30)

    from microcourt.filing.models import Filing, FilingMaterial

    submitted = Filing.objects.filter(number__in=numbers, status="submitted").count()
    stored = sum(
        (Path(data_dir) / "media" / m.path).is_file()
        for m in FilingMaterial.objects.filter(filing__number__in=numbers)
    )
    requests = sum(len(v) for v in timings.values())
    rate = len(numbers) / elapsed
    print(
        f"machine: {os.cpu_count()} CPUs, {platform.python_implementation()} "
        f"{platform.python_version()}; load average {load_before[0]:.1f} before, "
        f"{load_after[0]:.1f} after"
    )
    print(
        f"server: uvicorn, {WORKERS} worker processes; clients: {CLIENTS} threads, keep-alive; "
        f"{FILINGS} filings of 3 requests with a {PDF_BYTES // 1024} KB PDF each"
    )
    print(
        f"filings: {len(numbers)} in {elapsed:.1f} s = {rate:.1f} filings/s "
        f"({requests / elapsed:.0f} requests/s); target ≥ {TARGET:.0f}/s: "
        + ("met" if rate >= TARGET else f"MISSED (×{TARGET / rate:.1f} short)")
    )
    if per_filing:
        print(
            f"per filing: p50 {statistics.median(per_filing) * 1000:.0f} ms, "
            f"p95 {_pct(per_filing, 0.95) * 1000:.0f} ms"
        )
    print(f"{'request':<12} {'count':>6} {'p50 ms':>8} {'p95 ms':>8} {'share':>6}")
    total = sum(sum(v) for v in timings.values()) or 1
    for label in ("create draft", "upload 1 MB", "submit"):
        values = timings.get(label, [])
        if values:
            print(
                f"{label:<12} {len(values):>6} {statistics.median(values) * 1000:>8.1f} "
                f"{_pct(values, 0.95) * 1000:>8.1f} {sum(values) / total:>6.0%}"
            )
    print(f"submitted: {submitted} of {FILINGS}; PDFs stored: {stored}; errors: {len(errors)}")
    for error in errors[:5]:
        print("  error:", error)
    ok = submitted == stored == FILINGS and not errors
    if ok:
        shutil.rmtree(data_dir, ignore_errors=True)  # 1 MB per filing
    else:
        print(f"kept for inspection: {data_dir} (server.log, media/)")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())

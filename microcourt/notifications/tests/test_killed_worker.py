"""A real worker process, killed with SIGKILL in the middle of a batch of SMS going out
through the Aliyun backend to a slow gateway: after recovery (the clock past the stale
claim limit) every phone has received exactly one SMS and every row is sent. Runs on the
database the suite runs on (SQLite, or PostgreSQL with DATABASE_URL)."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connections
from django.utils import timezone

from microcourt.notifications import actions
from microcourt.notifications.models import Channel, Notification, Status

from .conftest import ALIYUN_TEMPLATES

pytestmark = pytest.mark.django_db(transaction=True)
ROOT = Path(__file__).resolve().parents[3]
PHONES = [f"+86139{n:08d}" for n in range(1, 13)]


@contextlib.contextmanager
def shared_database(tmp_path):
    """A database another process can open. PostgreSQL's test database is one already;
    SQLite's is in memory, so it is copied to a file which this process then uses too."""
    conn = connections["default"]
    settings = conn.settings_dict
    if conn.vendor == "postgresql":
        auth = quote(settings["USER"] or "postgres")
        if settings.get("PASSWORD"):
            auth += ":" + quote(settings["PASSWORD"])
        host = settings.get("HOST") or "127.0.0.1"
        yield f"postgres://{auth}@{host}:{settings.get('PORT') or 5432}/{settings['NAME']}"
        return
    path = tmp_path / "shared.sqlite3"
    conn.ensure_connection()
    target = sqlite3.connect(path)
    conn.connection.backup(target)
    target.close()
    memory, name = conn.connection, settings["NAME"]
    conn.connection = None  # keep the in-memory database alive, aside
    settings["NAME"] = str(path)
    try:
        yield f"sqlite:///{path}"
    finally:
        conn.close()
        settings["NAME"] = name
        conn.connection = memory


def worker_env(database_url: str, gateway_url: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="microcourt.settings.test",
        DATABASE_URL=database_url,
        MICROCOURT_SMS_BACKEND="microcourt.notifications.backends.aliyun.AliyunSmsBackend",
        MICROCOURT_ALIYUN_SMS_ENDPOINT=gateway_url,
        MICROCOURT_ALIYUN_SMS_ACCESS_KEY_ID="LTAI-test-key",
        MICROCOURT_ALIYUN_SMS_ACCESS_KEY_SECRET="test-secret",
        MICROCOURT_ALIYUN_SMS_SIGN_NAME="微法院",
        MICROCOURT_ALIYUN_SMS_TEMPLATES=json.dumps(ALIYUN_TEMPLATES),
        MICROCOURT_ALIYUN_SMS_TIMEOUT="10",
    )
    return env


def test_a_worker_killed_mid_batch_never_sends_an_sms_twice(aliyun, tmp_path):
    aliyun.delay = 0.4  # each SMS is accepted at once, its answer comes 0.4 s later
    with shared_database(tmp_path) as database_url:
        made = actions.notify_many(
            {
                "address": phone,
                "event": "identity.sms_code",
                "params": {"code": f"{n:06d}", "minutes": 5},
                "idempotency_key": f"code:{n}",
                "channels": [Channel.SMS],
            }
            for n, phone in enumerate(PHONES)
        )
        assert made == len(PHONES)  # and one batch task queued for the worker

        worker = subprocess.Popen(
            [sys.executable, "manage.py", "worker", "--batch"],
            cwd=ROOT,
            env=worker_env(database_url, aliyun.url),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        try:
            deadline = time.monotonic() + 90
            while len(aliyun.sent) < 7:
                assert worker.poll() is None, worker.stderr.read().decode()[-2000:]
                assert time.monotonic() < deadline, "the worker sent nothing"
                time.sleep(0.02)
            worker.send_signal(signal.SIGKILL)  # mid-batch, waiting for an answer
            worker.wait(timeout=10)
        finally:
            if worker.poll() is None:
                worker.kill()
                worker.wait()
        assert worker.returncode == -signal.SIGKILL
        time.sleep(0.5)  # the last accepted request's handler finishes on the gateway

        sent_before = len(aliyun.sent)
        assert 7 <= sent_before < len(PHONES)  # killed mid-batch
        at_gateway = {s["out_id"] for s in aliyun.sent}
        left_claimed = Notification.objects.filter(status=Status.SENDING)
        # The dangerous case happened: messages the gateway has, their rows still claimed.
        assert left_claimed.filter(out_id__in=at_gateway).exists()
        assert left_claimed.exclude(out_id__in=at_gateway).exists()
        claimed_before = left_claimed.count()

        # The same moment: a fresh claim is a live worker's, not taken over.
        assert actions.notifications_deliver_batch().claimed == 0

        aliyun.delay = 0
        later = timezone.now() + actions.stale_claim() + dt.timedelta(seconds=1)
        result = actions.notifications_deliver_batch(now=later)
        assert result.claimed == claimed_before
        assert result.recovered >= 1
        assert result.sent == result.claimed and result.failed == result.retry == 0

        assert aliyun.per_phone() == {p.removeprefix("+86"): 1 for p in PHONES}
        rows = Notification.objects.all()
        assert {r.status for r in rows} == {Status.SENT}
        assert {r.out_id for r in rows} == {s["out_id"] for s in aliyun.sent}
        assert actions.notifications_deliver_batch(now=later).claimed == 0

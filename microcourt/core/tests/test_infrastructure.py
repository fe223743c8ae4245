"""Environment, logs without personal data, request ids, encryption at rest, health."""

import logging
import subprocess
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection

from microcourt.core import crypto
from microcourt.core.logs import PersonalDataFilter, scrub
from microcourt.settings.env import Env


@pytest.mark.parametrize(
    ("environ", "call", "message"),
    [
        ({"MICROCOURT_DEBUG": "maybe"}, lambda e: e.bool("MICROCOURT_DEBUG"), "MICROCOURT_DEBUG"),
        ({"X_PORT": "eighty"}, lambda e: e.int("X_PORT", 1), "X_PORT must be a whole number"),
        (
            {"DATABASE_URL": "mysql://x/y"},
            lambda e: e.database("DATABASE_URL", ""),
            "sqlite:// or postgres://",
        ),
        (
            {"REDIS_URL": "http://x"},
            lambda e: e.redis_url("REDIS_URL"),
            "REDIS_URL must be a redis://",
        ),
        (
            {},
            lambda e: e.str("MICROCOURT_SECRET_KEY", required=True),
            "MICROCOURT_SECRET_KEY must be set",
        ),
    ],
)
def test_malformed_environment_values_name_the_variable(environ, call, message):
    with pytest.raises(ImproperlyConfigured, match=message):
        call(Env(environ))


def test_production_refuses_to_start_without_its_secrets():
    env = {"PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": "microcourt.settings.prod"}
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode != 0
    assert "MICROCOURT_SECRET_KEY must be set" in result.stderr


def test_logs_never_carry_id_numbers_phones_or_emails():
    line = "citizen 330203199001011234 phone 13812345678 (+8613812345678) mail zhang.san@example.cn"
    cleaned = scrub(line)
    assert "330203199001011234" not in cleaned and "3302**********1234" in cleaned
    assert "13812345678" not in cleaned and "138****5678" in cleaned
    assert "zhang.san@" not in cleaned


def test_the_log_filter_scrubs_formatted_arguments(caplog):
    logger = logging.getLogger("microcourt.test")
    logger.addFilter(PersonalDataFilter())
    with caplog.at_level(logging.INFO, logger="microcourt.test"):
        logger.info("verifying %s", "330203199001011234")
    assert "330203199001011234" not in caplog.text


@pytest.mark.django_db
def test_a_request_id_is_echoed_or_made(client):
    given = client.get("/healthz", HTTP_X_REQUEST_ID="abc12345-request")
    assert given["X-Request-ID"] == "abc12345-request"
    made = client.get("/healthz", HTTP_X_REQUEST_ID="bad id with spaces")
    assert len(made["X-Request-ID"]) == 32


@pytest.mark.django_db
def test_phone_numbers_are_not_stored_in_plaintext(plaintiff_zhang):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT phone, phone_index FROM identity_user WHERE id = %s", [plaintiff_zhang.pk]
        )
        stored_phone, index = cursor.fetchone()
    assert "13811112222" not in stored_phone and stored_phone.startswith("k1:")
    assert "13811112222" not in index
    assert crypto.decrypt(stored_phone) == "+8613811112222"


def test_ciphertexts_are_bound_to_their_key_version():
    token = crypto.encrypt("330203199001011234")
    tampered = "k2:" + token.split(":", 1)[1]
    with pytest.raises(ValueError, match="no key"):
        crypto.decrypt(tampered)
    assert crypto.encrypt("same") != crypto.encrypt("same")  # random nonce


@pytest.mark.django_db
def test_health_names_the_worker_when_no_heartbeat(client):
    response = client.get("/healthz")
    body = response.json()
    assert response.status_code == 503
    assert body["down"] == ["worker"]
    assert body["components"]["database"]["ok"] is True
    assert body["components"]["channel_layer"]["ok"] is True


@pytest.mark.django_db
def test_health_is_ok_with_a_fresh_heartbeat_and_degraded_with_a_stale_one(client):
    import datetime as dt

    from django.utils import timezone

    from microcourt.core.models import WorkerHeartbeat

    now = timezone.now()
    beat = WorkerHeartbeat.objects.create(
        worker_id="w1", host="h", pid=1, started_at=now, last_seen=now
    )
    assert client.get("/healthz").status_code == 200
    beat.last_seen = now - dt.timedelta(minutes=10)
    beat.save()
    response = client.get("/healthz")
    assert response.status_code == 503
    assert "s ago" in response.json()["components"]["worker"]["error"]


@pytest.mark.django_db
def test_health_reports_a_broken_database_by_name(client, monkeypatch):
    from microcourt.core import health

    def broken():
        raise RuntimeError("connection refused")

    monkeypatch.setitem(health.CHECKS, "database", broken)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert "database" in response.json()["down"]
    assert "connection refused" in response.json()["components"]["database"]["error"]


@pytest.mark.django_db
def test_periodic_jobs_are_enqueued_once_per_period():
    import datetime as dt

    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    from microcourt.core import periodic

    now = timezone.now()
    first = periodic.enqueue_due(now)
    assert "microcourt.notifications.tasks.retry_due" in first
    # A second worker a moment later does not enqueue it again.
    assert "microcourt.notifications.tasks.retry_due" not in periodic.enqueue_due(
        now + dt.timedelta(seconds=1)
    )
    later = periodic.enqueue_due(now + dt.timedelta(seconds=31))
    assert "microcourt.notifications.tasks.retry_due" in later
    assert (
        DBTaskResult.objects.filter(task_path="microcourt.notifications.tasks.retry_due").count()
        == 2
    )

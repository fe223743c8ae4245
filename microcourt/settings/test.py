"""Tests: SQLite by default, PostgreSQL when DATABASE_URL is set (CI runs both)."""

import os
from urllib.parse import parse_qsl, urlencode, urlparse

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import CACHES, CHANNEL_LAYERS, DATA_DIR, REDIS_URL
from .env import env

DEBUG = False
DEMO_MODE = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed only
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
MEDIA_ROOT = DATA_DIR / "test-media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Pages rendered in-process are tested without collecting static files first: plain names,
# served from the source folders. The servers the end-to-end tests start run the settings
# `make run` uses (microcourt.settings.dev): hashed, compressed, collected
# (tests/test_page_weight.py measures them).
WHITENOISE_USE_FINDERS = True
INSTALLED_APPS = [*INSTALLED_APPS, "tests.testapp"]  # noqa: F405
# Tests open and close connections around threads and the test database: no pool there.
DATABASES["default"].get("OPTIONS", {}).pop("pool", None)  # noqa: F405
# The tests' own Janus (tests/janus_support.py) and bots exchange media over this local
# loopback-range address (docs/janus.md, "The network").
JANUS_MEDIA_ADDRESS = env.str("MICROCOURT_JANUS_MEDIA_ADDRESS", "127.0.0.12")
JANUS_MANAGED = False
# Live transcription's long-running task would hold a test's batch worker while a session is
# open: the tests that need it turn it on (hearings/tests/test_transcription*.py).
TRANSCRIBE_LIVE = False
# SQLite's test database is in memory, one per process (each pytest-xdist worker has its own).
# Said outright: pytest-django names a per-worker file for any engine but Django's own.
if DATABASES["default"]["ENGINE"] == "microcourt.core.sqlite":  # noqa: F405
    DATABASES["default"]["TEST"] = {"NAME": ":memory:"}  # noqa: F405


def _worker_redis(url: str, worker: str) -> tuple[str, int]:
    """REDIS_URL and its database for pytest-xdist worker ``gwN``: the N-th database after the
    URL's. Each worker's tests empty their cache (conftest.py): a flush empties a database."""
    from redis.connection import parse_url

    db = int(parse_url(url).get("db") or 0) + int(worker.removeprefix("gw"))
    if db > 15:
        raise ImproperlyConfigured(
            f"REDIS_URL={url}: test worker {worker} would need Redis database {db}; "
            "use a lower database number or fewer workers (-n)."
        )
    parts = urlparse(url)
    query = dict(parse_qsl(parts.query))
    if parts.scheme == "unix" or "db" in query:
        return f"{url.partition('?')[0]}?{urlencode({**query, 'db': str(db)})}", db
    return parts._replace(path=f"/{db}").geturl(), db


# Parallel runs (`make test`: pytest-xdist, README "Tests"): each worker on its own Redis
# database and channel prefix (as base.py names them); the processes its tests start
# (tests/live_server.py) inherit the worker's URL, marked so that one on these settings does
# not move it again.
_XDIST_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
if REDIS_URL and _XDIST_WORKER and os.environ.get("MICROCOURT_TEST_WORKER_REDIS") != REDIS_URL:
    REDIS_URL, _db = _worker_redis(REDIS_URL, _XDIST_WORKER)
    os.environ["REDIS_URL"] = os.environ["MICROCOURT_TEST_WORKER_REDIS"] = REDIS_URL
    CACHES["default"]["LOCATION"] = REDIS_URL
    CHANNEL_LAYERS["default"]["CONFIG"] = {"hosts": [REDIS_URL], "prefix": f"asgi{_db or ''}"}

"""Tests: SQLite by default, PostgreSQL when DATABASE_URL is set (CI runs both)."""

from .base import *  # noqa: F403
from .base import DATA_DIR
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

"""Tests: SQLite by default, PostgreSQL when DATABASE_URL is set (CI runs both)."""

from .base import *  # noqa: F403
from .base import DATA_DIR

DEBUG = False
DEMO_MODE = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed only
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
MEDIA_ROOT = DATA_DIR / "test-media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
INSTALLED_APPS = [*INSTALLED_APPS, "tests.testapp"]  # noqa: F405
# Tests open and close connections around threads and the test database: no pool there.
DATABASES["default"].get("OPTIONS", {}).pop("pool", None)  # noqa: F405

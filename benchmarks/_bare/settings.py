"""Minimal settings: no middleware, one app, one URLconf. The database is the engine the
benchmark runs microcourt on, with microcourt's connection options (SQLite's WAL and busy
timeout, PostgreSQL's pool), so that only the application differs."""

import os

from microcourt.settings.env import env

SECRET_KEY = "benchmark-only-not-secret"  # noqa: S105 - a loopback benchmark
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
INSTALLED_APPS = ["benchmarks._bare"]
MIDDLEWARE: list[str] = []
ROOT_URLCONF = "benchmarks._bare.urls"
USE_TZ = True
TIME_ZONE = "UTC"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

DATABASES = {"default": env.database("BARE_DATABASE_URL", "sqlite:///bare.sqlite3")}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
elif int(os.environ.get("MICROCOURT_DB_POOL_SIZE", "8")):
    DATABASES["default"]["OPTIONS"]["pool"] = {
        "min_size": 1,
        "max_size": int(os.environ.get("MICROCOURT_DB_POOL_SIZE", "8")),
        "timeout": 10,
    }

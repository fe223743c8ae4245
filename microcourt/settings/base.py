"""Settings shared by every mode. Values from outside come through ``env`` only."""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path

from .env import env

BASE_DIR = Path(__file__).resolve().parent.parent.parent
PACKAGE_DIR = BASE_DIR / "microcourt"
# Runtime data (SQLite file, uploads, keys made for development) lives outside the package.
DATA_DIR = Path(env.str("MICROCOURT_DATA_DIR", str(BASE_DIR / "var")))
(DATA_DIR / "static").mkdir(parents=True, exist_ok=True)  # SQLite file and STATIC_ROOT live here

SECRET_KEY = env.str("MICROCOURT_SECRET_KEY", "dev-insecure-key-do-not-use-in-production")
DEBUG = env.bool("MICROCOURT_DEBUG", False)
ALLOWED_HOSTS = env.list("MICROCOURT_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("MICROCOURT_CSRF_TRUSTED_ORIGINS", [])

# Demo mode: demo log-ins are printed and demo staff may get API tokens without a
# second factor. Never on in production (prod.py refuses it).
DEMO_MODE = env.bool("MICROCOURT_DEMO", False)
DEMO_PASSWORD = env.str("MICROCOURT_DEMO_PASSWORD", "microcourt-demo")

# Public name of this deployment; also the ledger's origin line.
SITE_ORIGIN = env.str("MICROCOURT_ORIGIN", "microcourt.localhost")
PUBLIC_BASE_URL = env.str("MICROCOURT_PUBLIC_URL", "http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "template_partials",
    "ninja",
    "django_tasks",
    "django_tasks_db",
    "microcourt.core",
    "microcourt.ledger",
    "microcourt.notifications",
    "microcourt.identity",
    "microcourt.courts",
]

MIDDLEWARE = [
    "microcourt.core.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "microcourt.core.middleware.LanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "microcourt.urls"
ASGI_APPLICATION = "microcourt.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "microcourt.shell.context",
            ],
        },
    }
]

DATABASES = {
    "default": env.database("DATABASE_URL", f"sqlite:///{DATA_DIR / 'microcourt.sqlite3'}")
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # WAL + a busy timeout let the web process and the task worker share the file.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.redis_url("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {"hosts": [REDIS_URL]},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    # In-memory: one process only. Pushes made by the separate worker process reach
    # browsers only with Redis; they are stored either way and shown on the next page.
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

AUTH_USER_MODEL = "identity.User"
AUTHENTICATION_BACKENDS = ["microcourt.identity.backends.UsernameOrPhoneBackend"]
LOGIN_URL = "identity:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
SESSION_COOKIE_AGE = env.int("MICROCOURT_SESSION_SECONDS", 60 * 60 * 8, minimum=300)
SESSION_SAVE_EVERY_REQUEST = True  # idle time-out: the age counts from the last request
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # htmx reads it to send X-CSRFToken

# Personal data at rest: AES-256-GCM under this key; lookups through an HMAC keyed
# separately (derived), so the index reveals nothing without the key.
_pii = env.str("MICROCOURT_PII_KEY", "")
if _pii:
    try:
        PII_KEY = base64.b64decode(_pii, validate=True)
    except ValueError:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured("MICROCOURT_PII_KEY must be base64 of 32 bytes.") from None
    if len(PII_KEY) != 32:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(
            f"MICROCOURT_PII_KEY must be base64 of 32 bytes, got {len(PII_KEY)} bytes."
        )
else:
    # Development only (prod.py refuses to start without a real key).
    PII_KEY = hashlib.sha256(b"microcourt development PII key").digest()

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [
    PACKAGE_DIR / "static",
    # Front-end packages installed from npm at set-up time (package.json), served as shipped.
    ("vendor/weui", BASE_DIR / "node_modules" / "weui" / "dist" / "style"),
    ("vendor/htmx", BASE_DIR / "node_modules" / "htmx.org" / "dist"),
    ("vendor/htmx-ext-ws", BASE_DIR / "node_modules" / "htmx-ext-ws" / "dist"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Development and tests serve static files straight from the source folders; production
# runs collectstatic and serves the hashed copies (prod.py).
WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = DATA_DIR / "media"
MEDIA_URL = "/media/"

# Notifications: each channel has a backend; the defaults work locally and really.
SMS_BACKEND = env.str("MICROCOURT_SMS_BACKEND", "microcourt.notifications.backends.LocalSmsBackend")
EMAIL_BACKEND = env.str(
    "MICROCOURT_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
)
DEFAULT_FROM_EMAIL = env.str("MICROCOURT_FROM_EMAIL", "microcourt@localhost")
NOTIFICATION_MAX_ATTEMPTS = env.int("MICROCOURT_NOTIFICATION_MAX_ATTEMPTS", 6, minimum=1)

# A worker whose heartbeat is older than this is reported down by /healthz.
WORKER_HEARTBEAT_STALE_SECONDS = env.int("MICROCOURT_WORKER_STALE_SECONDS", 60, minimum=5)

NINJA_PAGINATION_PER_PAGE = 50

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_id": {"()": "microcourt.core.logs.RequestIdFilter"},
        "no_personal_data": {"()": "microcourt.core.logs.PersonalDataFilter"},
    },
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id", "no_personal_data"],
            "formatter": "plain",
        },
    },
    "root": {"handlers": ["console"], "level": env.str("MICROCOURT_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "django_tasks_db": {"level": "WARNING"},
        "django_tasks": {"level": "WARNING"},
    },
}

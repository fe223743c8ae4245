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

# Ledger (司法链). The log's Ed25519 signing key: standard base64 of a 32-byte seed. Without it
# (development, tests) a key is made on first use in DATA_DIR / "ledger-key" (mode 0600);
# prod.py refuses to start without it. Losing it means a new log identity for verifiers.
LEDGER_KEY = env.str("MICROCOURT_LEDGER_KEY", "")
if LEDGER_KEY:
    try:
        _ledger_seed = base64.b64decode(LEDGER_KEY, validate=True)
    except ValueError:
        _ledger_seed = b""
    if len(_ledger_seed) != 32:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured("MICROCOURT_LEDGER_KEY must be base64 of a 32-byte seed.")
LEDGER_KEY_FILE = DATA_DIR / "ledger-key"
# The log's origin line, also its key name: schema-less, no spaces, no "+".
LEDGER_ORIGIN = env.str("MICROCOURT_LEDGER_ORIGIN", f"{SITE_ORIGIN}/ledger")
if not LEDGER_ORIGIN or "+" in LEDGER_ORIGIN or any(c.isspace() for c in LEDGER_ORIGIN):
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("MICROCOURT_LEDGER_ORIGIN must be non-empty, without spaces or '+'.")
# Witness cosigner keys (vkeys, comma-separated) whose cosignatures the log accepts and serves.
LEDGER_WITNESSES = env.list("MICROCOURT_LEDGER_WITNESSES", [])
for _witness in LEDGER_WITNESSES:
    import microcourt_verify

    try:
        _type = microcourt_verify.parse_vkey(_witness).sig_type
    except ValueError as _error:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(f"MICROCOURT_LEDGER_WITNESSES: {_error}") from None
    if _type != microcourt_verify.SIG_COSIGNATURE:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(
            f"MICROCOURT_LEDGER_WITNESSES: {_witness} is not a witness cosigner key (type 0x04)."
        )
# Keys the pseudonymous case reference (HMAC) in the ledger's public part. Derived from the
# secret key unless set (base64); set it before rotating MICROCOURT_SECRET_KEY, or new
# entries of old cases stop sharing their reference.
LEDGER_CASE_KEY = env.str("MICROCOURT_LEDGER_CASE_KEY", "")
# How the hourly audit alerts administrators (a notify-shaped callable); a setting, because
# the ledger may not import the notifications app (ARCHITECTURE §3).
LEDGER_ALERT_NOTIFY = "microcourt.notifications.actions.notify"

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
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "microcourt.core",
    "microcourt.ledger",
    "microcourt.notifications",
    "microcourt.identity",
    "microcourt.courts",
    "microcourt.assist",
    "microcourt.cases",
    "microcourt.payments",
    "microcourt.filing",
    "microcourt.spaces",
    "microcourt.evidence",
    "microcourt.service",
    "microcourt.dossier",
    "microcourt.signing",
    "microcourt.hearings",
]

MIDDLEWARE = [
    "microcourt.core.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "microcourt.core.staticfiles.StaticFilesMiddleware",  # WhiteNoise: a year's cache
    # Gzip (with Django's BREACH padding) for pages and JSON; below WhiteNoise, which serves
    # static files compressed ahead of time, and above everything that writes a body.
    "microcourt.core.middleware.CompressionMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "microcourt.core.middleware.SessionRefreshMiddleware",  # right below: its mark is saved
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "microcourt.core.middleware.LanguageMiddleware",
    # A body too big (413), a NUL, a lone surrogate or an overlong string (400 naming the
    # field): refused before anything reads the body (core/bad_input.py).
    "microcourt.core.bad_input.BadInputMiddleware",
    # Bodies over their route's upload limit get 413 before they are read; a malformed
    # multipart body gets 400 (below the language: refusals in the person's language).
    "microcourt.core.upload_guard.UploadGuardMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, and sync-only: under ASGI every middleware above it then runs in one thread with
    # the view. Async-capable ones below a sync-only one would each cross between the event
    # loop and the thread on every request (measured in docs/benchmarks.md).
    "microcourt.identity.middleware.StaffMfaMiddleware",  # after messages: it explains why
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
    # Django's SQLite backend, keeping closed connections for the next request (under ASGI
    # each request opened one; see microcourt/core/sqlite/base.py).
    DATABASES["default"]["ENGINE"] = "microcourt.core.sqlite"
    # WAL + a busy timeout let the web process and the task worker share the file.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
elif env.int("MICROCOURT_DB_POOL_SIZE", 8, minimum=0):
    # Opening a PostgreSQL connection per request costs ~10 ms; under ASGI Django's
    # persistent connections do not apply, so psycopg's pool keeps them (per process).
    DATABASES["default"]["OPTIONS"]["pool"] = {
        "min_size": 1,
        "max_size": env.int("MICROCOURT_DB_POOL_SIZE", 8, minimum=0),
        "timeout": 10,
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.redis_url("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
    # Pub/sub channels are server-wide (database numbers do not separate them): a database
    # other than 0 prefixes its own, so deployments (or test workers) on one Redis keep apart.
    from redis.connection import parse_url

    _redis_db = int(parse_url(REDIS_URL).get("db") or 0)
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {"hosts": [REDIS_URL], "prefix": f"asgi{_redis_db or ''}"},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    # In-memory: one process only. Pushes made by the separate worker process reach
    # browsers only with Redis; they are stored either way and shown on the next page.
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

# "urgent": log-in codes and strong reminders, with a worker of their own (core/jobs.py).
TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default", "urgent"],
    }
}

AUTH_USER_MODEL = "identity.User"
AUTHENTICATION_BACKENDS = [
    "microcourt.identity.backends.UsernameOrPhoneBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
LOGIN_URL = "account_login"
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
    # Court staff and administrators: 12 characters at least.
    {
        "NAME": "microcourt.identity.validators.StaffPasswordLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
]
SESSION_COOKIE_AGE = env.int("MICROCOURT_SESSION_SECONDS", 60 * 60 * 8, minimum=300)
# Idle time-out: the age counts from the last save, and a signed-in session is saved again
# once this many seconds have passed (core.middleware.SessionRefreshMiddleware) rather than on
# every request (SESSION_SAVE_EVERY_REQUEST wrote the session row on every page view).
SESSION_SAVE_EVERY_REQUEST = False
SESSION_REFRESH_SECONDS = env.int("MICROCOURT_SESSION_REFRESH_SECONDS", 300, minimum=0)
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # htmx reads it to send X-CSRFToken
# A refused form (often one from before a log-in or log-out) explained in the shell.
CSRF_FAILURE_VIEW = "microcourt.errors.csrf_failure"

# Accounts (django-allauth). The public sign up with a mobile number only, proved by an SMS
# code, and log in by SMS code or password; usernames serve staff and scripts; an e-mail
# address is an optional extra a person may add (and verify by link) later. Codes go out
# through the notifications outbox (identity.adapters). Court staff must add a second
# factor before anything else (identity.middleware.StaffMfaMiddleware).
ACCOUNT_ADAPTER = "microcourt.identity.adapters.AccountAdapter"
ACCOUNT_FORMS = {
    "login": "microcourt.identity.forms.LoginForm",
    "signup": "microcourt.identity.forms.SignupForm",
    "request_login_code": "microcourt.identity.forms.RequestLoginCodeForm",
    "confirm_login_code": "microcourt.identity.forms.ConfirmLoginCodeForm",
    "verify_phone": "microcourt.identity.forms.VerifyPhoneForm",
}
ACCOUNT_LOGIN_METHODS = {"phone", "username", "email"}
# "password1" (optional) keeps the password box on the log-in form; the sign-up form
# itself asks for the phone number only (identity.forms.SignupForm).
ACCOUNT_SIGNUP_FIELDS = ["phone*", "password1"]
ACCOUNT_EMAIL_VERIFICATION = "optional"  # only for addresses a person adds later
ACCOUNT_EMAIL_SUBJECT_PREFIX = "【微法院】"
ACCOUNT_PREVENT_ENUMERATION = True  # whether a number has an account is personal data
ACCOUNT_SESSION_REMEMBER = True  # the idle time-out (SESSION_COOKIE_AGE) still applies
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_LOGIN_BY_CODE_ENABLED = True
_SMS_CODE = {"numeric": True, "length": 6, "dashed": False}  # what SMS codes look like here
ACCOUNT_LOGIN_BY_CODE_FORMAT = _SMS_CODE
ACCOUNT_PHONE_VERIFICATION_CODE_FORMAT = _SMS_CODE
ACCOUNT_LOGIN_BY_CODE_TIMEOUT = 5 * 60
ACCOUNT_PHONE_VERIFICATION_TIMEOUT = 5 * 60
ACCOUNT_LOGIN_BY_CODE_MAX_ATTEMPTS = 3  # wrong codes before that attempt is void
ACCOUNT_PHONE_VERIFICATION_MAX_ATTEMPTS = 3
ACCOUNT_LOGIN_BY_CODE_SUPPORTS_RESEND = True
ACCOUNT_PHONE_VERIFICATION_SUPPORTS_RESEND = True
ACCOUNT_PHONE_VERIFICATION_SUPPORTS_CHANGE = True
# allauth's rate-limit keys ("key" is the E.164 number, e-mail or account). "sms_code" is
# ours: every SMS the adapter sends counts against it, whichever flow (log-in code,
# sign-up, resend, change of number) asked, so no path sends more than this.
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    # Wrong second-factor codes (allauth.mfa). Wrong passwords and SMS codes are counted by
    # identity.logins instead: per account, however it is spelt, and per address.
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "request_login_code": "20/m/ip,1/m/key,5/h/key",
    "verify_phone": "10/m/ip,1/m/key,5/h/key",
    "change_phone": "1/m/user",
    "sms_code": "10/m/ip,1/m/key,5/h/key",
}

# Second factor (allauth.mfa): required of court staff, optional for everyone else.
MFA_ADAPTER = "microcourt.identity.adapters.MfaAdapter"
MFA_FORMS = {
    "authenticate": "microcourt.identity.forms.MfaAuthenticateForm",
    "activate_totp": "microcourt.identity.forms.ActivateTotpForm",
    "add_webauthn": "microcourt.identity.forms.AddSecurityKeyForm",
}
MFA_SUPPORTED_TYPES = ["totp", "webauthn", "recovery_codes"]
MFA_TOTP_ISSUER = "微法院"
MFA_TOTP_TOLERANCE = 1  # one 30-second step either way: phones' clocks drift
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = DEBUG  # plain-http security keys for local testing only
# allauth refuses MFA while an unverified e-mail exists, because there e-mail is the
# account. Here the account is the SMS-verified phone; e-mail is an optional extra.
MFA_ALLOW_UNVERIFIED_EMAIL = True


# Personal data at rest: AES-256-GCM under the current key; older keys stay readable until
# `microcourt pii rotate` has re-encrypted every row. Lookups use an HMAC under a separate
# index key, which does not rotate with the encryption key (the index would change).
def _pii_key(name: str, value: str) -> bytes:
    from django.core.exceptions import ImproperlyConfigured

    try:
        key = base64.b64decode(value, validate=True)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be base64 of 32 bytes.") from None
    if len(key) != 32:
        raise ImproperlyConfigured(f"{name} must be base64 of 32 bytes, got {len(key)} bytes.")
    return key


_dev_pii = base64.b64encode(hashlib.sha256(b"microcourt development PII key").digest()).decode()
PII_KEY_VERSION = env.str("MICROCOURT_PII_KEY_VERSION", "k1")
PII_KEYS = {
    PII_KEY_VERSION: _pii_key("MICROCOURT_PII_KEY", env.str("MICROCOURT_PII_KEY", _dev_pii))
}
for _item in env.list("MICROCOURT_PII_OLD_KEYS"):  # "k0:<base64>,…"
    _version, _, _value = _item.partition(":")
    PII_KEYS.setdefault(_version, _pii_key("MICROCOURT_PII_OLD_KEYS", _value))
PII_INDEX_KEY = _pii_key(
    "MICROCOURT_PII_INDEX_KEY",
    env.str(
        "MICROCOURT_PII_INDEX_KEY",
        base64.b64encode(hashlib.sha256(b"microcourt development index key").digest()).decode(),
    ),
)

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
# Every mode (`make run`, the demo, production) serves static files from here, collected by
# `microcourt collectstatic` (`make run` and `microcourt serve` run it; core/staticfiles.py):
# hashed names cached for a year, each file compressed ahead of time with brotli and gzip.
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [
    PACKAGE_DIR / "static",
    # Built at install (make): the WeUI rules our pages use, not WeUI's whole 184 KB sheet
    # (scripts/weui_subset.py reads node_modules/weui).
    BASE_DIR / "build" / "static",
    # Front-end packages installed from npm at set-up time (package.json), served as shipped.
    ("vendor/htmx", BASE_DIR / "node_modules" / "htmx.org" / "dist"),
    ("vendor/htmx-ext-ws", BASE_DIR / "node_modules" / "htmx-ext-ws" / "dist"),
    ("vendor/signature_pad", BASE_DIR / "node_modules" / "signature_pad" / "dist"),
    # Hearings only (the courtroom page loads them, deferred): janus.js as an ES module and
    # the WebRTC adapter it expects as window.adapter.
    ("vendor/janus-gateway", BASE_DIR / "node_modules" / "janus-gateway" / "npm" / "dist"),
    ("vendor/webrtc-adapter", BASE_DIR / "node_modules" / "webrtc-adapter" / "out"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "microcourt.core.staticfiles.StaticStorage"},
}
WHITENOISE_USE_FINDERS = False  # STATIC_ROOT only: the hashed, compressed copies
MEDIA_ROOT = DATA_DIR / "media"
MEDIA_URL = "/media/"

# Notifications: each channel has a backend; the defaults work locally and really.
SMS_BACKEND = env.str("MICROCOURT_SMS_BACKEND", "microcourt.notifications.backends.LocalSmsBackend")
EMAIL_BACKEND = env.str(
    "MICROCOURT_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
)
DEFAULT_FROM_EMAIL = env.str("MICROCOURT_FROM_EMAIL", "microcourt@localhost")
NOTIFICATION_MAX_ATTEMPTS = env.int("MICROCOURT_NOTIFICATION_MAX_ATTEMPTS", 6, minimum=1)
# WeChat subscription messages: the local gateway (recorded and printed) unless set to
# "microcourt.notifications.backends.wechat.WechatSubscribeBackend".
WECHAT_BACKEND = env.str(
    "MICROCOURT_WECHAT_BACKEND", "microcourt.notifications.backends.LocalWechatBackend"
)
# Rows one worker claims and sends per batch (the sweep, bulk notices).
NOTIFICATIONS_BATCH_SIZE = env.int("MICROCOURT_NOTIFICATIONS_BATCH_SIZE", 500, minimum=1)
# A claim older than this is a dead worker's: looked up at the gateway, then sent if absent.
# Longer than the slowest batch (batch size × gateway latency) or live claims are taken over.
NOTIFICATIONS_STALE_CLAIM_SECONDS = env.int(
    "MICROCOURT_NOTIFICATIONS_STALE_CLAIM_SECONDS", 300, minimum=5
)
# How long one run of the periodic sweep keeps delivering batches before yielding.
NOTIFICATIONS_SWEEP_SECONDS = env.int("MICROCOURT_NOTIFICATIONS_SWEEP_SECONDS", 20, minimum=1)
# 阿里云短信服务 (SMS_BACKEND = "microcourt.notifications.backends.aliyun.AliyunSmsBackend").
# Use a RAM user's key limited to dysms. Templates: JSON mapping each event (or its
# sms_template key) to an approved template, "SMS_123" or {"code": "SMS_123", "params":
# {"template variable": "param name" | "$title" | "$body" | "$url"}} (docs/notifications.md).
NOTIFICATIONS_ALIYUN_ENDPOINT = env.str(
    "MICROCOURT_ALIYUN_SMS_ENDPOINT", "https://dysmsapi.aliyuncs.com/"
)
NOTIFICATIONS_ALIYUN_REGION = env.str("MICROCOURT_ALIYUN_SMS_REGION", "cn-hangzhou")
NOTIFICATIONS_ALIYUN_ACCESS_KEY_ID = env.str("MICROCOURT_ALIYUN_SMS_ACCESS_KEY_ID", "")
NOTIFICATIONS_ALIYUN_ACCESS_KEY_SECRET = env.str("MICROCOURT_ALIYUN_SMS_ACCESS_KEY_SECRET", "")
NOTIFICATIONS_ALIYUN_SIGN_NAME = env.str("MICROCOURT_ALIYUN_SMS_SIGN_NAME", "")
NOTIFICATIONS_ALIYUN_TEMPLATES = env.json("MICROCOURT_ALIYUN_SMS_TEMPLATES", {})
NOTIFICATIONS_ALIYUN_TIMEOUT = env.int("MICROCOURT_ALIYUN_SMS_TIMEOUT", 10, minimum=1)
# Status reports (SmsReport, HTTP batch push) are accepted at
# /notifications/callbacks/aliyun-sms/<token>/; empty: the endpoint answers 404.
NOTIFICATIONS_ALIYUN_REPORT_TOKEN = env.str("MICROCOURT_ALIYUN_SMS_REPORT_TOKEN", "")
# WeChat mini-program (订阅消息). Templates: JSON mapping each event (or its wechat_template
# key) to {"template_id", "page" ("pages/case?id={case_id}"), "data": {"thing1": "param" |
# "$title" | "$body"}}. PUSH_TOKEN: the message push token (明文模式) for delivery status at
# /notifications/callbacks/wechat/.
NOTIFICATIONS_WECHAT_API_BASE = env.str("MICROCOURT_WECHAT_API_BASE", "https://api.weixin.qq.com")
NOTIFICATIONS_WECHAT_APPID = env.str("MICROCOURT_WECHAT_APPID", "")
NOTIFICATIONS_WECHAT_SECRET = env.str("MICROCOURT_WECHAT_SECRET", "")
NOTIFICATIONS_WECHAT_TEMPLATES = env.json("MICROCOURT_WECHAT_TEMPLATES", {})
NOTIFICATIONS_WECHAT_MINIPROGRAM_STATE = env.str("MICROCOURT_WECHAT_MINIPROGRAM_STATE", "formal")
NOTIFICATIONS_WECHAT_PUSH_TOKEN = env.str("MICROCOURT_WECHAT_PUSH_TOKEN", "")
NOTIFICATIONS_WECHAT_TIMEOUT = env.int("MICROCOURT_WECHAT_TIMEOUT", 10, minimum=1)

# E-signatures, court e-seals and time-stamps (signing/, docs/signatures.md).
# Private keys (EC P-256) live as encrypted PEM files in this directory, one per certificate;
# back it up with the database (the certificates are in both). Every web node needs it.
SIGNING_PKI_DIR = Path(env.str("MICROCOURT_PKI_DIR", str(DATA_DIR / "pki")))
# Encrypts those key files. Development and tests derive one from the secret key; prod.py
# requires it. Changing it makes the existing key files unreadable (see docs/signatures.md).
SIGNING_KEY_PASSPHRASE = env.str(
    "MICROCOURT_PKI_PASSPHRASE",
    hashlib.sha256(b"microcourt pki passphrase\0" + SECRET_KEY.encode()).hexdigest(),
)
# Create the root CA, signing, time-stamp and court seal certificates on first use. Off in
# production, where an operator runs `microcourt pki init` (and `pki seal`) deliberately.
SIGNING_AUTO_INIT = env.bool("MICROCOURT_PKI_AUTO_INIT", True)
# The organisation named in the certificates' subjects.
SIGNING_PKI_ORGANISATION = env.str("MICROCOURT_PKI_ORGANISATION", "microcourt 微法院")
# Time-stamps for signatures: blank = the built-in RFC 3161 TSA (also served at /tsa/);
# a URL = that external TSA (e.g. a national time service), asked over HTTP.
SIGNING_TSA_URL = env.str("MICROCOURT_TSA_URL", "")
# With an external TSA: a PEM file of the root certificate(s) its time-stamps chain to,
# trusted for time-stamps only (verification checks every token against a trust root).
SIGNING_TSA_CA_FILE = env.str("MICROCOURT_TSA_CA_FILE", "")
# The built-in TSA's policy (TSTInfo.policy). A UUID-based OID (ITU-T X.667, arc 2.25) that
# needs no registration; set your own if your TSA practice statement names one.
SIGNING_TSA_POLICY_OID = env.str(
    "MICROCOURT_TSA_POLICY_OID", "2.25.309058412892944368925028263662648161960"
)
# Largest PDF the public verification page and API read (MB).
SIGNING_VERIFY_MAX_MB = env.int("MICROCOURT_SIGNING_VERIFY_MAX_MB", 50, minimum=1)

# A worker whose heartbeat is older than this is reported down by /healthz.
WORKER_HEARTBEAT_STALE_SECONDS = env.int("MICROCOURT_WORKER_STALE_SECONDS", 60, minimum=5)
# Background work that cannot be lost (core/jobs.py): a failed task runs again after 5 s,
# 10 s, 20 s … (doubling, at most TASK_RETRY_MAX_SECONDS apart) up to TASK_MAX_ATTEMPTS runs;
# then it is a dead letter, listed in the admin, and the operators are alerted.
TASK_MAX_ATTEMPTS = env.int("MICROCOURT_TASK_MAX_ATTEMPTS", 6, minimum=1)
TASK_RETRY_BASE_SECONDS = env.int("MICROCOURT_TASK_RETRY_BASE_SECONDS", 5, minimum=1)
TASK_RETRY_MAX_SECONDS = env.int("MICROCOURT_TASK_RETRY_MAX_SECONDS", 600, minimum=1)
# A running task whose worker has not beaten its heart (every 5 s) for this long is taken
# back and run by another worker.
TASK_LEASE_SECONDS = env.int("MICROCOURT_TASK_LEASE_SECONDS", 90, minimum=15)
# /healthz reports the queue degraded when a due task has waited longer than this.
TASK_QUEUE_STALL_SECONDS = env.int("MICROCOURT_TASK_QUEUE_STALL_SECONDS", 300, minimum=10)
# Periodic tasks that run on another queue than "default" (task path → queue).
TASK_ROUTES = {"microcourt.spaces.tasks.escalate_reminders": "urgent"}
# How operators hear of a dead letter (core may not import notifications).
TASK_ALERT_NOTIFY = "microcourt.notifications.actions.notify"

NINJA_PAGINATION_PER_PAGE = 50

# Payment providers: name → backend and options. The sandbox really runs locally (its own
# pay page, signed asynchronous callbacks); WeChat Pay and Alipay are configured here with
# the merchant's keys (see docs/payments.md).
PAYMENT_PROVIDERS = {
    "sandbox": {"BACKEND": "microcourt.payments.providers.sandbox.SandboxProvider"},
}

# Identity checks. The local engine (dlib) runs offline; a national identity platform or a
# commercial service plugs in as microcourt.assist.face.HttpFaceVerificationEngine.
FACE_ENGINE = env.str("MICROCOURT_FACE_ENGINE", "microcourt.assist.face.DlibFaceEngine")
FACE_MATCH_THRESHOLD = env.str("MICROCOURT_FACE_MATCH_THRESHOLD", "0.6")  # dlib distance
FACE_REMOTE = {
    "base_url": env.str("MICROCOURT_FACE_REMOTE_URL", ""),
    "app_id": env.str("MICROCOURT_FACE_REMOTE_APP_ID", ""),
    "app_secret": env.str("MICROCOURT_FACE_REMOTE_SECRET", ""),
}
OCR_ENGINE = env.str("MICROCOURT_OCR_ENGINE", "microcourt.assist.ocr.RapidOcrEngine")
# Identity photos (≤ 8 MB) stay in memory and are never written to a temporary file; a
# larger upload is streamed to a temporary file, never held in memory as a whole.
FILE_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
# Upload routes and their limits (microcourt/upload_routes.py): a body over its route's
# limit is refused with 413 before it is read. Any other route takes at most this (MB).
UPLOAD_ROUTES = "microcourt.upload_routes.ROUTES"
UPLOAD_DEFAULT_MAX_MB = env.int("MICROCOURT_UPLOAD_DEFAULT_MAX_MB", 10, minimum=1)
# Evidence previews run in a child process with these limits; a file that passes them (a
# decompression bomb, a picture of billions of pixels) fails alone with its reason.
PREVIEW_MAX_MEMORY_MB = env.int("MICROCOURT_PREVIEW_MAX_MEMORY_MB", 768, minimum=128)
PREVIEW_TIMEOUT_SECONDS = env.int("MICROCOURT_PREVIEW_TIMEOUT_SECONDS", 30, minimum=1)
PREVIEW_MAX_PIXELS = env.int("MICROCOURT_PREVIEW_MAX_PIXELS", 50_000_000, minimum=1_000_000)
# A Word document's parts together, uncompressed (MB), and the largest ratio a part may be
# compressed by: past either it is a zip bomb and is not opened.
PREVIEW_MAX_UNZIPPED_MB = env.int("MICROCOURT_PREVIEW_MAX_UNZIPPED_MB", 200, minimum=1)
PREVIEW_MAX_ZIP_RATIO = env.int("MICROCOURT_PREVIEW_MAX_ZIP_RATIO", 100, minimum=2)
# 强提醒: a key message in a case space not acknowledged within this many seconds is sent
# again by SMS to each addressee who has not confirmed it.
SPACES_STRONG_REMINDER_SECONDS = env.int("MICROCOURT_STRONG_REMINDER_SECONDS", 600, minimum=0)
# Longest a PDF render may take (a case space export, an e-dossier build: all of its
# renders together). Past it the render's child process is killed and that one job fails
# with the reason shown to the user (microcourt/core/pdf.py).
RENDER_BUDGET_SECONDS = env.int("MICROCOURT_RENDER_BUDGET_SECONDS", 120, minimum=1)
# Evidence uploads, per kind (MB): an upload past its kind's limit stops while it is read.
EVIDENCE_MAX_IMAGE_MB = env.int("MICROCOURT_EVIDENCE_MAX_IMAGE_MB", 20, minimum=1)
EVIDENCE_MAX_DOCUMENT_MB = env.int("MICROCOURT_EVIDENCE_MAX_DOCUMENT_MB", 50, minimum=1)
EVIDENCE_MAX_CHAT_MB = env.int("MICROCOURT_EVIDENCE_MAX_CHAT_MB", 50, minimum=1)
EVIDENCE_MAX_AUDIO_MB = env.int("MICROCOURT_EVIDENCE_MAX_AUDIO_MB", 100, minimum=1)
EVIDENCE_MAX_VIDEO_MB = env.int("MICROCOURT_EVIDENCE_MAX_VIDEO_MB", 500, minimum=1)
# One filing material (complaint, evidence, ID photo …): larger files stop while streaming.
FILING_MAX_UPLOAD_BYTES = env.int("MICROCOURT_FILING_MAX_UPLOAD_MB", 20, minimum=1) * 1024 * 1024

# 送达: how long the link in a service SMS opens the documents (days). After that the
# recipient finds them in 我的送达 after logging in; service itself is unaffected.
SERVICE_LINK_DAYS = env.int("MICROCOURT_SERVICE_LINK_DAYS", 30, minimum=1)


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
        # PDF rendering narrates every step and font subset at INFO: dozens of lines per
        # receipt or notice, which buried everything else on the console.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

# Builds an Actor (with its court roles) for ``core.actor.actor_of``; docs/adr/0001-policies.md.
MICROCOURT_ACTOR_LOADER = "microcourt.courts.policies.actor_for"
MICROCOURT_COURT_ROLES_LOADER = "microcourt.courts.policies.court_roles_of"

# 民诉法第一百六十五条 (rules.md B.5): small claims are capped at 50% of the province's
# previous-year average annual wage of employed persons (up to 2× with both parties' agreement).
# Provinces publish the figure yearly; it is configuration data (rules.md, "Not confirmed"): a
# JSON object of province (as ``Court.province`` spells it) → yuan. A court whose province has no
# figure cannot put a case under small claims (cases.policies.procedure_refusal says so).
SMALL_CLAIMS_AVERAGE_WAGES = env.json("MICROCOURT_SMALL_CLAIMS_AVERAGE_WAGES", {})

# Remote hearings, their media server, speech recognition and live transcription.
from .hearings import *  # noqa: E402, F403

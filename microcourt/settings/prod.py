"""Production: every secret must come from the environment, or the process refuses to start."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .env import env

DEBUG = False
SECRET_KEY = env.str("MICROCOURT_SECRET_KEY", required=True)
if len(SECRET_KEY) < 50 or SECRET_KEY.startswith("dev-"):
    raise ImproperlyConfigured("MICROCOURT_SECRET_KEY must be a random value of 50+ characters.")
env.str("MICROCOURT_PII_KEY", required=True)  # parsed and length-checked in base.py
env.str("MICROCOURT_PII_INDEX_KEY", required=True)
env.str("DATABASE_URL", required=True)
# The ledger's signing key: a log that made its own key on one machine would fork on the next.
env.str("MICROCOURT_LEDGER_KEY", required=True)  # parsed and length-checked in base.py
# Signing keys: encrypted at rest under a passphrase no one derives from the secret key, and
# made only when an operator runs `microcourt pki init` (never on first use in production).
if len(env.str("MICROCOURT_PKI_PASSPHRASE", required=True)) < 16:
    raise ImproperlyConfigured("MICROCOURT_PKI_PASSPHRASE must be at least 16 characters.")
SIGNING_AUTO_INIT = False
ALLOWED_HOSTS = env.list("MICROCOURT_ALLOWED_HOSTS")
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured("MICROCOURT_ALLOWED_HOSTS must list the host names served.")
if env.bool("MICROCOURT_DEMO", False):
    raise ImproperlyConfigured("MICROCOURT_DEMO cannot be on in production.")
DEMO_MODE = False
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env.int("MICROCOURT_HSTS_SECONDS", 31536000, minimum=0)
SECURE_CONTENT_TYPE_NOSNIFF = True
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = False
STORAGES = {
    "default": {
        "BACKEND": env.str("MICROCOURT_FILE_STORAGE", "django.core.files.storage.FileSystemStorage")
    },
    "staticfiles": STORAGES["staticfiles"],  # noqa: F405  hashed and compressed (base.py)
}
# A real SMS or WeChat gateway without its credentials would fail every message: refuse.
if SMS_BACKEND.endswith("aliyun.AliyunSmsBackend"):  # noqa: F405
    for _name in ("ACCESS_KEY_ID", "ACCESS_KEY_SECRET", "SIGN_NAME", "TEMPLATES"):
        env.str(f"MICROCOURT_ALIYUN_SMS_{_name}", required=True)
if WECHAT_BACKEND.endswith("wechat.WechatSubscribeBackend"):  # noqa: F405
    for _name in ("APPID", "SECRET", "TEMPLATES"):
        env.str(f"MICROCOURT_WECHAT_{_name}", required=True)

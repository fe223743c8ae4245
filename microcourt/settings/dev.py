"""Development: `make run` / `microcourt serve`. SQLite and demo data unless told otherwise."""

from .base import *  # noqa: F403
from .env import env

DEBUG = env.bool("MICROCOURT_DEBUG", True)
DEMO_MODE = env.bool("MICROCOURT_DEMO", True)
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = DEBUG  # http://127.0.0.1 in development only

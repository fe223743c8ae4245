"""Development: `make run` / `microcourt serve`. SQLite and demo data unless told otherwise."""

from .base import *  # noqa: F403
from .env import env

# The demo is what newcomers meet: our own error pages, never Django's debug pages.
# MICROCOURT_DEBUG=1 turns them on for a developer.
DEBUG = env.bool("MICROCOURT_DEBUG", False)
DEMO_MODE = env.bool("MICROCOURT_DEMO", True)
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = True  # security keys on http://127.0.0.1: development only

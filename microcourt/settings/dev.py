"""Development: `make run` / `microcourt serve`. SQLite and demo data unless told otherwise."""

from .base import *  # noqa: F403
from .env import env

# The demo is what newcomers meet: our own error pages, never Django's debug pages.
# MICROCOURT_DEBUG=1 turns them on for a developer.
DEBUG = env.bool("MICROCOURT_DEBUG", False)
DEMO_MODE = env.bool("MICROCOURT_DEMO", True)
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = True  # security keys on http://127.0.0.1: development only
# A quiet console: `make run` shows the address, the demo log-ins and the local SMS lines,
# and warnings or errors. MICROCOURT_LOG_LEVEL=INFO shows the rest (MICROCOURT_ACCESS_LOG=1
# each request).
LOGGING["root"]["level"] = env.str("MICROCOURT_LOG_LEVEL", "WARNING")  # noqa: F405
# Browsers and Janus on this one machine: media over a local loopback-range interface
# (docs/janus.md, "The network"); blank to let Janus use the machine's real interfaces.
JANUS_MEDIA_ADDRESS = env.str("MICROCOURT_JANUS_MEDIA_ADDRESS", "127.0.0.12")

"""The signing app's refusals (the core errors cover the rest)."""

from __future__ import annotations

from microcourt.core.errors import DomainError


class PkiNotReady(DomainError):
    """A certificate the act needs does not exist (or has expired) and may not be made on
    first use (``SIGNING_AUTO_INIT`` is off, as in production): an operator must run the
    command the message names."""

    status = 503
    code = "pki_not_ready"

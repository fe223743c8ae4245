"""System checks: the ledger codes and the ledger's settings are sound before anything runs."""

from __future__ import annotations

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured

import microcourt_verify as verify

from . import events, keys


@checks.register()
def ledger_codes(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """Every declared code lies in its app's block and is used once."""
    try:
        events.discover()
    except events.RegistryError as error:
        return [checks.Error(str(error), id="ledger.E001")]
    return []


@checks.register()
def ledger_settings(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    problems = []
    try:
        verify.Verifier(settings.LEDGER_ORIGIN, verify.SIG_ED25519, bytes(32))
    except verify.VerificationError as error:
        problems.append(checks.Error(f"LEDGER_ORIGIN: {error}", id="ledger.E002"))
    try:
        keys.witnesses()
    except ImproperlyConfigured as error:
        problems.append(checks.Error(str(error), id="ledger.E003"))
    return problems

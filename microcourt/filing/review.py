"""Compatibility for callers outside the app (demo, the service app's tests, the route test):
the court's decisions now live in ``actions`` (``actions.decisions``, ``actions.acceptance``).
New code imports ``from microcourt.filing import actions``."""

from .actions.acceptance import cases_deem_withdrawn, filing_accept
from .actions.decisions import (
    filing_forward,
    filing_reject,
    filing_request_correction,
    filing_transfer,
)

__all__ = [
    "cases_deem_withdrawn",
    "filing_accept",
    "filing_forward",
    "filing_reject",
    "filing_request_correction",
    "filing_transfer",
]

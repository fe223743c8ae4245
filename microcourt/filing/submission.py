"""Compatibility for callers outside the app (demo): submission lives in
``actions.submission``, what stops it in ``selectors.problems``. New code imports
``from microcourt.filing import actions``."""

from .actions.submission import filing_submit, filing_withdraw
from .selectors import problems

__all__ = ["filing_submit", "filing_withdraw", "problems"]

"""The filing API: everything the wizard does, for a law firm's software to file a case (and
for the court's filing desk to decide it) without the pages.

Each endpoint parses its input, calls one action (or selector) and renders. A filing the
caller may not see answers 404 on every route, whatever the route would do; one the caller
may see but not decide (the applicant at /accept) answers 403."""

from . import applicant, court  # noqa: F401  (their routes register on the router)
from .common import router

__all__ = ["router"]

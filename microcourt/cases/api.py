"""The cases API: ``GET /api/v1/cases`` (my cases). One case with its fees, evidence periods
and service is ``GET /api/v1/cases/{case_id}`` in ``microcourt.caseapi``: those apps sit above
``cases`` (ARCHITECTURE §3), so it is assembled where they may all be read."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema
from ninja.errors import HttpError
from pydantic import Field

from microcourt.core.actor import actor_of

from . import selectors
from .models import Case, CaseStatus
from .schemas import CaseListOut

router = Router(tags=["cases"])

PAGE_SIZE = 20
MAX_PAGE_SIZE = 50


class PageIn(Schema):
    page: int = Field(1, ge=1, description="1 for the newest cases")
    page_size: int = Field(PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE)


def case_summary(case: Case) -> dict[str, Any]:
    """The one shape a case leaves in (the list's rows and the head of ``CaseOut``), for a
    case the caller has already been found to see: one query for it with its court and type."""
    return _summary(Case.objects.filter(pk=case.pk).values(*SUMMARY_COLUMNS).get())


# A page of cases is read as rows of these columns, not as Case, Court and CaseType objects
# (three model instances per row, a court's 25 columns each: most of a page's cost).
SUMMARY_COLUMNS = (
    "id",
    "number",
    "title",
    "cause",
    "status",
    "filed_at",
    "accepted_at",
    "court_id",
    "court__code",
    "court__name",
    "case_type__code",
    "case_type__name",
)


def _summary(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": row["id"],
        "number": row["number"],
        "title": row["title"],
        "cause": row["cause"],
        "status": row["status"],
        "status_label": str(CaseStatus(row["status"]).label),
        "court": {"id": row["court_id"], "code": row["court__code"], "name": row["court__name"]},
        "case_type": {"code": row["case_type__code"], "name": row["case_type__name"]},
        "filed_at": row["filed_at"],
        "accepted_at": row["accepted_at"],
    }


@router.get("/cases", response=CaseListOut)
def my_cases(request: HttpRequest, paging: Query[PageIn]):
    """我的案件: the cases the caller may see (filed, takes part in, or every case of a court
    where they hold a court-wide role), newest first, ``page_size`` at a time."""
    actor = actor_of(request)
    if actor is None:  # an account switched off after its token was issued
        raise HttpError(401, "unauthenticated")
    cases = selectors.cases_for(actor).order_by("-filed_at", "-pk").values(*SUMMARY_COLUMNS)
    start = (paging.page - 1) * paging.page_size
    # One row past the page says whether another follows, without counting them all.
    rows = list(cases[start : start + paging.page_size + 1])
    more = len(rows) > paging.page_size
    return {
        "items": [_summary(row) for row in rows[: paging.page_size]],
        "page": paging.page,
        "page_size": paging.page_size,
        "next_page": paging.page + 1 if more else None,
    }

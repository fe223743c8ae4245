"""The cases API: ``GET /api/v1/cases`` (my cases). One case with its fees, evidence periods
and service is ``GET /api/v1/cases/{case_id}`` in ``microcourt.caseapi``: those apps sit above
``cases`` (ARCHITECTURE §3), so it is assembled where they may all be read."""

from __future__ import annotations

import functools
from typing import Any

from django.http import HttpRequest
from django.utils import translation
from ninja import Query, Router, Schema
from ninja.errors import HttpError
from pydantic import Field

from microcourt.core import apiout
from microcourt.core.actor import actor_of

from . import actions, selectors
from .models import Case, CaseProcedure, CaseStatus
from .schemas import CaseListOut, CaseProcedureIn, CaseProcedureOut

router = Router(tags=["cases"])

PAGE_SIZE = 20
MAX_PAGE_SIZE = 50


class PageIn(Schema):
    page: int = Field(1, ge=1, le=1_000_000, description="1 for the newest cases")
    page_size: int = Field(PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE)


def case_summary(case: Case) -> dict[str, Any]:
    """The one shape a case leaves in (the list's rows and the head of ``CaseOut``), for a
    case the caller has already been found to see: its court's and type's codes and names in
    one fixed statement, the rest from the case at hand."""
    court_code, court_name, type_code, type_name = selectors.case_refs(case)
    return _summary(
        {
            "id": case.pk,
            "number": case.number,
            "title": case.title,
            "cause": case.cause,
            "status": case.status,
            "filed_at": case.filed_at,
            "accepted_at": case.accepted_at,
            "court_id": case.court_id,
            "court__code": court_code,
            "court__name": court_name,
            "case_type__code": type_code,
            "case_type__name": type_name,
        }
    )


def _summary(row: dict[str, Any]) -> dict[str, Any]:
    """``CaseSummaryOut`` (its keys in its order) from a row keyed by ``SUMMARY_KEYS``."""
    return {
        "id": row["id"],
        "number": row["number"],
        "title": row["title"],
        "cause": row["cause"],
        "status": row["status"],
        "status_label": status_label(row["status"]),
        "court": {"id": row["court_id"], "code": row["court__code"], "name": row["court__name"]},
        "case_type": {"code": row["case_type__code"], "name": row["case_type__name"]},
        "filed_at": row["filed_at"],
        "accepted_at": row["accepted_at"],
    }


def status_label(status: str) -> str:
    """A status's name in the request's language (looked up once per language)."""
    return _status_label(translation.get_language(), status)


@functools.lru_cache(maxsize=256)
def _status_label(language: str | None, status: str) -> str:
    with translation.override(language):
        return str(CaseStatus(status).label)


@router.get("/cases", response=CaseListOut)
def my_cases(request: HttpRequest, paging: Query[PageIn]):
    """我的案件: the cases the caller may see (filed, takes part in, or every case of a court
    where they hold a court-wide role), newest first, ``page_size`` at a time."""
    actor = actor_of(request)
    if actor is None:  # an account switched off after its token was issued
        raise HttpError(401, "unauthenticated")
    start = (paging.page - 1) * paging.page_size
    # One row past the page says whether another follows, without counting them all.
    rows = selectors.case_page_for(actor, offset=start, limit=paging.page_size + 1)
    more = len(rows) > paging.page_size
    page = {
        "items": [_summary(row) for row in rows[: paging.page_size]],
        "page": paging.page,
        "page_size": paging.page_size,
        "next_page": paging.page + 1 if more else None,
    }
    return apiout.json_response(request, page, CaseListOut)


def procedure_label(procedure: str) -> str:
    return str(CaseProcedure(procedure).label) if procedure in CaseProcedure.values else procedure


@router.post("/cases/{case_id}/procedure", response=CaseProcedureOut)
def case_procedure(request: HttpRequest, case_id: int, payload: CaseProcedureIn):
    """The case's judge decides or changes its procedure (普通程序 / 简易程序 / 小额诉讼程序);
    refused with 400 naming ``procedure`` where the law does not allow it, 404 for a case the
    caller cannot see, 403 for anyone else on it."""
    actor = actor_of(request)
    if actor is None:
        raise HttpError(401, "unauthenticated")
    case = selectors.case_for(actor, case_id)
    case = actions.case_procedure_set(
        case=case,
        procedure=payload.procedure,
        actor=selectors.acting_as(actor, case),
        reason=payload.reason,
        parties_agree=payload.parties_agree,
        no_exclusion=payload.no_exclusion,
    )
    return {
        "id": case.pk,
        "procedure": case.procedure,
        "procedure_label": procedure_label(case.procedure),
    }

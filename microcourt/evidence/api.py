"""Evidence API: /api/v1/cases/{case_id}/exhibits… and …/cross-examinations…. Every route
answers 404 to anyone without standing on the case's evidence (``policies.py``); each act is
done as the caller is bound to the case."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import File, Form, Router, Status, UploadedFile

from microcourt.cases import selectors as case_selectors
from microcourt.core.actor import actor_of
from microcourt.core.errors import InvalidInput, NotFound

from . import actions, policies, selectors
from .schemas import (
    CourtOnlyIn,
    CrossExaminationIn,
    CrossExaminationOut,
    ExhibitOut,
    MatrixOut,
    ModeIn,
    ObjectionIn,
    OpinionIn,
    OpinionOut,
    OriginalIn,
)

router = Router(tags=["evidence"])


def _ctx(request: HttpRequest, case_id: int):
    actor = actor_of(request)
    case, viewer = selectors.evidence_case(actor, case_id)
    return case_selectors.acting_as(actor, case), case, viewer


def _exhibit_out(e) -> dict:
    index = selectors.receipt_index(e.ledger_entry_id)
    return {
        **{f: getattr(e, f) for f in ExhibitOut.model_fields if hasattr(e, f)},
        "receipt_url": None if index is None else f"/ledger/receipts/{index}/",
    }


def _opinion_out(o) -> dict:
    return {
        "exhibit": o.exhibit.number,
        "party_id": o.participant_id,
        "authenticity": o.authenticity,
        "legality": o.legality,
        "relevance": o.relevance,
        "reasons": o.reasons,
        "created_at": o.created_at,
    }


def _period_out(p) -> dict:
    return {
        "id": p.pk,
        "mode": p.mode,
        "proposed_mode": p.proposed_mode,
        "deadline": p.deadline,
        "session_at": p.session_at,
        "exhibits": sorted(e.number for e in p.exhibits.all()),
    }


@router.get("/cases/{case_id}/exhibits", response=list[ExhibitOut])
def exhibits(request, case_id: int):
    _actor, case, viewer = _ctx(request, case_id)
    return [_exhibit_out(e) for e in selectors.exhibits_for(case, viewer)]


@router.post("/cases/{case_id}/exhibits", response={201: ExhibitOut})
def exhibit_submit(
    request,
    case_id: int,
    name: Form[str] = "",
    source: Form[str] = "",
    purpose: Form[str] = "",
    pages: Form[int] = 1,
    party_id: Form[int | None] = None,
    file: File[UploadedFile | None] = None,
):
    actor, case, _viewer = _ctx(request, case_id)
    exhibit = actions.exhibit_submit(
        case=case, actor=actor, upload=file, name=name, source=source, purpose=purpose,
        pages=pages, party_id=party_id,
    )  # fmt: skip
    return Status(201, _exhibit_out(exhibit))


@router.get("/cases/{case_id}/exhibits/{number}", response=ExhibitOut)
def exhibit(request, case_id: int, number: int):
    actor, case, viewer = _ctx(request, case_id)
    found = selectors.exhibit_for(case, viewer, number)
    actions.log_view(found, actor, viewer, what="api")
    return _exhibit_out(found)


@router.post("/cases/{case_id}/exhibits/{number}/objections", response={201: ExhibitOut})
def objection(request, case_id: int, number: int, payload: ObjectionIn):
    actor, case, viewer = _ctx(request, case_id)
    found = selectors.exhibit_for(case, viewer, number)
    actions.objection_raise(
        exhibit=found, actor=actor, reasons=payload.reasons, party_id=payload.party_id
    )
    found.refresh_from_db()
    return Status(201, _exhibit_out(found))


@router.post("/cases/{case_id}/exhibits/{number}/original", response=ExhibitOut)
def original(request, case_id: int, number: int, payload: OriginalIn):
    actor, case, viewer = _ctx(request, case_id)
    found = selectors.exhibit_for(case, viewer, number)
    if payload.action == "require":
        found = actions.original_require(exhibit=found, actor=actor, reason=payload.reason)
    elif payload.action == "confirm":
        found = actions.original_confirm(exhibit=found, actor=actor, ground=payload.ground)
    else:
        raise InvalidInput(
            _("请选择要求原件或认定原件"), fields={"action": _("应为 require 或 confirm")}
        )
    return _exhibit_out(found)


@router.post("/cases/{case_id}/exhibits/{number}/court-only", response=ExhibitOut)
def court_only(request, case_id: int, number: int, payload: CourtOnlyIn):
    actor, case, viewer = _ctx(request, case_id)
    found = selectors.exhibit_for(case, viewer, number)
    return _exhibit_out(
        actions.exhibit_set_court_only(exhibit=found, actor=actor, court_only=payload.court_only)
    )


@router.post("/cases/{case_id}/cross-examinations", response={201: CrossExaminationOut})
def cross_examination_open(request, case_id: int, payload: CrossExaminationIn):
    actor, case, _viewer = _ctx(request, case_id)
    period = actions.cross_examination_open(
        case=case, actor=actor, exhibit_numbers=payload.exhibits, mode=payload.mode,
        deadline=payload.deadline, session_at=payload.session_at,
    )  # fmt: skip
    return Status(201, _period_out(period))


@router.get("/cases/{case_id}/cross-examinations/{pk}", response=CrossExaminationOut)
def cross_examination(request, case_id: int, pk: int):
    _actor, case, viewer = _ctx(request, case_id)
    return _period_out(selectors.cross_examination_for(case, viewer, pk))


@router.post("/cases/{case_id}/cross-examinations/{pk}/mode", response=CrossExaminationOut)
def mode_prefer(request, case_id: int, pk: int, payload: ModeIn):
    actor, case, viewer = _ctx(request, case_id)
    period = selectors.cross_examination_for(case, viewer, pk)
    return _period_out(
        actions.mode_prefer(
            period=period, actor=actor, mode=payload.mode, party_id=payload.party_id
        )
    )


@router.post("/cases/{case_id}/cross-examinations/{pk}/opinions", response={201: OpinionOut})
def opinion_give(request, case_id: int, pk: int, payload: OpinionIn):
    actor, case, viewer = _ctx(request, case_id)
    period = selectors.cross_examination_for(case, viewer, pk)
    opinion = actions.opinion_give(
        period=period, actor=actor, exhibit_number=payload.exhibit,
        authenticity=payload.authenticity, legality=payload.legality,
        relevance=payload.relevance, reasons=payload.reasons, party_id=payload.party_id,
    )  # fmt: skip
    return Status(201, _opinion_out(opinion))


@router.get("/cases/{case_id}/cross-examinations/{pk}/matrix", response=MatrixOut)
def matrix(request, case_id: int, pk: int):
    _actor, case, viewer = _ctx(request, case_id)
    if not policies.may_see_matrix(viewer):
        raise NotFound(_("没有找到该质证"))
    m = selectors.matrix(selectors.cross_examination_for(case, viewer, pk))
    return {
        "id": m["period"].pk,
        "mode": m["period"].mode,
        "deadline": m["period"].deadline,
        "rows": [
            {
                "exhibit": row["exhibit"].number,
                "name": row["exhibit"].name,
                "cells": [
                    {
                        "party_id": c["party"].pk,
                        "own": c["own"],
                        "opinion": _opinion_out(c["opinion"]) if c["opinion"] else None,
                    }
                    for c in row["cells"]
                ],
            }
            for row in m["rows"]
        ],
    }

"""Reads of evidence, scoped to the actor (ARCHITECTURE §4.4) by ``policies``: the court side
of the case and its parties see evidence; a court-only exhibit is "not found" for the
parties."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from microcourt.cases import selectors as case_selectors
from microcourt.cases.models import PARTY_ROLES, Case, CaseParticipant
from microcourt.cases.selectors import Viewer, viewer_of  # noqa: F401  (both re-exported)
from microcourt.core.actor import Actor
from microcourt.core.errors import NotFound

from . import policies
from .models import CrossExamination, Exhibit, Opinion


def evidence_case(actor: Actor, case_id: int) -> tuple[Case, Viewer]:
    """The case and the actor's standing on its evidence; ``NotFound`` without any."""
    case = case_selectors.case_for(actor, case_id)
    return case, policies.require_see_evidence(actor, case)


def exhibits_for(case: Case, viewer: Viewer):
    qs = Exhibit.objects.filter(case=case).select_related("party").order_by("number")
    if not viewer.court:
        qs = qs.filter(court_only=False)
    return qs


def exhibit_for(case: Case, viewer: Viewer, number: int) -> Exhibit:
    exhibit = exhibits_for(case, viewer).filter(number=number).first()
    if exhibit is None:
        raise NotFound(_("没有找到该证据"))
    return exhibit


def opposing_parties(exhibit: Exhibit) -> list[CaseParticipant]:
    """Every other party to the case: who cross-examines this exhibit (第十五条)."""
    return list(
        CaseParticipant.objects.filter(case_id=exhibit.case_id, role__in=PARTY_ROLES, active=True)
        .exclude(pk=exhibit.party_id)
        .order_by("pk")
    )


def parties_of(case: Case) -> list[CaseParticipant]:
    return list(
        CaseParticipant.objects.filter(case=case, role__in=PARTY_ROLES, active=True).order_by("pk")
    )


def cross_examinations_for(case: Case):
    return CrossExamination.objects.filter(case=case).prefetch_related("exhibits")


def cross_examination_for(case: Case, viewer: Viewer, pk: int) -> CrossExamination:
    found = cross_examinations_for(case).filter(pk=pk).first()
    if found is None:
        raise NotFound(_("没有找到该质证"))
    return found


def period_exhibits(period: CrossExamination, viewer: Viewer) -> list[Exhibit]:
    qs = period.exhibits.select_related("party").order_by("number")
    if not viewer.court:
        qs = qs.filter(court_only=False)
    return list(qs)


def matrix(period: CrossExamination) -> dict:
    """Exhibits × parties: each cell the opposing party's opinion, ``None`` when still
    missing, or ``"own"`` for the party's own exhibit."""
    exhibits = list(period.exhibits.select_related("party").order_by("number"))
    parties = parties_of(period.case)
    opinions = {
        (o.exhibit_id, o.participant_id): o
        for o in Opinion.objects.filter(cross_examination=period)
    }
    rows = []
    for exhibit in exhibits:
        cells = []
        for party in parties:
            if party.pk == exhibit.party_id:
                cells.append({"party": party, "own": True, "opinion": None})
            else:
                cells.append(
                    {"party": party, "own": False, "opinion": opinions.get((exhibit.pk, party.pk))}
                )
        rows.append({"exhibit": exhibit, "cells": cells})
    return {"period": period, "parties": parties, "rows": rows}


def receipt_index(entry_id: int | None) -> int | None:
    """The entry's index in the ledger tree (for /ledger/receipts/<index>/), once integrated."""
    if entry_id is None:
        return None
    from microcourt.ledger.models import Leaf

    return Leaf.objects.filter(entry_id=entry_id).values_list("index", flat=True).first()


# --- for the e-dossier --------------------------------------------------------------------------


def dossier_items(case: Case) -> list[dict]:
    """Every exhibit of the case in number order, for the electronic dossier (第三十五条).
    Court-only exhibits are included and flagged: the dossier is the court's."""
    return [
        {
            "title": e.name,
            "number": e.number,
            "path": e.path,
            "mime": e.mime,
            "sha256": e.sha256,
            "court_only": e.court_only,
            "created_at": e.created_at,
            "submitted_by_role": e.submitted_by_role,
        }
        for e in Exhibit.objects.filter(case=case).order_by("number")
    ]


def cross_examination_pdf(case: Case) -> bytes:
    """The cross-examination record (质证笔录) of every period: the matrix and each opinion."""
    from django.template.loader import render_to_string
    from weasyprint import HTML

    periods = [matrix(p) for p in cross_examinations_for(case).order_by("created_at", "pk")]
    html = render_to_string("evidence/record_pdf.html", {"case": case, "periods": periods})
    return HTML(string=html).write_pdf()

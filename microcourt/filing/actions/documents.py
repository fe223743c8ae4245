"""The court's documents of a filing, as PDFs (WeasyPrint, CJK font) stored with the filing
and recorded in the ledger: the dated receipt (收件凭证, 登记立案规定第二条), the one-time
correction notice (第七条), the ruling not to accept (不予受理裁定, 民诉法第一百二十六条), the
acceptance notice (受理案件通知书) and the evidence notice (举证通知书) (在线诉讼规则第九条).

Each carries a QR code that opens the filing or the case after log-in and a participant
check, and the ledger entry of the decision it records."""

from __future__ import annotations

from decimal import Decimal

import segno
from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from microcourt.core.actor import Actor
from microcourt.core.money import display, in_words
from microcourt.ledger import actions as ledger_actions
from microcourt.signing import actions as signing

from .. import selectors
from ..events import LedgerEvent
from ..models import Filing, FilingDecision, FilingMaterial, MaterialKind
from .materials import material_store

TITLES = {
    "receipt": "网上立案收件凭证",
    "correction": "补正通知书",
    "ruling": "民事裁定书",
    "acceptance": "受理案件通知书",
    "evidence": "举证通知书",
    "transfer": "移送告知书",
}
# The ledger entry each document points at: the decision it records.
ENTRY_OF = {
    "receipt": (LedgerEvent.SUBMITTED, LedgerEvent.CORRECTED),
    "correction": (LedgerEvent.CORRECTION_REQUESTED,),
    "ruling": (LedgerEvent.REJECTED,),
    "acceptance": (LedgerEvent.ACCEPTED,),
    "evidence": (LedgerEvent.ACCEPTED,),
    "transfer": (LedgerEvent.TRANSFERRED,),
}


def _absolute(path: str) -> str:
    return settings.PUBLIC_BASE_URL.rstrip("/") + path


def _ledger_index(filing: Filing, kind: str) -> int | None:
    entry = selectors.decision_entry(filing, ENTRY_OF[kind])
    if entry is not None and not hasattr(entry, "leaf"):
        # Not in the tree yet (integration runs after commit): the document must point at a
        # receipt that verifies, so integrate now (documents are made in the worker).
        ledger_actions.integrate(entry_ids=[entry.pk])
        entry = selectors.decision_entry(filing, ENTRY_OF[kind])
    return entry.leaf.index if entry is not None and hasattr(entry, "leaf") else None


def _fee_context(filing: Filing, kind: str) -> dict:
    from microcourt.payments import selectors as payment_selectors

    if kind != "acceptance" or not filing.case_id:
        return {}
    order = payment_selectors.orders_for_case(filing.case_id).first()
    if order is None:
        return {}
    return {
        "order": order,
        "order_amount": display(order.amount),
        "order_words": in_words(order.amount),
    }


def render(
    filing: Filing, kind: str, *, decision: FilingDecision | None = None, extra=None
) -> bytes:
    from weasyprint import HTML

    target = (
        reverse("filing:case", args=[filing.case_id])
        if filing.case_id
        else reverse("filing:detail", args=[filing.number])
    )
    url = _absolute(target)
    index = _ledger_index(filing, kind)
    receipt_url = _absolute(reverse("ledger:receipt", args=[index])) if index is not None else ""
    claims = list(filing.claims.all())
    amounts = [c.amount for c in claims if c.amount is not None]
    total = sum(amounts, start=Decimal("0.00")) if amounts else None
    context = {
        "kind": kind,
        "title": TITLES[kind],
        "filing": filing,
        "decision": decision,
        "court": filing.court,
        "case": filing.case,
        "parties": list(filing.parties.all()),
        "claims": claims,
        "total": display(total) if total is not None else "",
        "total_words": in_words(total) if total is not None else "",
        "materials": list(
            filing.materials.filter(removed=False).exclude(kind=MaterialKind.COURT_DOCUMENT)
        ),
        "now": timezone.localtime(),
        "qr": segno.make(url, error="m", encoding="utf-8").svg_inline(scale=3),
        "url": url,
        "ledger_index": index,
        "ledger_url": receipt_url,
        **_fee_context(filing, kind),
        **(extra or {}),
    }
    html = render_to_string("filing/document.html", context)
    return HTML(string=html).write_pdf()


def issue(decision: FilingDecision, kind: str, *, extra=None) -> FilingMaterial:
    """Render, store and record the ``kind`` document of a decision, once: run again (a
    retried task) it returns the document already issued. Rendering takes a fraction of a
    second, so decisions enqueue it (``tasks.issue_document``) rather than make the user wait."""
    existing = FilingMaterial.objects.filter(decision=decision, document_kind=kind).first()
    if existing is not None:
        return existing
    filing = Filing.objects.select_related("court", "case", "cause").get(pk=decision.filing_id)
    pdf = render(filing, kind, decision=decision, extra=extra)
    actor = Actor.system(reason=f"filing.{kind}")
    with transaction.atomic():
        # Court documents carry the court's e-seal (互联网法院规定第十九条); the receipt of a
        # filing is the court's acknowledgement and is sealed too.
        pdf = signing.pdf_seal(
            pdf=pdf,
            court_code=filing.court.code,
            court_name=filing.court.name,
            reason=TITLES[kind],
            actor=actor,
            case_id=filing.case_id,
            title=TITLES[kind],
        ).pdf
        material = material_store(
            filing=filing,
            actor=actor,
            kind=MaterialKind.COURT_DOCUMENT,
            name=f"{TITLES[kind]}.pdf",
            data=pdf,
            mime="application/pdf",
            generated=True,
        )
        FilingMaterial.objects.filter(pk=material.pk).update(decision=decision, document_kind=kind)
    return material


def issue_later(decision: FilingDecision, *kinds: str) -> None:
    """After commit, have a worker issue the decision's documents."""
    from microcourt.core.effects import on_commit

    from ..tasks import issue_document

    for kind in kinds:
        on_commit(issue_document.enqueue, decision.pk, kind)

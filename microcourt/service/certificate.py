"""电子送达凭证 (在线诉讼规则第三十一条; 互联网法院规定第十七条: it has the force of a
service receipt): what was served on whom, on which channels and what each reported, when
service took effect and on what ground, and the ledger entry that proves it."""

from __future__ import annotations

import segno
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from microcourt.ledger import actions as ledger_actions
from microcourt.ledger import selectors as ledger_selectors

from . import selectors
from .events import LedgerEvent
from .models import Basis, Service

ARTICLE = {
    Basis.REACHED: "《人民法院在线诉讼规则》第三十一条第一款；《民事诉讼法》第九十条",
    Basis.ACTED: "《人民法院在线诉讼规则》第三十一条第二款第（一）项",
    Basis.READ: "《人民法院在线诉讼规则》第三十一条第二款第（二）项",
    Basis.POSTAL: "《民事诉讼法》第九十一条",
    Basis.NOTICE: "《民事诉讼法》第九十五条",
}


def _absolute(path: str) -> str:
    return settings.PUBLIC_BASE_URL.rstrip("/") + path


def effective_entry(service: Service):
    """The ledger entry recording when the service took effect, put into the tree now if
    the worker has not yet (the certificate must point at a receipt that verifies)."""
    entry = ledger_selectors.case_entry_with(
        code=LedgerEvent.EFFECTIVE, case_id=service.case_id, key="service", value=service.pk
    )
    if entry is not None and not hasattr(entry, "leaf"):
        ledger_actions.integrate(entry_ids=[entry.pk])
        entry.refresh_from_db()
        entry = ledger_selectors.case_entry_with(
            code=LedgerEvent.EFFECTIVE, case_id=service.case_id, key="service", value=service.pk
        )
    return entry


def render(service: Service) -> bytes:
    from weasyprint import HTML

    entry = effective_entry(service)
    index = entry.leaf.index if entry is not None and hasattr(entry, "leaf") else None
    receipt_url = _absolute(reverse("ledger:receipt", args=[index])) if index is not None else ""
    verify_url = _absolute(reverse("signing:verify"))
    context = {
        "service": service,
        "case": service.case,
        "court": service.case.court,
        "documents": list(service.documents.all()),
        "deliveries": [
            (d, selectors.shown(d.channel, d.address)) for d in service.deliveries.all()
        ],
        "article": ARTICLE.get(service.basis, ""),
        "ledger_index": index,
        "ledger_url": receipt_url,
        "verify_url": verify_url,
        "now": timezone.localtime(),
        "qr": segno.make(receipt_url or verify_url, error="m", encoding="utf-8").svg_inline(
            scale=3
        ),
    }
    return HTML(string=render_to_string("service/certificate.html", context)).write_pdf()


def render_receipt(service: Service) -> bytes:
    """送达回证 for the recipient's signature: the documents with their digests and the
    moment they were opened after the identity check."""
    from weasyprint import HTML

    context = {
        "service": service,
        "case": service.case,
        "court": service.case.court,
        "documents": list(service.documents.all()),
    }
    return HTML(string=render_to_string("service/receipt.html", context)).write_pdf()

"""The electronic payment receipt (电子缴费凭证): a PDF with a QR code that opens the
payment's ledger receipt, sealed with the court's e-seal like every document the court
issues (PAdES B-T: signature and trusted time-stamp, ``signing.pdf_seal``) and recorded in
the ledger with the sealed file's SHA-256 (``RECEIPT_ISSUED``). So the file itself can be
checked offline, or at /verify/pdf/: who sealed it, when, that not a byte changed since,
and which ledger entry it is."""

from __future__ import annotations

import segno
from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from microcourt.core import uploads
from microcourt.core.actor import Actor
from microcourt.core.money import display, in_words
from microcourt.ledger import actions as ledger_actions
from microcourt.ledger import selectors as ledger_selectors

from ..events import LedgerEvent
from ..models import Payment, PaymentOrder


def receipt_render(order: PaymentOrder) -> bytes:
    from weasyprint import HTML

    payment = order.payment
    label = f"payments.PaymentOrder:{order.pk}"
    entry = ledger_selectors.entry_for(code=LedgerEvent.ORDER_PAID, object_label=label)
    if entry is not None and not hasattr(entry, "leaf"):
        # Not in the tree yet (the after-commit integration may not have run): put it there,
        # so the QR code points at a receipt that verifies.
        ledger_actions.integrate()
        entry = ledger_selectors.entry_for(code=LedgerEvent.ORDER_PAID, object_label=label)
    index = entry.leaf.index if entry is not None and hasattr(entry, "leaf") else None
    verify_url = settings.PUBLIC_BASE_URL.rstrip("/") + (
        reverse("ledger:receipt", args=[index]) if index is not None else reverse("ledger:verify")
    )
    qr = segno.make(verify_url, error="m", encoding="utf-8").svg_inline(scale=3)
    html = render_to_string(
        "payments/receipt.html",
        {
            "order": order,
            "payment": payment,
            "amount": display(order.amount),
            "amount_words": in_words(order.amount),
            "paid_at": timezone.localtime(payment.paid_at),
            "qr": qr,
            "verify_url": verify_url,
            "ledger_index": index,
            "payer": order.payer.display_name or order.payer.username,
            "court": order.court.name if order.court_id else "",
        },
    )
    return HTML(string=html).write_pdf()


ISSUER = Actor.system(reason="payments.receipt")


def receipt_store(order: PaymentOrder) -> str:
    """Render the paid order's receipt, seal it with the order's court's e-seal, keep it
    (content-addressed) and record it in the ledger; returns its SHA-256. Run in the worker
    (or on the first download); a second run returns the receipt already made. An order of
    no court has no seal to bear: its receipt is kept and recorded unsealed."""
    from microcourt.signing import actions as signing

    payment = Payment.objects.get(order_id=order.pk)
    if payment.receipt_sha256:
        return payment.receipt_sha256
    pdf = receipt_render(order)
    if order.court_id is not None:
        pdf = signing.pdf_seal(
            pdf=pdf,
            court_code=order.court.code,
            court_name=order.court.name,
            reason=_("电子缴费凭证"),
            actor=ISSUER,
            case_id=order.case_id,
            title=_("诉讼费用电子缴费凭证"),
        ).pdf
    stored = uploads.store(pdf, mime="application/pdf", prefix="payments/receipts")
    with transaction.atomic():
        updated = Payment.objects.filter(pk=payment.pk, receipt_sha256="").update(
            receipt_sha256=stored.sha256, updated_at=timezone.now()
        )
        if updated:
            ledger_actions.record(
                code=LedgerEvent.RECEIPT_ISSUED,
                actor=ISSUER,
                case_id=order.case_id,
                subject_digest=stored.digest,
                data={
                    "order": order.number,
                    "payment": f"{payment.provider}:{payment.provider_trade_no}",
                    "amount": str(payment.amount),
                    "sealed": order.court_id is not None,
                },
            )
    return Payment.objects.values_list("receipt_sha256", flat=True).get(pk=payment.pk)

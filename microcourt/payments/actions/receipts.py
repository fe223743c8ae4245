"""The electronic payment receipt (电子缴费凭证): a PDF with a QR code that opens the
payment's ledger receipt, so anyone holding the paper can check it."""

from __future__ import annotations

import segno
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from microcourt.core import uploads
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


def receipt_store(order: PaymentOrder) -> uploads.StoredFile:
    """Render the paid order's receipt and keep it, content-addressed. Not a ledger act of
    its own: the payment's entry is what the receipt proves."""
    pdf = receipt_render(order)
    stored = uploads.store(pdf, mime="application/pdf", prefix="payments/receipts")
    Payment.objects.filter(pk=order.payment.pk).update(receipt_sha256=stored.sha256)
    return stored

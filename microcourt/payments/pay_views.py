"""Pages for paying an order, the providers' callback endpoint and the receipt download.
Thin: parse, call one action or selector, render."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from microcourt.core.actor import Actor
from microcourt.core.errors import DomainError, NotFound
from microcourt.core.money import in_words

from . import actions, selectors
from .models import OrderStatus


def _order(request, number):
    try:
        return selectors.order_for(request.user, number)
    except NotFound:
        raise Http404 from None


@login_required
def orders(request):
    return render(
        request, "payments/orders.html", {"orders": selectors.orders_of(request.user), "tab": "me"}
    )


@login_required
def order(request, number: str):
    found = _order(request, number)
    return render(
        request,
        "payments/order.html",
        {
            "order": found,
            "words": in_words(found.amount),
            "tab": "me",
            "paid": found.status == OrderStatus.PAID,
        },
    )


@require_POST
@login_required
def checkout(request, number: str):
    found = _order(request, number)
    try:
        result = actions.order_checkout(
            order=found,
            actor=Actor.citizen(request.user),
            provider=request.POST.get("provider", "sandbox"),
        )
    except DomainError as exc:
        return render(
            request,
            "payments/order.html",
            {
                "order": found,
                "words": in_words(found.amount),
                "tab": "me",
                "error": str(exc.message),
            },
            status=exc.status,
        )
    if result.kind == "form":
        return HttpResponse(result.form_html)
    if result.kind == "qr":
        return render(request, "payments/scan.html", {"order": found, "qr": result.qr_svg()})
    return redirect(result.redirect_url)


@csrf_exempt  # providers cannot send our CSRF token; the adapter verifies their signature
@require_POST
def callback(request, provider: str):
    status, content_type, body = actions.callback_receive(
        provider=provider, headers=dict(request.headers), body=request.body
    )
    return HttpResponse(body, status=status, content_type=content_type)


@login_required
def receipt(request, number: str):
    found = _order(request, number)
    payment = getattr(found, "payment", None)
    if payment is None:
        raise Http404
    if not payment.receipt_sha256:
        from . import receipts

        receipts.store(found)
        payment.refresh_from_db()
    path = f"payments/receipts/{payment.receipt_sha256[:2]}/{payment.receipt_sha256}.pdf"
    return FileResponse(
        default_storage.open(path, "rb"),
        content_type="application/pdf",
        as_attachment=True,
        filename=f"receipt-{found.number}.pdf",
    )


@require_POST
@login_required
def relief(request, number: str):
    """诉讼费缓交、减交、免交 (第四十四条至第四十七条): the payer applies from the order."""
    from . import relief as relief_actions

    found = _order(request, number)
    percent = request.POST.get("percent") or None
    try:
        relief_actions.relief_apply(
            applicant=request.user,
            order=found,
            kind=request.POST.get("kind", ""),
            reason=request.POST.get("reason", ""),
            percent=int(percent) if percent and percent.isdigit() else percent,
            for_organisation=request.POST.get("for_organisation") == "on",
        )
    except DomainError as exc:
        return render(
            request,
            "payments/order.html",
            {
                "order": found,
                "words": in_words(found.amount),
                "tab": "me",
                "relief_error": str(exc.message),
                "relief_fields": {k: str(v) for k, v in exc.fields.items()},
            },
            status=exc.status,
        )
    return redirect("pay:order", number=number)

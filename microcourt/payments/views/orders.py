"""Pages for paying an order, the providers' callback endpoint and the receipt download.
Thin: parse, call one action or selector, render."""

from __future__ import annotations

import logging

from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from microcourt.core.actor import actor_of
from microcourt.core.errors import DomainError, NotFound
from microcourt.core.money import in_words

from .. import actions, selectors
from ..models import OrderStatus
from ..providers.base import ProviderError, UnknownProvider, get_provider

log = logging.getLogger(__name__)


def _confirming(order) -> bool:
    """Paid at the provider, not yet here: the payer is back from the provider's page
    before its asynchronous notice has arrived. Read-only — the notice (or reconciliation)
    settles the order; the page polls until it has."""
    if order.status != OrderStatus.PENDING or not order.provider:
        return False
    # While confirming, the page polls every 2 s: a "paid" answer is reused for
    # QUERY_EVERY_SECONDS (a real provider's query API is rate-limited). A "not paid" one is
    # not kept: the payer may be paying right now.
    key = f"payments:query:{order.provider}:{order.number}"
    if cache.get(key):
        return True
    try:
        paid = get_provider(order.provider).query(order.number).status == "paid"
    except (ProviderError, UnknownProvider) as exc:  # unreachable: show the order as it is
        log.warning("order page: %s query for %s failed: %s", order.provider, order.number, exc)
        paid = False
    if paid:
        cache.set(key, True, QUERY_EVERY_SECONDS)
    return paid


QUERY_EVERY_SECONDS = 10


def _order(request, number):
    """The caller's own order; anyone else's is "not found" — whatever the method, so a
    POST-only page tells a stranger nothing either."""
    try:
        return selectors.order_for(actor_of(request), number)
    except NotFound:
        raise Http404 from None


def _order_page(request, order, *, status=200, **extra):
    context = {
        "order": order,
        "words": in_words(order.amount),
        "tab": "me",
        "paid": order.status == OrderStatus.PAID,
        "confirming": _confirming(order),
        **extra,
    }
    template = "payments/order.html"
    if request.htmx and request.GET.get("partial") == "notice":
        template += "#notice"  # the poll while a payment is being confirmed
    return render(request, template, context, status=status)


@login_required
def orders(request):
    return render(
        request,
        "payments/orders.html",
        {"orders": selectors.orders_of(actor_of(request)), "tab": "me"},
    )


@never_cache  # the payer comes back from the provider: always the state as it is now
@login_required
def order(request, number: str):
    return _order_page(request, _order(request, number))


@login_required
def checkout(request, number: str):
    found = _order(request, number)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        result = actions.order_checkout(
            order=found,
            actor=actor_of(request),
            provider=request.POST.get("provider", "sandbox"),
        )
    except DomainError as exc:
        return _order_page(request, found, status=exc.status, error=str(exc.message))
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
        actions.receipt_store(found)
        payment.refresh_from_db()
    path = f"payments/receipts/{payment.receipt_sha256[:2]}/{payment.receipt_sha256}.pdf"
    return FileResponse(
        default_storage.open(path, "rb"),
        content_type="application/pdf",
        as_attachment=True,
        filename=f"receipt-{found.number}.pdf",
    )


@login_required
def relief(request, number: str):
    """诉讼费缓交、减交、免交 (第四十四条至第四十七条): the payer applies from the order."""
    found = _order(request, number)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    percent = request.POST.get("percent") or None
    try:
        actions.relief_apply(
            applicant=request.user,
            order=found,
            kind=request.POST.get("kind", ""),
            reason=request.POST.get("reason", ""),
            percent=int(percent) if percent and percent.isdigit() else percent,
            for_organisation=request.POST.get("for_organisation") == "on",
        )
    except DomainError as exc:
        return _order_page(
            request,
            found,
            status=exc.status,
            relief_error=str(exc.message),
            relief_fields={k: str(v) for k, v in exc.fields.items()},
        )
    return redirect("pay:order", number=number)

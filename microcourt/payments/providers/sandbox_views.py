"""The sandbox provider's hosted pay page (沙箱支付). It stands where WeChat Pay's or
Alipay's page would: anyone holding the signed link may pay, as with a real QR code, so
there is no log-in; the form is CSRF-protected like every page of the site."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from microcourt.core.money import display

from . import sandbox

TEMPLATE = "payments/sandbox_pay.html"
CHOICES = [
    ("paid", _("支付成功"), "weui-btn_primary"),
    ("failed", _("支付失败"), "weui-btn_warn"),
    ("closed", _("取消"), "weui-btn_default"),
]
OUTCOMES = {"paid": _("该订单已支付。"), "closed": _("该订单已取消。")}


@never_cache
@require_http_methods(["GET", "POST"])
def pay(request: HttpRequest, token: str) -> HttpResponse:
    try:
        order = sandbox.open_order(token)
    except sandbox.SandboxTokenInvalid as exc:
        return render(request, TEMPLATE, {"invalid": exc.message}, status=400)
    context = {
        "order": order,
        "amount": display(order.amount),
        "choices": CHOICES,
        "outcome": OUTCOMES.get(order.decided["status"]) if order.decided else None,
    }
    if request.method == "POST":
        decision = request.POST.get("decision", "")
        if decision not in sandbox.DECISIONS:
            context["error"] = _("请选择一个支付结果。")
            return render(request, TEMPLATE, context, status=400)
        record = order.provider.decide(order, decision)
        if order.return_url:
            return redirect(order.return_url)
        context["outcome"] = OUTCOMES.get(record["status"], _("已通知收款方支付失败。"))
    return render(request, TEMPLATE, context)

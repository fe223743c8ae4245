"""Payment orders, the payments that settle them, and every callback as received.

Money is ``Decimal`` yuan with fen precision (MoneyField); an order is paid at most once:
one ``Payment`` per order and per provider transaction, enforced by unique constraints, so
a duplicated or replayed callback cannot count money twice."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from microcourt.core.models import BaseModel
from microcourt.core.money import MoneyField


class OrderStatus(models.TextChoices):
    PENDING = "pending", _("待缴费")
    PAID = "paid", _("已缴费")
    FAILED = "failed", _("支付失败")
    CLOSED = "closed", _("已关闭")


class FeeKind(models.TextChoices):
    ACCEPTANCE = "acceptance", _("案件受理费")
    APPEAL = "appeal", _("上诉案件受理费")
    PRESERVATION = "preservation", _("保全申请费")
    ENFORCEMENT = "enforcement", _("执行申请费")
    PAYMENT_ORDER = "payment_order", _("支付令申请费")
    PUBLIC_NOTICE = "public_notice", _("公示催告申请费")
    BANKRUPTCY = "bankruptcy", _("破产申请费")
    OTHER = "other", _("其他费用")


class PaymentOrder(BaseModel):
    """A fee notice's order: what to pay, by when (《诉讼费用交纳办法》第二十二条: 7 days)."""

    number = models.CharField(_("缴费单号"), max_length=32, unique=True)
    payer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="payment_orders",
        verbose_name=_("缴费人"),
    )
    case_id = models.BigIntegerField(_("案件"), null=True, blank=True, db_index=True)
    court = models.ForeignKey(
        "courts.Court",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="payment_orders",
        verbose_name=_("收款法院"),
    )
    kind = models.CharField(_("费用类型"), max_length=32, choices=FeeKind.choices)
    description = models.CharField(_("说明"), max_length=200)
    amount = MoneyField(_("金额"))
    breakdown = models.JSONField(_("计算明细"), default=list, blank=True)
    basis = models.JSONField(_("依据"), default=list, blank=True)
    due_date = models.DateField(_("缴费期限"))
    status = models.CharField(
        _("状态"),
        max_length=16,
        choices=OrderStatus.choices,
        default=OrderStatus.PENDING,
        db_index=True,
    )
    provider = models.CharField(_("支付渠道"), max_length=32, blank=True)
    paid_at = models.DateTimeField(_("缴费时间"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("缴费单")
        verbose_name_plural = _("缴费单")

    def __str__(self) -> str:
        return f"{self.number} {self.amount}"


class Payment(BaseModel):
    """Money a provider confirmed for an order. One per order; one per provider trade."""

    order = models.OneToOneField(PaymentOrder, on_delete=models.PROTECT, related_name="payment")
    provider = models.CharField(_("支付渠道"), max_length=32)
    provider_trade_no = models.CharField(_("渠道交易号"), max_length=64)
    amount = MoneyField(_("金额"))
    paid_at = models.DateTimeField(_("支付时间"))
    source = models.CharField(
        _("来源"), max_length=16, choices=[("callback", _("支付回调")), ("reconcile", _("对账"))]
    )
    receipt_sha256 = models.CharField(_("电子票据摘要"), max_length=64, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "provider_trade_no"], name="payment_unique_provider_trade"
            )
        ]
        verbose_name = _("缴费记录")
        verbose_name_plural = _("缴费记录")

    def __str__(self) -> str:
        return f"{self.provider}:{self.provider_trade_no}"


class CallbackLog(models.Model):
    """Every callback exactly as it arrived, verified or not: nothing a provider sent is lost,
    and a disputed payment can be traced to the bytes."""

    provider = models.CharField(max_length=32)
    received_at = models.DateTimeField(auto_now_add=True, db_index=True)
    headers = models.JSONField(default=dict)
    body = models.TextField()
    verified = models.BooleanField(default=False)
    order_number = models.CharField(max_length=32, blank=True, db_index=True)
    outcome = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-received_at", "-pk"]
        verbose_name = _("支付回调记录")
        verbose_name_plural = _("支付回调记录")

    def __str__(self) -> str:
        return f"{self.provider} {self.received_at:%Y-%m-%d %H:%M:%S} {self.outcome}"

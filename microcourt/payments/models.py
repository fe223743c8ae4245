"""Payment orders, the payments that settle them, and every callback as received.

Money is ``Decimal`` yuan with fen precision (MoneyField); an order is paid at most once:
one ``Payment`` per order and per provider transaction, enforced by unique constraints, so
a duplicated or replayed callback cannot count money twice."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from microcourt.core.crypto import EncryptedTextField, mask
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


# --------------------------------------------------------------------------- refunds


class RefundStatus(models.TextChoices):
    PENDING = "pending", _("待退费")
    PROCESSING = "processing", _("退费处理中")
    SUCCEEDED = "succeeded", _("退费成功")
    FAILED = "failed", _("退费失败")


class RefundReason(models.TextChoices):
    CLAIM_REDUCED = "claim_reduced", _("变更（减少）诉讼请求")
    DISMISSED = "dismissed", _("裁定不予受理或驳回起诉")
    HALVED = "halved", _("调解或撤诉减半收取")
    DUPLICATE = "duplicate", _("重复缴费")
    OTHER = "other", _("其他")


class Refund(BaseModel):
    """Money going back to the payer of a paid order (《诉讼费用交纳办法》第十五、二十一、
    二十七条). ``refund_no`` is what the provider keys the refund on: the same number sent
    twice refunds once."""

    order = models.ForeignKey(PaymentOrder, on_delete=models.PROTECT, related_name="refunds")
    refund_no = models.CharField(_("退费单号"), max_length=64, unique=True)
    amount = MoneyField(_("退费金额"))
    reason = models.CharField(_("退费原因"), max_length=32, choices=RefundReason.choices)
    basis = models.CharField(_("依据"), max_length=200)
    status = models.CharField(
        _("状态"),
        max_length=16,
        choices=RefundStatus.choices,
        default=RefundStatus.PENDING,
        db_index=True,
    )
    # Empty for a refund the system starts itself (a duplicate payment).
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="refunds_requested",
        verbose_name=_("经办人"),
    )
    # The second trade this refund sends back; empty: the order's own payment.
    duplicate = models.OneToOneField(
        "DuplicatePayment",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="refund",
        verbose_name=_("重复缴费"),
    )
    provider_refund_no = models.CharField(_("渠道退款单号"), max_length=64, blank=True)
    failure = models.CharField(_("失败原因"), max_length=200, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("退费")
        verbose_name_plural = _("退费")

    def __str__(self) -> str:
        return f"{self.refund_no} {self.amount}"


class DuplicateStatus(models.TextChoices):
    REFUNDING = "refunding", _("退费中")
    REFUNDED = "refunded", _("已退费")
    MANUAL = "manual", _("待财务人工退费")


class DuplicatePayment(BaseModel):
    """A second successful trade for an order that was already paid (the payer paid twice:
    two channels, two phones, a retried page). The fee is owed once; the second payment is
    not owed and goes back (《民法典》第九百八十五条): a refund through the provider that took
    it, or, when that provider refuses or cannot be used, by the court's finance staff
    (``status`` manual). One row per provider trade: the same notification delivered again
    finds its row and refunds nothing more."""

    order = models.ForeignKey(PaymentOrder, on_delete=models.PROTECT, related_name="duplicates")
    provider = models.CharField(_("支付渠道"), max_length=32)
    provider_trade_no = models.CharField(_("渠道交易号"), max_length=64)
    amount = MoneyField(_("金额"))
    paid_at = models.DateTimeField(_("支付时间"))
    source = models.CharField(
        _("来源"), max_length=16, choices=[("callback", _("支付回调")), ("reconcile", _("对账"))]
    )
    status = models.CharField(
        _("状态"),
        max_length=16,
        choices=DuplicateStatus.choices,
        default=DuplicateStatus.REFUNDING,
        db_index=True,
    )
    note = models.CharField(_("处理说明"), max_length=200, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "provider_trade_no"], name="duplicate_unique_provider_trade"
            )
        ]
        verbose_name = _("重复缴费")
        verbose_name_plural = _("重复缴费")

    def __str__(self) -> str:
        return f"{self.provider}:{self.provider_trade_no} {self.amount} {self.status}"


# --------------------------------------------------------------------------- relief


class ReliefKind(models.TextChoices):
    DEFERRAL = "deferral", _("缓交")
    REDUCTION = "reduction", _("减交")
    EXEMPTION = "exemption", _("免交")


class ReliefStatus(models.TextChoices):
    PENDING = "pending", _("待审查")
    APPROVED = "approved", _("已批准")
    REJECTED = "rejected", _("未批准")


class ReliefApplication(BaseModel):
    """An application for judicial aid on a fee (《诉讼费用交纳办法》第四十四条至第四十七条)."""

    order = models.ForeignKey(
        PaymentOrder, on_delete=models.PROTECT, related_name="relief_applications"
    )
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="relief_applications",
        verbose_name=_("申请人"),
    )
    kind = models.CharField(_("救助方式"), max_length=16, choices=ReliefKind.choices)
    percent = models.PositiveSmallIntegerField(_("减交比例（%）"), null=True, blank=True)
    for_organisation = models.BooleanField(_("为单位申请"), default=False)
    reason = models.TextField(_("申请理由"))
    status = models.CharField(
        _("状态"),
        max_length=16,
        choices=ReliefStatus.choices,
        default=ReliefStatus.PENDING,
        db_index=True,
    )
    original_amount = MoneyField(_("原应缴金额"))
    approved_amount = MoneyField(_("批准后应缴金额"), null=True, blank=True)
    original_due_date = models.DateField(_("原缴费期限"))
    new_due_date = models.DateField(_("缓交后缴费期限"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="relief_decisions",
        verbose_name=_("决定人"),
    )
    decided_at = models.DateTimeField(_("决定时间"), null=True, blank=True)
    decision_reason = models.TextField(_("决定理由"), blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["order"],
                condition=models.Q(status="pending"),
                name="relief_one_pending_per_order",
            )
        ]
        verbose_name = _("司法救助申请")
        verbose_name_plural = _("司法救助申请")

    def __str__(self) -> str:
        return f"{self.order_id} {self.kind} {self.status}"


# --------------------------------------------------------------------------- court account


class MovementKind(models.TextChoices):
    CHARGE = "charge", _("应缴")
    PAYMENT = "payment", _("缴费")
    REFUND = "refund", _("退费")
    RELIEF = "relief", _("缓减免")
    PAYOUT = "payout", _("付款")
    # Money received that was not owed (a second payment of a paid order): held until its
    # refund (a ``refund`` line) sends it back; it pays nothing off.
    OVERPAYMENT = "overpayment", _("重复缴费")


class AccountMovementQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise TypeError("account movements are append-only")

    def delete(self):
        raise TypeError("account movements are append-only")


class AccountMovement(models.Model):
    """One line of a case's court account. Append-only: a mistake is corrected by a new
    line, never by editing one. Signed: charges and money received are positive; relief,
    refunds and payouts negative."""

    case_id = models.BigIntegerField(_("案件"), null=True, blank=True, db_index=True)
    order = models.ForeignKey(
        PaymentOrder,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="movements",
        verbose_name=_("缴费单"),
    )
    kind = models.CharField(_("类型"), max_length=16, choices=MovementKind.choices)
    amount = MoneyField(_("金额"))
    note = models.CharField(_("说明"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)

    objects = AccountMovementQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("案件款项流水")
        verbose_name_plural = _("案件款项流水")

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind} {self.amount}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise TypeError("account movements are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("account movements are append-only")


# --------------------------------------------------------------------------- payouts


class PayeeAccount(BaseModel):
    """A verified person's bank account for payouts. The number is personal data:
    encrypted at rest, shown masked."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="payee_accounts",
        verbose_name=_("收款人"),
    )
    bank_name = models.CharField(_("开户银行"), max_length=100)
    account_number = EncryptedTextField(_("银行账号"))
    account_name = models.CharField(_("户名"), max_length=100)

    class Meta:
        verbose_name = _("收款账户")
        verbose_name_plural = _("收款账户")

    def __str__(self) -> str:
        return f"{self.bank_name} {self.masked_number}"

    @property
    def masked_number(self) -> str:
        return mask(self.account_number, keep_start=4, keep_end=4)


class PayoutBatchStatus(models.TextChoices):
    OPEN = "open", _("待执行")
    RUNNING = "running", _("执行中")
    DONE = "done", _("已完成")


class PayoutBatch(BaseModel):
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="payout_batches",
        verbose_name=_("经办人"),
    )
    status = models.CharField(
        _("状态"),
        max_length=16,
        choices=PayoutBatchStatus.choices,
        default=PayoutBatchStatus.OPEN,
        db_index=True,
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("付款批次")
        verbose_name_plural = _("付款批次")

    def __str__(self) -> str:
        return f"{self.pk} {self.status}"


class PayoutStatus(models.TextChoices):
    PENDING = "pending", _("待付款")
    SENDING = "sending", _("付款中")
    SENT = "sent", _("已付款")
    FAILED = "failed", _("付款失败")


class Payout(BaseModel):
    """One transfer to one payee. ``idempotency_key`` goes to the bank with every attempt,
    so a retried attempt after a killed worker cannot pay twice."""

    batch = models.ForeignKey(PayoutBatch, on_delete=models.PROTECT, related_name="payouts")
    payee = models.ForeignKey(PayeeAccount, on_delete=models.PROTECT, related_name="payouts")
    case_id = models.BigIntegerField(_("案件"), null=True, blank=True, db_index=True)
    amount = MoneyField(_("金额"))
    status = models.CharField(
        _("状态"),
        max_length=16,
        choices=PayoutStatus.choices,
        default=PayoutStatus.PENDING,
        db_index=True,
    )
    provider_ref = models.CharField(_("银行流水号"), max_length=64, blank=True)
    idempotency_key = models.CharField(max_length=64, unique=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    sent_at = models.DateTimeField(_("付款时间"), null=True, blank=True)
    failure = models.CharField(_("失败原因"), max_length=200, blank=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("付款")
        verbose_name_plural = _("付款")

    def __str__(self) -> str:
        return f"{self.idempotency_key} {self.amount} {self.status}"

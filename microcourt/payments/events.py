"""Ledger entry codes of the payments app (block 10000–10999). Permanent: never renumber."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from microcourt.notifications import templates as notification_templates


class LedgerEvent(models.IntegerChoices):
    ORDER_CREATED = 10001, _("生成缴费单")
    ORDER_PAID = 10002, _("缴费成功")
    ORDER_FAILED = 10003, _("缴费失败")
    ORDER_CLOSED = 10004, _("缴费单关闭")
    ORDER_RETRY = 10005, _("重新发起缴费")
    CALLBACK_REJECTED = 10010, _("拒绝伪造或无效的支付回调")
    RECONCILED = 10011, _("对账补记")
    DUPLICATE_RECEIVED = 10012, _("收到重复缴费")
    DUPLICATE_REFUNDED = 10013, _("重复缴费已退还")
    DUPLICATE_MANUAL = 10014, _("重复缴费转财务人工退费")
    RECEIPT_ISSUED = 10015, _("出具电子缴费凭证")
    REFUND_REQUESTED = 10020, _("申请退费")
    REFUND_SUCCEEDED = 10021, _("退费成功")
    REFUND_FAILED = 10022, _("退费失败")
    REFUND_SENT = 10023, _("退费已提交支付渠道")
    RELIEF_APPLIED = 10030, _("申请司法救助（缓减免交诉讼费）")
    RELIEF_DECIDED = 10031, _("司法救助申请决定")
    PAYEE_REGISTERED = 10040, _("登记收款账户")
    PAYOUT_BATCH_CREATED = 10041, _("生成付款批次")
    PAYOUT_SENT = 10042, _("付款成功")
    PAYOUT_FAILED = 10043, _("付款失败")
    PAYOUT_BATCH_STARTED = 10044, _("付款批次开始执行")
    PAYOUT_BATCH_DONE = 10045, _("付款批次执行完毕")
    PAYOUT_CLAIMED = 10046, _("付款已提交银行")


# Alerts to the court's finance staff (``selectors.finance_staff``) about a second payment of
# an order already paid: the money is not owed and goes back. In-app, which nobody switches off.
DUPLICATE_RECEIVED = "payments.duplicate_received"
DUPLICATE_MANUAL = "payments.duplicate_manual"

notification_templates.register(
    notification_templates.Event(
        DUPLICATE_RECEIVED,
        "payment",
        title=_("重复缴费：已自动发起退费"),
        body=_(
            "缴费单 %(order)s 已缴费，又收到一笔 %(amount)s（%(provider)s 交易号 %(trade)s）。"
            "已通过原支付渠道发起退费，退费结果将另行通知。"
        ),
        params=("order", "amount", "provider", "trade"),
        title_en="Duplicate payment: refund started",
        body_en=(
            "Order %(order)s was already paid and received another %(amount)s (%(provider)s "
            "trade %(trade)s). A refund through the same channel has been started; you will "
            "be told how it ends."
        ),
    ),
    notification_templates.Event(
        DUPLICATE_MANUAL,
        "payment",
        title=_("重复缴费待人工退费"),
        body=_(
            "缴费单 %(order)s 的重复缴费 %(amount)s（%(provider)s 交易号 %(trade)s）"
            "未能通过原支付渠道退回（%(reason)s），请人工退还并在系统中登记。"
        ),
        params=("order", "amount", "provider", "trade", "reason"),
        title_en="Duplicate payment to refund by hand",
        body_en=(
            "The duplicate payment of %(amount)s on order %(order)s (%(provider)s trade "
            "%(trade)s) could not be refunded through its channel (%(reason)s). Please refund "
            "it by hand and record it."
        ),
    ),
)

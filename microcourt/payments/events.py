"""Ledger entry codes of the payments app (block 10000–10999). Permanent: never renumber."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class LedgerEvent(models.IntegerChoices):
    ORDER_CREATED = 10001, _("生成缴费单")
    ORDER_PAID = 10002, _("缴费成功")
    ORDER_FAILED = 10003, _("缴费失败")
    ORDER_CLOSED = 10004, _("缴费单关闭")
    ORDER_RETRY = 10005, _("重新发起缴费")
    CALLBACK_REJECTED = 10010, _("拒绝伪造或无效的支付回调")
    RECONCILED = 10011, _("对账补记")
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

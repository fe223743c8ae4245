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

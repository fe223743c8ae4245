"""Ledger codes of 送达 (block 8000–8999)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class LedgerEvent(models.IntegerChoices):
    ADDRESS_CONFIRMED = 8001, _("确认送达地址")
    SERVED = 8002, _("发出送达")
    OPENED = 8003, _("受送达人查看文书")
    EFFECTIVE = 8004, _("送达生效")
    CERTIFICATE = 8005, _("生成电子送达凭证")
    POSTAL_SENT = 8006, _("邮寄送达")
    POSTAL_SIGNED = 8007, _("邮件签收")
    POSTAL_RETURNED = 8008, _("邮件退回")
    NOTICE_PUBLISHED = 8009, _("公告送达")
    PAPER_REQUESTED = 8010, _("申请纸质文书")
    FAILED = 8011, _("送达失败")

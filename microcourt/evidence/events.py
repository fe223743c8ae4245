"""Ledger entry codes of the evidence app (block 7000–7999). Permanent: never renumber."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class LedgerEvent(models.IntegerChoices):
    EXHIBIT_SUBMITTED = 7001, _("提交证据")
    OBJECTION_RAISED = 7002, _("对证据原件一致性提出异议")
    ORIGINAL_REQUIRED = 7003, _("要求提供原件")
    ORIGINAL_VERIFIED = 7004, _("核对原件一致")
    ORIGINAL_DEEMED = 7005, _("认定符合原件形式要求")
    COURT_ONLY_SET = 7006, _("设为仅法院可见")
    COURT_ONLY_VIEWED = 7007, _("查看仅法院可见的证据")
    CROSS_EXAMINATION_OPENED = 7010, _("开启质证")
    MODE_PREFERRED = 7011, _("表明质证方式意愿")
    OPINION_GIVEN = 7012, _("发表质证意见")
    REMINDER_SENT = 7013, _("质证期限届满提醒")

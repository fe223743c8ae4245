"""Ledger entry codes of the cases app (block 5000–5999). Permanent: never renumber."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class LedgerEvent(models.IntegerChoices):
    CASE_OPENED = 5001, _("登记案件")
    CASE_ACCEPTED = 5002, _("案件受理")
    CASE_NUMBER_ASSIGNED = 5003, _("编立案号")
    CASE_TRIAL_STARTED = 5004, _("案件进入审理")
    CASE_CLOSED = 5005, _("案件审结")
    CASE_WITHDRAWN = 5006, _("案件撤回")
    PARTICIPANT_ADDED = 5010, _("添加诉讼参与人")
    PARTICIPANT_LINKED = 5011, _("当事人关联账号")
    CONSENT_RECORDED = 5020, _("记录在线诉讼同意")
    CASE_PROCEDURE_SET = 5030, _("确定审理程序")

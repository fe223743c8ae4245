"""Ledger entry codes of the filing app (block 6000–6999). Permanent: never renumber."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class LedgerEvent(models.IntegerChoices):
    DRAFT_CREATED = 6001, _("创建立案申请")
    SUBMITTED = 6002, _("提交立案申请")
    FORWARDED = 6003, _("跨域立案转交")
    CORRECTION_REQUESTED = 6004, _("一次性补正通知")
    CORRECTED = 6005, _("提交补正材料")
    ACCEPTED = 6006, _("登记立案")
    REJECTED = 6007, _("裁定不予受理")
    TRANSFERRED = 6008, _("移送有管辖权的法院")
    WITHDRAWN = 6009, _("撤回立案申请")
    MATERIAL_ADDED = 6010, _("上传立案材料")
    MATERIAL_REMOVED = 6011, _("移除立案材料")
    COMPLAINT_GENERATED = 6012, _("生成起诉状")
    DOCUMENT_ISSUED = 6013, _("出具立案文书")
    INVITATION_SENT = 6020, _("通知当事人关联案件")
    CASE_LINKED = 6021, _("当事人关联案件")
    INVITATION_EXPIRED = 6022, _("逾期未关联案件")
    DEEMED_WITHDRAWN = 6030, _("未缴费按撤诉处理")

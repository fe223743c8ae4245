"""Ledger entry codes of the identity app (block 2000–2999, see ``microcourt.ledger.events``).

Codes are permanent: add new ones, never renumber or reuse one."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class LedgerEvent(models.IntegerChoices):
    API_TOKEN_ISSUED = 2001, _("签发 API 令牌")
    API_TOKEN_REVOKED = 2002, _("撤销 API 令牌")
    VERIFIED = 2010, _("实名认证通过")
    VERIFICATION_FAILED = 2011, _("实名认证未通过")
    REVIEW_REQUESTED = 2012, _("申请证件人工审核")
    REVIEW_DECIDED = 2013, _("证件人工审核决定")
    PERSONAL_DATA_VIEWED = 2020, _("查看未遮盖的个人信息")
    PERSONAL_DATA_EXPORTED = 2021, _("导出本人数据")
    ORGANISATION_REGISTERED = 2030, _("单位认证")
    ORGANISATION_MEMBER_AUTHORISED = 2031, _("单位授权员工")
    ORGANISATION_REVIEWED = 2032, _("单位认证审核")
    LAWYER_APPLIED = 2040, _("申请律师认证")
    LAWYER_REVIEWED = 2041, _("律师认证审核")
    AUTHORISATION_GRANTED = 2050, _("授权委托")
    AUTHORISATION_REVOKED = 2051, _("撤销授权委托")
    # Platform administration (issue 13): changes made in /admin/ and operators appointed.
    ADMIN_CHANGED = 2060, _("管理后台变更数据")
    OPERATOR_APPOINTED = 2061, _("设立平台运维人员")
    OPERATOR_REVOKED = 2062, _("撤销平台运维人员")

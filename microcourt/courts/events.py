"""Ledger entry codes of the courts app (block 3000–3999, see ``microcourt.ledger.events``).

Codes are permanent: add new ones, never renumber or reuse one."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class LedgerEvent(models.IntegerChoices):
    COURT_SEED_LOADED = 3001, _("载入法院基础数据")
    COURT_CLOSURE_RECORDED = 3002, _("登记法院停止办公日")
    COURT_NAVIGATION_UPDATED = 3003, _("修改法院导航信息")

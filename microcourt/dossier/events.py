"""Ledger entry codes of the e-dossier (block 18000–18999). Permanent: never renumber."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class LedgerEvent(models.IntegerChoices):
    BUILT = 18001, _("生成电子卷宗")
    READ = 18002, _("阅卷")
    COURT_ONLY_READ = 18003, _("查阅仅法院可见的材料")
    REQUESTED = 18004, _("申请装订电子卷宗")
    FAILED = 18005, _("电子卷宗装订失败")

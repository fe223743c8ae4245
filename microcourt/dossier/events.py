"""Ledger entry codes of the e-dossier (block 18000–18999). Permanent: never renumber."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class LedgerEvent(models.IntegerChoices):
    BUILT = 18001, _("生成电子卷宗")
    READ = 18002, _("阅卷")
    COURT_ONLY_READ = 18003, _("查阅仅法院可见的材料")

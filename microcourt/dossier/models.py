"""The e-dossier (电子卷宗, 在线诉讼规则第三十五条): one PDF per build with a catalogue and
bookmarks, built from what the case holds at that moment. Builds are kept: a later build
never changes what an earlier reader was given."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Audience(models.TextChoices):
    COURT = "court", _("法院卷宗（含仅法院可见材料）")
    PARTIES = "parties", _("当事人阅卷")


class DossierBuild(models.Model):
    case = models.ForeignKey(
        "cases.Case",
        on_delete=models.CASCADE,
        related_name="dossier_builds",
        verbose_name=_("案件"),
    )
    audience = models.CharField(_("阅卷范围"), max_length=16, choices=Audience.choices)
    built_at = models.DateTimeField(_("生成时间"), auto_now_add=True)
    built_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("生成人"),
    )
    sha256 = models.CharField(max_length=64)
    size = models.PositiveBigIntegerField(_("大小"))
    path = models.CharField(max_length=300)
    pages = models.PositiveIntegerField(_("页数"))
    # [{"section", "title", "category", "first_page", "pages", "sha256", "court_only"}]
    catalogue = models.JSONField(_("目录"), default=list)

    class Meta:
        ordering = ["-built_at", "-pk"]
        verbose_name = _("电子卷宗")
        verbose_name_plural = _("电子卷宗")

    def __str__(self) -> str:
        return f"{self.case_id} {self.audience} {self.built_at:%Y-%m-%d %H:%M}"

    @property
    def digest(self) -> str:
        return f"sha256:{self.sha256}"

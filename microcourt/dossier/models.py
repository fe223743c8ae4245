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


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("排队中")
    BUILDING = "building", _("装订中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("装订失败")


class Failure(models.TextChoices):
    TIMEOUT = "timeout", _("装订超时")
    REFUSED = "refused", _("无权装订")
    ERROR = "error", _("装订出错")


class DossierJob(models.Model):
    """One request to bind a dossier and what came of it: the page shows it (排队中, 装订中,
    装订失败 with the reason) until its build is there. Rendering runs outside any
    transaction, within ``RENDER_BUDGET_SECONDS``; a build past it fails alone."""

    case = models.ForeignKey(
        "cases.Case", on_delete=models.CASCADE, related_name="dossier_jobs", verbose_name=_("案件")
    )
    audience = models.CharField(_("阅卷范围"), max_length=16, choices=Audience.choices)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("申请人"),
    )
    requested_at = models.DateTimeField(_("申请时间"), auto_now_add=True)
    status = models.CharField(
        _("状态"), max_length=16, choices=JobStatus.choices, default=JobStatus.QUEUED
    )
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    failure = models.CharField(_("失败原因"), max_length=16, choices=Failure.choices, blank=True)
    # The budget the render had, for the reason shown ("超过 120 秒").
    budget_seconds = models.PositiveIntegerField(null=True, blank=True)
    build = models.ForeignKey(
        DossierBuild, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-requested_at", "-pk"]
        indexes = [models.Index(fields=["case", "audience", "-requested_at"])]
        verbose_name = _("卷宗装订任务")
        verbose_name_plural = _("卷宗装订任务")

    def __str__(self) -> str:
        return f"{self.case_id} {self.audience} {self.status}"

    @property
    def reason(self) -> str:
        """Why it failed, in the reader's language (empty unless failed)."""
        from microcourt.core import pdf

        if self.status != JobStatus.FAILED:
            return ""
        if self.failure == Failure.TIMEOUT:
            return pdf.message(self.budget_seconds or pdf.budget_seconds())
        if self.failure == Failure.REFUSED:
            return str(_("您已不能查阅本案卷宗，未装订。"))
        return str(_("装订时出错，未生成卷宗。请重新装订；仍失败时请联系法院工作人员。"))

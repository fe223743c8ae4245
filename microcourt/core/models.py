"""Infrastructure tables only; no domain models live in core (ARCHITECTURE §3)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class BaseModel(models.Model):
    """Every domain table: creation and change times, stored in UTC."""

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class CalendarException(models.Model):
    """A national day whose working status differs from Monday–Friday: a public holiday
    on a weekday, or an adjusted working day (调休) at a weekend."""

    date = models.DateField(_("日期"), unique=True)
    is_working_day = models.BooleanField(_("是否工作日"))
    name = models.CharField(_("名称"), max_length=64, blank=True)
    source = models.CharField(_("来源"), max_length=64, default="chinese-calendar")

    class Meta:
        ordering = ["date"]
        verbose_name = _("节假日调整")
        verbose_name_plural = _("节假日调整")

    def __str__(self) -> str:
        kind = _("工作日") if self.is_working_day else _("休息日")
        return f"{self.date} {self.name} ({kind})"


class CalendarYear(models.Model):
    """A year whose official holiday table is loaded; deadlines in other years are provisional."""

    year = models.PositiveSmallIntegerField(_("年份"), primary_key=True)
    source = models.CharField(_("来源"), max_length=64)
    loaded_at = models.DateTimeField(_("载入时间"), auto_now=True)

    class Meta:
        ordering = ["year"]
        verbose_name = _("已载入节假日安排的年份")
        verbose_name_plural = _("已载入节假日安排的年份")

    def __str__(self) -> str:
        return str(self.year)


class WorkerHeartbeat(models.Model):
    """A task worker's last sign of life; /healthz reports a stale one as down."""

    worker_id = models.CharField(max_length=64, unique=True)
    host = models.CharField(max_length=255)
    pid = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    last_seen = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.worker_id}@{self.host}"


class PeriodicJob(models.Model):
    """When a periodic task last ran; the conditional update that claims a run makes one
    worker, not every worker, enqueue it."""

    name = models.CharField(max_length=128, unique=True)
    last_run = models.DateTimeField(null=True)
    next_run = models.DateTimeField(null=True)

    def __str__(self) -> str:
        return self.name

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
    """A task worker's last sign of life; /healthz reports a stale one as down. It also
    holds the worker's lease on the task it runs (``core.jobs``): a running task whose
    worker went silent, or no longer says it runs it, is taken back and run again."""

    worker_id = models.CharField(max_length=64, unique=True)
    host = models.CharField(max_length=255)
    pid = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    last_seen = models.DateTimeField(db_index=True)
    # The queues it takes tasks from ("*": all), and the task it is running ("" when idle).
    queues = models.CharField(max_length=200, default="*")
    current_task = models.CharField(max_length=64, blank=True, default="")

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


class DeadLetter(models.Model):
    """A background task that failed every one of its attempts (``core.jobs``): kept with its
    last error for the platform operators, who are alerted, until one of them runs it again
    or marks it handled. /healthz reports the queue degraded while any is open."""

    task_id = models.CharField(_("任务编号"), max_length=64, unique=True)
    task_path = models.CharField(_("任务"), max_length=255)
    queue_name = models.CharField(_("队列"), max_length=32)
    args_kwargs = models.JSONField(_("参数"), default=dict)
    attempts = models.PositiveSmallIntegerField(_("尝试次数"))
    exception_class_path = models.CharField(_("错误类型"), max_length=255, blank=True)
    error = models.TextField(_("错误"), blank=True)
    traceback = models.TextField(_("错误堆栈"), blank=True)
    failed_at = models.DateTimeField(_("最终失败时间"), db_index=True)
    resolved_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    resolution = models.CharField(_("处理方式"), max_length=200, blank=True)

    class Meta:
        ordering = ["-failed_at"]
        verbose_name = _("失败的后台任务")
        verbose_name_plural = _("失败的后台任务")

    def __str__(self) -> str:
        return f"{self.task_path.rsplit('.', 1)[-1]} {self.task_id}"

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from . import jobs
from .admin_scope import CourtScopedAdmin, scope_registered_admins
from .models import CalendarException, CalendarYear, DeadLetter, WorkerHeartbeat

# Django's, allauth's and the task queue's admins were registered before this module (their
# apps come first in INSTALLED_APPS): give them the platform's rules too. A test checks that
# every registered admin follows them.
scope_registered_admins()


@admin.register(CalendarException)
class CalendarExceptionAdmin(CourtScopedAdmin):
    """The national holiday calendar: platform operators only, with a reason (a court's own
    closed days are its 停止办公日, on the court's page)."""

    reason_required = True
    list_display = ("date", "name", "is_working_day", "source")
    list_filter = ("is_working_day", "source")
    date_hierarchy = "date"

    def save_model(self, request, obj, form, change):
        obj.source = f"admin:{request.user.username}"[:64]
        super().save_model(request, obj, form, change)


@admin.register(CalendarYear)
class CalendarYearAdmin(CourtScopedAdmin):
    list_display = ("year", "source", "loaded_at")


@admin.register(WorkerHeartbeat)
class WorkerHeartbeatAdmin(CourtScopedAdmin):
    list_display = ("worker_id", "queues", "host", "pid", "started_at", "last_seen", "current_task")


class OpenFilter(admin.SimpleListFilter):
    title = _("状态")
    parameter_name = "open"

    def lookups(self, request, model_admin):
        return [("yes", _("待处理")), ("no", _("已处理"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(resolved_at__isnull=True)
        if self.value() == "no":
            return queryset.filter(resolved_at__isnull=False)
        return queryset


@admin.register(DeadLetter)
class DeadLetterAdmin(CourtScopedAdmin):
    """The dead-letter list: background tasks that failed every attempt, with their error.
    Platform operators only (no court field). Read-only; two actions: run again, handled."""

    list_display = (
        "failed_at",
        "task_path",
        "queue_name",
        "attempts",
        "short_error",
        "resolved_at",
    )
    list_filter = (OpenFilter, "queue_name", "task_path")
    search_fields = ("task_id", "task_path", "error")
    date_hierarchy = "failed_at"
    actions = ["requeue", "dismiss"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description=_("错误"))
    def short_error(self, obj: DeadLetter) -> str:
        return obj.error[:120]

    def get_actions(self, request):
        # The actions write: a viewer who is no operator (none gets this far today) has none.
        return super().get_actions(request) if self._may(request, None) else {}

    def _act(self, request, queryset, act, action: str, done) -> None:
        count = 0
        for letter in queryset.filter(resolved_at__isnull=True):
            act(letter, by=request.user.get_username())
            self.record_change(request, letter, "change", fields=["resolved_at", action])
            count += 1
        self.message_user(request, done % {"n": count}, messages.SUCCESS)

    @admin.action(description=_("重新执行所选任务"))
    def requeue(self, request, queryset) -> None:
        self._act(
            request, queryset, jobs.dead_letter_requeue, "requeue", _("已重新排队 %(n)s 个任务。")
        )

    @admin.action(description=_("标记为已处理"))
    def dismiss(self, request, queryset) -> None:
        self._act(
            request,
            queryset,
            jobs.dead_letter_dismiss,
            "dismiss",
            _("已标记 %(n)s 个任务为已处理。"),
        )

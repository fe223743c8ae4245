from django.contrib import admin

from .admin_scope import CourtScopedAdmin, scope_registered_admins
from .models import CalendarException, CalendarYear, WorkerHeartbeat

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
    list_display = ("worker_id", "host", "pid", "started_at", "last_seen")

from django.contrib import admin

from .models import CalendarException, CalendarYear, WorkerHeartbeat


@admin.register(CalendarException)
class CalendarExceptionAdmin(admin.ModelAdmin):
    list_display = ("date", "name", "is_working_day", "source")
    list_filter = ("is_working_day", "source")
    date_hierarchy = "date"

    def save_model(self, request, obj, form, change):
        obj.source = f"admin:{request.user.username}"[:64]
        super().save_model(request, obj, form, change)


@admin.register(CalendarYear)
class CalendarYearAdmin(admin.ModelAdmin):
    list_display = ("year", "source", "loaded_at")


@admin.register(WorkerHeartbeat)
class WorkerHeartbeatAdmin(admin.ModelAdmin):
    list_display = ("worker_id", "host", "pid", "started_at", "last_seen")

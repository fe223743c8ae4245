from django.contrib import admin

from microcourt.core.admin_scope import CourtScopedAdmin

from .models import Message, Pin, Reminder, Thread


class ReadOnly(CourtScopedAdmin):
    """Messages are evidence: the admin may look, never change."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Message)
class MessageAdmin(ReadOnly):
    court_field = "case__court"
    list_display = ("case", "seq", "thread", "sender_name", "sender_role", "kind", "created_at")
    list_filter = ("kind",)


@admin.register(Thread)
class ThreadAdmin(ReadOnly):
    court_field = "case__court"
    list_display = ("case", "kind", "party", "created_at")


@admin.register(Pin)
class PinAdmin(ReadOnly):
    court_field = "case__court"
    list_display = ("case", "message", "pinned_at", "unpinned_at")


@admin.register(Reminder)
class ReminderAdmin(ReadOnly):
    court_field = "message__case__court"
    list_display = ("message", "created_at", "escalate_at")

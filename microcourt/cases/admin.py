from django.contrib import admin

from microcourt.core.admin_scope import CourtScopedAdmin

from .models import Case, CaseParticipant, CaseType


@admin.register(CaseType)
class CaseTypeAdmin(CourtScopedAdmin):
    """Type codes are national data that platform operators correct against the official
    standard."""

    list_display = ("code", "name", "official", "active")
    list_filter = ("official", "active")
    list_editable = ("official", "active")
    search_fields = ("code", "name")


class CaseParticipantInline(admin.TabularInline):
    model = CaseParticipant
    fk_name = "case"
    fields = ("display_name", "role", "represents", "active", "joined_at")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Case)
class CaseAdmin(CourtScopedAdmin):
    """Read-only: cases change only through actions, which write the ledger."""

    court_field = "court"

    list_display = ("number", "title", "court", "case_type", "status", "filed_at")
    list_filter = ("status", "case_type")
    search_fields = ("number", "title")
    readonly_fields = [f.name for f in Case._meta.fields]
    inlines = [CaseParticipantInline]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

from django.contrib import admin

from .models import Case, CaseParticipant, CaseType


@admin.register(CaseType)
class CaseTypeAdmin(admin.ModelAdmin):
    """Type codes are data administrators correct against the official standard."""

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
class CaseAdmin(admin.ModelAdmin):
    """Read-only: cases change only through actions, which write the ledger."""

    list_display = ("number", "title", "court", "case_type", "status", "filed_at")
    list_filter = ("status", "case_type")
    search_fields = ("number", "title")
    readonly_fields = [f.name for f in Case._meta.fields]
    inlines = [CaseParticipantInline]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

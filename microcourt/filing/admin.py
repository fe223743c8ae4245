from django.contrib import admin

from microcourt.core.admin_scope import CourtScopedAdmin

from .models import CauseOfAction, Filing, FilingDecision


@admin.register(CauseOfAction)
class CauseOfActionAdmin(CourtScopedAdmin):
    """案由 are national data: platform operators add, correct, reorder and retire them here."""

    list_display = ["name", "category", "assistant", "rank", "active"]
    list_filter = ["category", "active"]
    list_editable = ["rank", "active"]
    search_fields = ["name", "keywords"]


class DecisionInline(admin.TabularInline):
    model = FilingDecision
    fields = ["kind", "at", "actor", "court", "target_court", "deadline", "reasons"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Filing)
class FilingAdmin(CourtScopedAdmin):
    """Read-only: filings change only through the applicant's wizard and the filing desk,
    so every change is in the ledger. Party details are not shown here (personal data)."""

    court_field = "court"

    list_display = ["number", "court", "kind", "cause", "status", "submitted_at", "review_due_at"]
    list_filter = ["status", "kind", "court"]
    search_fields = ["number"]
    fields = [
        "number", "court", "receiving_court", "kind", "cause", "status", "submitted_at",
        "review_due_at", "review_basis", "correction_due", "case", "content_digest",
    ]  # fmt: skip
    readonly_fields = fields
    inlines = [DecisionInline]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

from django.contrib import admin

from microcourt.core.admin_scope import CourtScopedAdmin

from .models import DossierBuild


@admin.register(DossierBuild)
class DossierBuildAdmin(CourtScopedAdmin):
    court_field = "case__court"
    list_display = ["case", "audience", "built_at", "pages", "sha256"]
    list_filter = ["audience"]
    readonly_fields = [
        "case",
        "audience",
        "built_at",
        "built_by",
        "sha256",
        "size",
        "path",
        "pages",
        "catalogue",
    ]

    def has_add_permission(self, request):
        return False

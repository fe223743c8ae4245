from django.contrib import admin

from microcourt.core.admin_scope import CourtScopedAdmin

from .models import CrossExamination, Exhibit, Opinion


@admin.register(Exhibit)
class ExhibitAdmin(CourtScopedAdmin):
    court_field = "case__court"
    list_display = ["case", "number", "name", "kind", "original_status", "court_only"]
    list_filter = ["kind", "original_status", "court_only"]
    readonly_fields = [f.name for f in Exhibit._meta.fields]


@admin.register(CrossExamination)
class CrossExaminationAdmin(CourtScopedAdmin):
    court_field = "case__court"
    list_display = ["case", "mode", "deadline", "reminded_at"]
    readonly_fields = ["case", "opened_by", "proposed_mode", "mode", "deadline", "reminded_at"]


@admin.register(Opinion)
class OpinionAdmin(CourtScopedAdmin):
    court_field = "cross_examination__case__court"
    list_display = ["cross_examination", "exhibit", "participant", "authenticity", "legality",
                    "relevance"]  # fmt: skip
    readonly_fields = [f.name for f in Opinion._meta.fields]

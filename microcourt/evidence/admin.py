from django.contrib import admin

from .models import CrossExamination, Exhibit, Opinion


@admin.register(Exhibit)
class ExhibitAdmin(admin.ModelAdmin):
    list_display = ["case", "number", "name", "kind", "original_status", "court_only"]
    list_filter = ["kind", "original_status", "court_only"]
    readonly_fields = [f.name for f in Exhibit._meta.fields]


@admin.register(CrossExamination)
class CrossExaminationAdmin(admin.ModelAdmin):
    list_display = ["case", "mode", "deadline", "reminded_at"]
    readonly_fields = ["case", "opened_by", "proposed_mode", "mode", "deadline", "reminded_at"]


@admin.register(Opinion)
class OpinionAdmin(admin.ModelAdmin):
    list_display = ["cross_examination", "exhibit", "participant", "authenticity", "legality",
                    "relevance"]  # fmt: skip
    readonly_fields = [f.name for f in Opinion._meta.fields]

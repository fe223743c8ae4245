from django.contrib import admin

from .models import Court, CourtClosure, Division, StaffAssignment


class DivisionInline(admin.TabularInline):
    model = Division
    extra = 0


class ClosureInline(admin.TabularInline):
    model = CourtClosure
    extra = 0


@admin.register(Court)
class CourtAdmin(admin.ModelAdmin):
    list_display = (
        "code",
        "name",
        "level",
        "specialty",
        "province",
        "city",
        "code_inferred",
        "nav_inferred",
        "active",
    )
    list_filter = ("level", "specialty", "province", "code_inferred", "nav_inferred", "active")
    search_fields = ("code", "name", "short_name", "name_en")
    autocomplete_fields = ("parent",)
    inlines = [DivisionInline, ClosureInline]


@admin.register(StaffAssignment)
class StaffAssignmentAdmin(admin.ModelAdmin):
    list_display = ("user", "role", "court", "division", "active")
    list_filter = ("role", "active", "court")
    search_fields = ("user__username", "user__display_name", "court__name")
    autocomplete_fields = ("user", "court")

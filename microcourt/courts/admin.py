from django.contrib import admin

from microcourt.core.admin_scope import CourtScopedAdmin, is_operator
from microcourt.identity.roles import OrgRole

from .models import Court, CourtClosure, Division, StaffAssignment


class DivisionInline(admin.TabularInline):
    model = Division
    extra = 0


class ClosureInline(admin.TabularInline):
    model = CourtClosure
    extra = 0


@admin.register(Court)
class CourtAdmin(CourtScopedAdmin):
    """A court's administrator keeps its contact and navigation details, divisions and
    closed days; its code, name, level and place in the hierarchy are national data that
    platform operators correct."""

    court_field = "pk"
    reason_required = True
    national_fields = (
        "code",
        "name",
        "level",
        "specialty",
        "parent",
        "province",
        "city",
        "district",
        "division_code",
        "code_inferred",
        "source",
        "active",
    )
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

    def get_readonly_fields(self, request, obj=None):
        readonly = tuple(super().get_readonly_fields(request, obj))
        return readonly if is_operator(request) else readonly + self.national_fields

    def has_add_permission(self, request):
        return is_operator(request) and super().has_add_permission(request)


@admin.register(StaffAssignment)
class StaffAssignmentAdmin(CourtScopedAdmin):
    """A court administrator gives and withdraws roles at their own court, to people who
    already hold one there; court administrators themselves are appointed, and new people
    given their first role, by platform operators. Roles are withdrawn by unticking
    "在岗", never deleted: the record of who held what stays."""

    court_field = "court"
    reason_required = True
    list_display = ("user", "role", "court", "division", "active")
    list_filter = ("role", "active", ("court", admin.RelatedOnlyFieldListFilter))
    search_fields = ("user__username", "user__display_name", "court__name")
    autocomplete_fields = ("user", "court")

    def has_change_permission(self, request, obj=None):
        # Not even their own: a court administrator cannot widen or hand on that role.
        if obj is not None and obj.role == OrgRole.COURT_ADMIN and not is_operator(request):
            return False
        return super().has_change_permission(request, obj)

    def formfield_for_choice_field(self, db_field, request, **kwargs):
        if db_field.name == "role" and not is_operator(request):
            kwargs["choices"] = [
                choice
                for choice in db_field.get_choices(include_blank=True)
                if choice[0] != OrgRole.COURT_ADMIN
            ]
        return super().formfield_for_choice_field(db_field, request, **kwargs)

import functools

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm
from django.db import transaction
from django.http import Http404
from django.template import engines
from django.utils.translation import gettext_lazy as _

from microcourt.core.admin_scope import REASON, CourtScopedAdmin, is_operator, reason_field

from .models import (
    ApiToken,
    LawyerProfile,
    Organisation,
    RealNameIdentity,
    User,
    Verification,
)


class PasswordChangeWithReason(AdminPasswordChangeForm):
    reason = reason_field()


# Django's password page lays out its own fields one by one; the reason goes in its form_top
# block (a string here, so the page stays Django's own apart from this one field).
REASON_TEMPLATE = """{% extends "admin/auth/user/change_password.html" %}
{% block form_top %}<fieldset class="module aligned"><div class="form-row field-reason">
{{ form.reason.errors }}
<div class="flex-container">{{ form.reason.label_tag }} {{ form.reason }}</div>
<div class="help">{{ form.reason.help_text }}</div>
</div></fieldset>{% endblock %}"""


@functools.cache
def _password_page():
    return engines["django"].from_string(REASON_TEMPLATE)


@admin.register(User)
class UserAdmin(CourtScopedAdmin, BaseUserAdmin):
    """Accounts are the platform operators': passwords, flags, groups and permissions. A
    court administrator sees only the names of the people who hold (or held) a role at their
    court, read-only, so as to give them roles there; never a password page or a citizen."""

    court_field = "staff_assignments__court"
    reason_required = True
    change_password_form = PasswordChangeWithReason
    list_display = ("username", "display_name", "masked_phone", "is_active", "is_staff")
    search_fields = ("username", "display_name")
    ordering = ("username",)
    readonly_fields = ("masked_phone", "date_joined", "last_login")
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (
            _("个人信息"),
            {"fields": ("display_name", "masked_phone", "email", "preferred_language")},
        ),
        (_("权限"), {"fields": ("is_active", "is_staff", "is_superuser", "groups")}),
        (_("时间"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("username", "display_name", "password1", "password2"),
            },
        ),
    )
    filter_horizontal = ("groups",)
    list_filter = ("is_active", "is_staff")

    def has_add_permission(self, request):
        return is_operator(request) and super().has_add_permission(request)

    def has_change_permission(self, request, obj=None):
        return is_operator(request) and super().has_change_permission(request, obj)

    def get_fieldsets(self, request, obj=None):
        if not is_operator(request):
            return ((None, {"fields": ("username", "display_name")}),)
        return super().get_fieldsets(request, obj)

    def get_list_display(self, request):
        if not is_operator(request):
            return ("username", "display_name")
        return super().get_list_display(request)

    def get_list_filter(self, request):
        return super().get_list_filter(request) if is_operator(request) else ()

    @property
    def change_user_password_template(self):
        return _password_page()

    def user_change_password(self, request, id, form_url=""):
        # "Not found", not "forbidden", for anyone but an operator (no existence leak).
        if not is_operator(request):
            raise Http404
        request.admin_password_change = True
        with transaction.atomic():
            return super().user_change_password(request, id, form_url)

    def log_change(self, request, obj, message):
        """Django calls this right after a password is set; the ledger gets that it was
        (and why), never the password."""
        entry = super().log_change(request, obj, message)
        if getattr(request, "admin_password_change", False):
            reason = request.POST.get(REASON, "").strip()  # the form has checked it is there
            self.record_change(request, obj, "password", fields=["password"], reason=reason)
        return entry


@admin.register(ApiToken)
class ApiTokenAdmin(CourtScopedAdmin):
    list_display = ("prefix", "user", "name", "created_at", "expires_at", "revoked_at")
    readonly_fields = ("prefix", "key_hash", "user", "created_at", "last_used_at")


@admin.register(RealNameIdentity)
class RealNameIdentityAdmin(CourtScopedAdmin):
    """Operators see who is verified; numbers stay masked here (the full value is read
    through the recorded reveal, not the admin)."""

    list_display = ("user", "name", "id_type", "masked_number", "valid_until")
    search_fields = ("name", "user__username")
    fields = (
        "user",
        "name",
        "id_type",
        "masked_number",
        "gender",
        "ethnicity",
        "birth_date",
        "valid_until",
    )
    readonly_fields = fields

    @admin.display(description=_("证件号码"))
    def masked_number(self, obj):
        from microcourt.core.crypto import mask

        return mask(obj.id_number, keep_start=4, keep_end=4)

    def has_add_permission(self, request):
        return False


@admin.register(Verification)
class VerificationAdmin(CourtScopedAdmin):
    list_display = ("user", "method", "purpose", "status", "score", "created_at", "reviewed_by")
    list_filter = ("method", "purpose", "status")
    exclude = ("claimed_id_number",)
    readonly_fields = [f.name for f in Verification._meta.fields if f.name != "claimed_id_number"]

    def has_add_permission(self, request):
        return False


@admin.register(Organisation)
class OrganisationAdmin(CourtScopedAdmin):
    list_display = ("name", "uscc", "legal_representative_name", "status")
    list_filter = ("status",)
    search_fields = ("name", "uscc")


@admin.register(LawyerProfile)
class LawyerProfileAdmin(CourtScopedAdmin):
    list_display = ("user", "licence_number", "law_firm", "status", "reviewed_by")
    list_filter = ("status",)
    readonly_fields = ("reviewed_by", "reviewed_at")

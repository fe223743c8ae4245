from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import (
    ApiToken,
    LawyerProfile,
    Organisation,
    RealNameIdentity,
    User,
    Verification,
)


@admin.register(User)
class UserAdmin(BaseUserAdmin):
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


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("prefix", "user", "name", "created_at", "expires_at", "revoked_at")
    readonly_fields = ("prefix", "key_hash", "user", "created_at", "last_used_at")


@admin.register(RealNameIdentity)
class RealNameIdentityAdmin(admin.ModelAdmin):
    """Court administrators see who is verified; numbers stay masked here (the full value
    is read through the recorded reveal, not the admin)."""

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
class VerificationAdmin(admin.ModelAdmin):
    list_display = ("user", "method", "purpose", "status", "score", "created_at", "reviewed_by")
    list_filter = ("method", "purpose", "status")
    exclude = ("claimed_id_number",)
    readonly_fields = [f.name for f in Verification._meta.fields if f.name != "claimed_id_number"]

    def has_add_permission(self, request):
        return False


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ("name", "uscc", "legal_representative_name", "status")
    list_filter = ("status",)
    search_fields = ("name", "uscc")


@admin.register(LawyerProfile)
class LawyerProfileAdmin(admin.ModelAdmin):
    list_display = ("user", "licence_number", "law_firm", "status", "reviewed_by")
    list_filter = ("status",)
    readonly_fields = ("reviewed_by", "reviewed_at")

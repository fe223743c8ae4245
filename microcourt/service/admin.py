from django.contrib import admin

from microcourt.core.admin_scope import CourtScopedAdmin

from .models import AddressConfirmation, Service


@admin.register(Service)
class ServiceAdmin(CourtScopedAdmin):
    court_field = "case__court"
    list_display = ("pk", "case", "recipient", "method", "status", "effective_at", "basis")
    list_filter = ("method", "status", "basis")
    readonly_fields = [f.name for f in Service._meta.fields]

    def has_add_permission(self, request):
        return False  # served only through the actions, which write the ledger


@admin.register(AddressConfirmation)
class AddressConfirmationAdmin(CourtScopedAdmin):
    court_field = "case__court"
    list_display = ("pk", "case", "participant", "method", "consent", "created_at")
    readonly_fields = [f.name for f in AddressConfirmation._meta.fields]

    def has_add_permission(self, request):
        return False

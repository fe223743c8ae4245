from django.contrib import admin

from microcourt.core.admin_scope import CourtScopedAdmin

from .models import CallbackLog, Payment, PaymentOrder


@admin.register(PaymentOrder)
class PaymentOrderAdmin(CourtScopedAdmin):
    court_field = "court"
    list_display = ("number", "kind", "amount", "status", "due_date", "provider", "paid_at")
    list_filter = ("status", "kind", "provider")
    search_fields = ("number",)
    readonly_fields = [f.name for f in PaymentOrder._meta.fields]

    def has_add_permission(self, request):
        return False  # orders come from fee notices, not from the admin


@admin.register(Payment)
class PaymentAdmin(CourtScopedAdmin):
    court_field = "order__court"
    list_display = ("order", "provider", "provider_trade_no", "amount", "paid_at", "source")
    readonly_fields = [f.name for f in Payment._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(CallbackLog)
class CallbackLogAdmin(CourtScopedAdmin):
    list_display = ("provider", "received_at", "verified", "order_number", "outcome")
    list_filter = ("provider", "verified")
    readonly_fields = [f.name for f in CallbackLog._meta.fields]

    def has_add_permission(self, request):
        return False

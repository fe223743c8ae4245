from django.contrib import admin

from microcourt.core.admin_scope import CourtScopedAdmin

from .models import CallbackLog, DuplicatePayment, Payment, PaymentOrder


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


@admin.register(DuplicatePayment)
class DuplicatePaymentAdmin(CourtScopedAdmin):
    """The finance queue of second payments: ``manual`` ones wait for a refund by hand."""

    court_field = "order__court"
    list_display = ("order", "provider", "provider_trade_no", "amount", "status", "created_at")
    list_filter = ("status", "provider")
    search_fields = ("order__number", "provider_trade_no")
    readonly_fields = [f.name for f in DuplicatePayment._meta.fields]

    def has_add_permission(self, request):
        return False  # recorded from the provider's notification, changed by its actions

from django.contrib import admin

from .models import Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("id", "channel", "event", "status", "attempts", "created_at", "sent_at")
    list_filter = ("channel", "status", "event")
    readonly_fields = [f.name for f in Notification._meta.fields if f.name != "address"]
    exclude = ("address",)

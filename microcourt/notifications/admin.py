from django.contrib import admin

from microcourt.core.admin_scope import CourtScopedAdmin

from .models import LocalGatewayMessage, Notification, Preference, WechatBinding


@admin.register(Notification)
class NotificationAdmin(CourtScopedAdmin):
    list_display = (
        "id",
        "channel",
        "event",
        "status",
        "attempts",
        "created_at",
        "sent_at",
        "delivery",
    )
    list_filter = ("channel", "status", "delivery", "event")
    readonly_fields = [f.name for f in Notification._meta.fields if f.name != "address"]
    exclude = ("address",)


@admin.register(Preference)
class PreferenceAdmin(CourtScopedAdmin):
    list_display = ("user", "category", "channel", "enabled", "updated_at")
    list_filter = ("category", "channel", "enabled")
    raw_id_fields = ("user",)


@admin.register(WechatBinding)
class WechatBindingAdmin(CourtScopedAdmin):
    list_display = ("user", "appid", "updated_at")
    raw_id_fields = ("user",)
    exclude = ("openid", "unionid")  # identifiers of a person's WeChat: not shown


@admin.register(LocalGatewayMessage)
class LocalGatewayMessageAdmin(CourtScopedAdmin):
    list_display = ("created_at", "channel", "to_masked", "event", "send_count")
    list_filter = ("channel",)
    readonly_fields = [f.name for f in LocalGatewayMessage._meta.fields]

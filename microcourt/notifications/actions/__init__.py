"""The notifications app's writes (ARCHITECTURE §4.2): queueing (``notify``,
``notify_many``, reminders), delivery with retries and recovery, delivery reports from the
gateways, and what a person sets (preferences, WeChat binding). Import this module, not
its parts: ``from microcourt.notifications import actions as notifications``."""

from .delivery import (
    BACKOFF_BASE_SECONDS,
    BACKOFF_MAX_SECONDS,
    STALE_CLAIM,
    BatchResult,
    backoff,
    notification_deliver,
    notifications_deliver_batch,
    notifications_due,
    stale_claim,
    wechat_appid,
)
from .outbox import (
    DEFAULT_OFFSETS,
    notification_mark_read,
    notifications_mark_all_read,
    notify,
    notify_many,
    push_inapp,
    push_inapp_many,
    reminders_cancel,
    reminders_schedule,
    unread_count,
    user_group,
)
from .people import (
    SWITCHABLE,
    GatewayUnavailable,
    preference_set,
    preferences_save,
    wechat_bind,
)
from .reports import sms_reports_receive, wechat_sent_events_receive

__all__ = [
    "BACKOFF_BASE_SECONDS",
    "BACKOFF_MAX_SECONDS",
    "DEFAULT_OFFSETS",
    "STALE_CLAIM",
    "SWITCHABLE",
    "BatchResult",
    "GatewayUnavailable",
    "backoff",
    "notification_deliver",
    "notification_mark_read",
    "notifications_deliver_batch",
    "notifications_due",
    "notifications_mark_all_read",
    "notify",
    "notify_many",
    "preference_set",
    "preferences_save",
    "push_inapp",
    "push_inapp_many",
    "reminders_cancel",
    "reminders_schedule",
    "sms_reports_receive",
    "stale_claim",
    "unread_count",
    "user_group",
    "wechat_appid",
    "wechat_bind",
    "wechat_sent_events_receive",
]

"""Ledger entry codes of the spaces app (block 11000–11999). Permanent: never renumber."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class LedgerEvent(models.IntegerChoices):
    MESSAGE_POSTED = 11001, _("案件空间发送消息")
    MESSAGE_RETRACTED = 11002, _("案件空间撤回消息")
    MESSAGE_PINNED = 11003, _("置顶法院通知")
    MESSAGE_UNPINNED = 11004, _("取消置顶")
    READ_MARKED = 11005, _("消息已读")
    REMINDER_SET = 11010, _("设置强提醒")
    REMINDER_ACKNOWLEDGED = 11011, _("确认强提醒")
    REMINDER_ESCALATED = 11012, _("强提醒短信催告")
    SPACE_EXPORTED = 11020, _("导出案件空间")


# Notification event names (notifications.notify ``event=``).
MENTIONED = "spaces.mention"
REMINDER = "spaces.reminder"
REMINDER_SMS = "spaces.reminder.sms"

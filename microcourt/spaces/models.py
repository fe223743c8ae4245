"""一案一空间: a case's chat. Messages are immutable (a retraction is a new message), each
carries a per-case sequence number from a locked counter row, so a client that reconnects
asks for ``after=<last seq>`` and gets exactly what it missed."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ThreadKind(models.TextChoices):
    MAIN = "main", _("案件群聊")
    COURT = "court", _("联系法官")


class Thread(models.Model):
    """The case's group chat, or one party side's private line to the court (联系法官):
    only that party, its agents and the court's people on the case see it."""

    case = models.ForeignKey(
        "cases.Case", on_delete=models.CASCADE, related_name="space_threads", verbose_name=_("案件")
    )
    kind = models.CharField(_("类型"), max_length=8, choices=ThreadKind.choices)
    party = models.ForeignKey(
        "cases.CaseParticipant",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("当事人"),
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["case"], condition=Q(kind="main"), name="space_one_main_thread"
            ),
            models.UniqueConstraint(
                fields=["case", "party"], condition=Q(kind="court"), name="space_one_court_thread"
            ),
            models.CheckConstraint(
                condition=Q(kind="main", party__isnull=True) | Q(kind="court", party__isnull=False),
                name="space_thread_party_matches_kind",
            ),
        ]
        verbose_name = _("会话")
        verbose_name_plural = _("会话")

    def __str__(self) -> str:
        return f"{self.case_id}:{self.kind}:{self.party_id or ''}"


class SpaceCounter(models.Model):
    """The case's last message sequence number; locked to allocate the next (never Max()+1)."""

    case = models.OneToOneField(
        "cases.Case", on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    last_seq = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.case_id}:{self.last_seq}"


class MessageKind(models.TextChoices):
    TEXT = "text", _("文字")
    IMAGE = "image", _("图片")
    VOICE = "voice", _("语音")
    FILE = "file", _("文件")
    RETRACTION = "retraction", _("撤回")


class Message(models.Model):
    """One message, never changed after it is written."""

    case = models.ForeignKey(
        "cases.Case", on_delete=models.PROTECT, related_name="+", verbose_name=_("案件")
    )
    thread = models.ForeignKey(
        Thread, on_delete=models.PROTECT, related_name="messages", verbose_name=_("会话")
    )
    seq = models.PositiveBigIntegerField(_("序号"))
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("发送人"),
    )
    sender_name = models.CharField(_("发送人名称"), max_length=200)
    sender_role = models.CharField(_("发送人身份"), max_length=32)
    kind = models.CharField(_("类型"), max_length=12, choices=MessageKind.choices)
    text = models.TextField(_("内容"), blank=True)
    attachment_path = models.CharField(max_length=300, blank=True)
    attachment_name = models.CharField(_("附件名称"), max_length=200, blank=True)
    attachment_mime = models.CharField(max_length=100, blank=True)
    attachment_size = models.PositiveBigIntegerField(null=True, blank=True)
    digest = models.CharField(_("摘要"), max_length=71)
    retracts = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="retraction",
        verbose_name=_("撤回的消息"),
    )
    created_at = models.DateTimeField(_("发送时间"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["case", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["case", "seq"], name="space_message_seq_unique")
        ]
        verbose_name = _("消息")
        verbose_name_plural = _("消息")

    def __str__(self) -> str:
        return f"{self.case_id}#{self.seq}"


class Mention(models.Model):
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="mentions")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["message", "user"], name="space_mention_unique")
        ]

    def __str__(self) -> str:
        return f"{self.message_id}@{self.user_id}"


class ReadMark(models.Model):
    """How far a user has read a thread (read receipts); only ever moves forward."""

    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="read_marks")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    last_read_seq = models.PositiveBigIntegerField(default=0)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["thread", "user"], name="space_read_mark_unique")
        ]

    def __str__(self) -> str:
        return f"{self.thread_id}:{self.user_id}:{self.last_read_seq}"


class Pin(models.Model):
    """A court notice pinned at the top of the space; unpinning ends the row, never the
    message."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="+")
    message = models.ForeignKey(Message, on_delete=models.PROTECT, related_name="pins")
    pinned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    pinned_at = models.DateTimeField(default=timezone.now)
    unpinned_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["message"], condition=Q(unpinned_at__isnull=True), name="space_pin_once"
            )
        ]

    def __str__(self) -> str:
        return f"pin:{self.message_id}"


class Reminder(models.Model):
    """强提醒: a court user marks a message as key; each addressee must acknowledge it."""

    message = models.OneToOneField(Message, on_delete=models.PROTECT, related_name="reminder")
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    escalate_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"reminder:{self.message_id}"


class AckStatus(models.TextChoices):
    """Where one addressee's acknowledgement of a key message stands (``states.ACK``)."""

    PENDING = "pending", _("待确认")
    ESCALATED = "escalated", _("已短信催告")
    ACKNOWLEDGED = "acknowledged", _("已确认")


class ReminderAck(models.Model):
    reminder = models.ForeignKey(Reminder, on_delete=models.CASCADE, related_name="acks")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # Moved only by ``states.ACK``; the times below say when.
    status = models.CharField(
        _("确认状态"),
        max_length=16,
        choices=AckStatus.choices,
        default=AckStatus.PENDING,
        db_index=True,
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["reminder", "user"], name="space_reminder_ack_unique")
        ]

    def __str__(self) -> str:
        return f"ack:{self.reminder_id}:{self.user_id}"

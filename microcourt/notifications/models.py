from __future__ import annotations

import hashlib

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from microcourt.core.crypto import EncryptedTextField


class Channel(models.TextChoices):
    INAPP = "inapp", _("站内消息")
    SMS = "sms", _("短信")
    EMAIL = "email", _("电子邮件")
    WECHAT = "wechat", _("微信")


class Status(models.TextChoices):
    PENDING = "pending", _("待发送")
    SENDING = "sending", _("发送中")
    SENT = "sent", _("已发送")
    RETRY = "retry", _("等待重试")
    FAILED = "failed", _("发送失败")
    CANCELLED = "cancelled", _("已取消")


class Delivery(models.TextChoices):
    """What the gateway later reported about the handset (SMS status report, WeChat
    subscribe_msg_sent_event); empty until it reports."""

    DELIVERED = "delivered", _("已送达")
    UNDELIVERED = "undelivered", _("未送达")


# Rows waiting for their time (new, scheduled, retrying): the claim reads them in order of
# ``next_attempt_at`` from a partial index, so sent rows and reminders due next month cost
# it nothing.
WAITING = [Status.PENDING, Status.RETRY]


def out_id_for(idempotency_key: str) -> str:
    """The id the gateway knows the message by (Aliyun OutId, the local gateway's key):
    derived from the idempotency key, so every attempt at one message carries the same one
    and a lookup after a crash finds the attempt that got through."""
    return hashlib.sha256(idempotency_key.encode()).hexdigest()[:32]


class Notification(models.Model):
    """One message on one channel: the outbox row. It is written in the same transaction
    as the act it reports, so nothing is announced that did not happen and nothing that
    happened goes unannounced; delivery runs after commit and retries with backoff.

    Times: ``sent_at`` is when the gateway accepted the message (for service of documents,
    the date the court's system shows successful sending, 民诉解释第一百三十五条);
    ``delivered_at`` is when the gateway reported it reached the handset; ``read_at`` is
    when the person opened it in the app."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    # Where to send when it is not the recipient's own number / e-mail / openid (e.g. a
    # log-in code before an account exists). Encrypted: it is personal data.
    address = EncryptedTextField(blank=True, default="")
    channel = models.CharField(_("渠道"), max_length=16, choices=Channel.choices)
    event = models.CharField(_("事件"), max_length=64)
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"))
    url = models.CharField(_("链接"), max_length=500, blank=True)
    # The event template's params: what SMS and WeChat templates are filled with.
    params = models.JSONField(default=dict, blank=True)
    language = models.CharField(max_length=10, blank=True)
    idempotency_key = models.CharField(max_length=200, unique=True)
    out_id = models.CharField(max_length=32)
    # Every status change rewrites the row's index entries, so the table keeps few indexes:
    # the claim has its two partial ones (Meta).
    status = models.CharField(
        _("状态"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    send_at = models.DateTimeField(_("预定发送时间"), null=True, blank=True)
    # When a waiting row is due: at once (its creation), its send_at, or its next retry.
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    # Which worker's claim: a slow worker whose claim was taken over cannot overwrite the
    # result of the one that took it.
    claim = models.CharField(max_length=32, blank=True)
    # The last attempt may have reached the gateway (killed mid-send, timed out after the
    # request left): look it up there before sending again.
    uncertain = models.BooleanField(default=False)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("送达时间"), null=True, blank=True)
    delivery = models.CharField(_("送达结果"), max_length=16, choices=Delivery.choices, blank=True)
    delivery_reason = models.CharField(_("未送达原因"), max_length=200, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)
    provider_ref = models.CharField(max_length=128, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["recipient", "channel", "read_at"]),
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(status__in=WAITING),
                name="notification_due",
            ),
            models.Index(
                fields=["claimed_at"], condition=Q(status=Status.SENDING), name="notification_stale"
            ),
            # Delivery reports name the message by the gateway's reference (WeChat msgid).
            models.Index(fields=["provider_ref"], name="notification_provider_ref"),
        ]
        constraints = [models.UniqueConstraint(fields=["out_id"], name="notification_out_id")]
        verbose_name = _("通知")
        verbose_name_plural = _("通知")

    def __str__(self) -> str:
        return f"{self.get_channel_display()} {self.event} #{self.pk}"

    def save(self, *args, **kwargs):
        if not self.out_id and self.idempotency_key:
            self.out_id = out_id_for(self.idempotency_key)
        super().save(*args, **kwargs)

    def shown(self) -> tuple[str, str]:
        """Title and body in the reader's (active) language: rendered again from the
        event's templates and the stored params; the stored text when it was written in
        that language already, or for rows the templates cannot render (old rows)."""
        language = get_language() or settings.LANGUAGE_CODE
        cache = self.__dict__.setdefault("_shown", {})
        if language not in cache:
            from . import templates

            rendered = None
            if language != self.language:
                rendered = templates.text_of(self.event, self.params, language)
            cache[language] = rendered or (self.title, self.body)
        return cache[language]

    @property
    def shown_title(self) -> str:
        return self.shown()[0]

    @property
    def shown_body(self) -> str:
        return self.shown()[1]


class Preference(models.Model):
    """A person's switch for one category on one channel. No row: on. Mandatory categories
    and in-app messages have no switch (templates.Category.mandatory)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    category = models.CharField(_("类别"), max_length=32)
    channel = models.CharField(_("渠道"), max_length=16, choices=Channel.choices)
    enabled = models.BooleanField(_("接收"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "category", "channel"], name="notification_preference_once"
            )
        ]
        verbose_name = _("通知设置")
        verbose_name_plural = _("通知设置")

    def __str__(self) -> str:
        return f"{self.category}/{self.channel}: {'on' if self.enabled else 'off'}"


class WechatBinding(models.Model):
    """A person's openid under one mini-program (appid), from ``wx.login`` → jscode2session.
    Subscription messages go to the openid; the session key is never kept."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="wechat_bindings"
    )
    appid = models.CharField(max_length=32)
    openid = models.CharField(max_length=64)
    unionid = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "appid"], name="wechat_binding_one_per_app"),
            models.UniqueConstraint(fields=["appid", "openid"], name="wechat_openid_once"),
        ]
        verbose_name = _("微信绑定")
        verbose_name_plural = _("微信绑定")

    def __str__(self) -> str:
        return f"{self.appid} #{self.user_id}"


class WechatSentEvent(models.Model):
    """WeChat's ``subscribe_msg_sent_event`` pushes as received: the delivery status of a
    subscription message, and the only trace WeChat gives of a message a dead worker sent
    before it could record the msgid."""

    openid = models.CharField(max_length=64, db_index=True)
    template_id = models.CharField(max_length=128)
    msgid = models.CharField(max_length=64, unique=True)
    error_code = models.IntegerField(default=0)
    error_status = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField()  # the push's CreateTime
    received_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.msgid


class LocalGatewayMessage(models.Model):
    """The log of the local (development and demo) SMS and WeChat gateways: what the
    "phone" on /notifications/outbox/ shows. One row per outbox message (``out_id``): a
    send that finds its row answers with the earlier reference instead of sending again,
    as an idempotent gateway would, and counts the attempt in ``send_count``."""

    channel = models.CharField(max_length=16, choices=Channel.choices)
    out_id = models.CharField(max_length=32, unique=True)
    notification_id = models.BigIntegerField(null=True, blank=True)
    to_masked = models.CharField(max_length=64)
    event = models.CharField(max_length=64)
    title = models.CharField(max_length=200, blank=True)
    body = models.TextField()
    provider_ref = models.CharField(max_length=64)
    send_count = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(db_index=True)
    last_attempt_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("本地网关消息")
        verbose_name_plural = _("本地网关消息")

    def __str__(self) -> str:
        return f"{self.channel} {self.to_masked} {self.provider_ref}"

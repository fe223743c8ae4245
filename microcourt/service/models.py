"""送达: the addresses a party confirmed, each act of service with the documents it carries,
the channels it went out on, and when it took effect (在线诉讼规则第二十九条至第三十一条,
民事诉讼法第九十条、第九十五条)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from microcourt.core.crypto import EncryptedTextField
from microcourt.core.models import BaseModel


class Channel(models.TextChoices):
    PLATFORM = "platform", _("平台账号")
    SMS = "sms", _("短信")
    EMAIL = "email", _("电子邮件")
    WECHAT = "wechat", _("微信")


class ConfirmationMethod(models.TextChoices):
    """How consent, method and address were confirmed (在线诉讼规则第三十条)."""

    ONLINE = "online", _("平台内确认")
    PHONE = "phone", _("电话确认")
    WRITTEN = "written", _("书面确认")
    PLEADING = "pleading", _("诉状中提供")


class AddressConfirmation(BaseModel):
    """送达地址确认书: one statement by a party of the channels and addresses it accepts
    service at. Never edited: a change is a new row, the latest one counts."""

    case = models.ForeignKey(
        "cases.Case", on_delete=models.CASCADE, related_name="+", verbose_name=_("案件")
    )
    participant = models.ForeignKey(
        "cases.CaseParticipant",
        on_delete=models.CASCADE,
        related_name="address_confirmations",
        verbose_name=_("当事人"),
    )
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("确认人"),
    )
    method = models.CharField(_("确认方式"), max_length=16, choices=ConfirmationMethod.choices)
    consent = models.BooleanField(_("同意电子送达"), default=True)
    channels = models.JSONField(_("电子送达方式"), default=list)
    phone = EncryptedTextField(_("手机号码"), blank=True)
    email = EncryptedTextField(_("电子邮箱"), blank=True)
    postal_address = EncryptedTextField(_("邮寄地址"), blank=True)
    postal_recipient = models.CharField(_("收件人"), max_length=100, blank=True)
    # 民事诉讼法第九十条: judgments, rulings and 调解书 only with this express consent.
    includes_judgments = models.BooleanField(_("同意电子送达裁判文书"), default=False)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("送达地址确认书")
        verbose_name_plural = _("送达地址确认书")

    def __str__(self) -> str:
        return f"{self.participant_id} @ {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def channel_labels(self) -> str:
        labels = dict(Channel.choices)
        return "、".join(str(labels.get(c, c)) for c in self.channels)


class DocumentKind(models.TextChoices):
    COMPLAINT_COPY = "complaint_copy", _("起诉状副本")
    NOTICE = "notice", _("通知书")
    SUMMONS = "summons", _("传票")
    EVIDENCE = "evidence", _("证据材料")
    JUDGMENT = "judgment", _("判决书")
    RULING = "ruling", _("裁定书")
    MEDIATION = "mediation", _("调解书")
    OTHER = "other", _("其他文书")


# 民事诉讼法第九十条; 流程公开规定第十四条: electronic service of these needs express consent,
# and paper is provided on request.
CONSENT_REQUIRED = frozenset({DocumentKind.JUDGMENT, DocumentKind.RULING, DocumentKind.MEDIATION})


class Method(models.TextChoices):
    ELECTRONIC = "electronic", _("电子送达")
    POSTAL = "postal", _("邮寄送达")
    PUBLIC_NOTICE = "public_notice", _("公告送达")


class Status(models.TextChoices):
    PENDING = "pending", _("送达中")
    SERVED = "served", _("已送达")
    PRESUMED = "presumed", _("推定送达")
    FAILED = "failed", _("送达失败")


class Basis(models.TextChoices):
    """Why service took effect (在线诉讼规则第三十一条; 民诉法第九十五条)."""

    REACHED = "reached", _("到达受送达人确认的电子地址")
    ACTED = "acted", _("受送达人回复或作出相应诉讼行为")
    READ = "read", _("系统显示受送达人已阅知（推定送达）")
    POSTAL = "postal", _("邮件签收")
    NOTICE = "notice", _("公告期满视为送达")


class Service(BaseModel):
    """One act of service: documents served together on one recipient by one method."""

    case = models.ForeignKey(
        "cases.Case", on_delete=models.CASCADE, related_name="services", verbose_name=_("案件")
    )
    recipient = models.ForeignKey(
        "cases.CaseParticipant",
        on_delete=models.PROTECT,
        related_name="services",
        verbose_name=_("受送达人"),
    )
    method = models.CharField(_("送达方式"), max_length=16, choices=Method.choices)
    status = models.CharField(
        _("状态"), max_length=16, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    batch = models.CharField(_("批次"), max_length=32, db_index=True)
    served_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("送达人"),
    )
    effective_at = models.DateTimeField(_("送达生效时间"), null=True, blank=True)
    basis = models.CharField(_("生效依据"), max_length=16, choices=Basis.choices, blank=True)
    effective_channel = models.CharField(_("生效渠道"), max_length=16, blank=True)
    # The SMS link: only its hash is kept; it expires, the documents stay in 我的送达.
    token_hash = models.CharField(max_length=64, unique=True, null=True, blank=True)
    link_expires_at = models.DateTimeField(_("链接有效期至"), null=True, blank=True)
    opened_at = models.DateTimeField(_("首次查看时间"), null=True, blank=True)
    paper_requested_at = models.DateTimeField(_("申请纸质文书时间"), null=True, blank=True)
    # Postal service (邮寄送达).
    carrier = models.CharField(_("邮寄机构"), max_length=50, blank=True)
    tracking_number = models.CharField(_("邮件号"), max_length=30, blank=True)
    postal_address = EncryptedTextField(_("邮寄地址"), blank=True)
    # Public-notice service (公告送达).
    notice_text = models.TextField(_("公告内容"), blank=True)
    notice_published_at = models.DateTimeField(_("公告发布时间"), null=True, blank=True)
    failure_reason = models.CharField(_("失败原因"), max_length=300, blank=True)
    # 送达回证 the recipient signed on the platform (在线诉讼规则第三十三条), if asked for.
    receipt_request = models.ForeignKey(
        "signing.SignatureRequest",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("送达回证签署"),
    )
    # 电子送达凭证: the sealed PDF, content-addressed.
    certificate_path = models.CharField(max_length=300, blank=True)
    certificate_sha256 = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["case", "recipient"])]
        verbose_name = _("送达")
        verbose_name_plural = _("送达")

    def __str__(self) -> str:
        return f"{self.get_method_display()} #{self.pk}"

    @property
    def effective_channel_label(self) -> str:
        labels = {**dict(Channel.choices), "postal": _("邮寄"), "notice": _("公告")}
        return str(labels.get(self.effective_channel, self.effective_channel))


class ServedDocument(models.Model):
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="documents")
    title = models.CharField(_("文书名称"), max_length=200)
    kind = models.CharField(_("文书种类"), max_length=16, choices=DocumentKind.choices)
    path = models.CharField(max_length=300)
    sha256 = models.CharField(max_length=64)
    mime = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["service", "position", "pk"]
        verbose_name = _("送达文书")
        verbose_name_plural = _("送达文书")

    def __str__(self) -> str:
        return self.title


class Delivery(models.Model):
    """The service on one channel, and what that channel reports (the log on the
    certificate). The times are copied from the outbox when the service is settled, so the
    service record stands on its own as evidence even after the outbox is pruned.
    ``confirmed``: the address is one the recipient provided or confirmed, so
    arrival alone makes service effective (第三十一条第一款)."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="deliveries")
    channel = models.CharField(_("渠道"), max_length=16, choices=Channel.choices)
    address = EncryptedTextField(_("地址"), blank=True)
    confirmed = models.BooleanField(_("受送达人确认的地址"), default=False)
    notification_id = models.BigIntegerField(null=True, blank=True)
    reached_at = models.DateTimeField(_("到达系统时间"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("终端送达时间"), null=True, blank=True)
    read_at = models.DateTimeField(_("阅知时间"), null=True, blank=True)
    outcome = models.CharField(_("渠道状态"), max_length=200, blank=True)

    class Meta:
        ordering = ["service", "pk"]
        verbose_name = _("送达渠道记录")
        verbose_name_plural = _("送达渠道记录")

    def __str__(self) -> str:
        return f"{self.get_channel_display()} #{self.pk}"

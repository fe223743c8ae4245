"""E-signatures and the court's e-seal (在线诉讼规则第三十三条；互联网法院规定第十九条), the
certificates behind them, the time-stamps that date them (互联网法院规定第十一条) and the
signature requests parties answer from their phones.

Private keys never enter the database: ``Certificate.key_file`` names an encrypted PEM file
under ``settings.SIGNING_PKI_DIR``."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class CertificatePurpose(models.TextChoices):
    ROOT_CA = "root_ca", _("根证书")
    SIGNING = "signing", _("平台签名")
    COURT_SEAL = "court_seal", _("电子印章")
    TSA = "tsa", _("时间戳")


class RevocationReason(models.TextChoices):
    """RFC 5280 §5.3.1 reason codes an operator may give (names as in the CRL)."""

    UNSPECIFIED = "unspecified", _("未说明原因")
    KEY_COMPROMISE = "key_compromise", _("私钥泄露")
    AFFILIATION_CHANGED = "affiliation_changed", _("隶属关系变更")
    SUPERSEDED = "superseded", _("已被新证书取代")
    CESSATION_OF_OPERATION = "cessation_of_operation", _("停止使用")
    PRIVILEGE_WITHDRAWN = "privilege_withdrawn", _("权限已撤销")


class Certificate(models.Model):
    """One X.509 certificate of the platform's own small PKI. A rotated certificate stays
    (inactive) so that what it signed keeps verifying; a revoked one is listed in the CRL."""

    purpose = models.CharField(_("用途"), max_length=16, choices=CertificatePurpose.choices)
    court_code = models.CharField(_("法院代码"), max_length=32, blank=True)  # seals only
    court_name = models.CharField(_("法院名称"), max_length=100, blank=True)
    subject_cn = models.CharField(_("证书名称"), max_length=200)
    serial = models.CharField(_("序列号"), max_length=64, unique=True)  # lowercase hex
    sha256 = models.CharField(_("证书指纹"), max_length=64, unique=True)
    issuer = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="issued",
        verbose_name=_("签发者"),
    )
    certificate_pem = models.TextField(_("证书"))
    key_file = models.CharField(_("私钥文件"), max_length=200)  # relative to SIGNING_PKI_DIR
    not_before = models.DateTimeField(_("生效时间"))
    not_after = models.DateTimeField(_("到期时间"))
    active = models.BooleanField(_("当前使用"), default=True)
    created_at = models.DateTimeField(_("签发时间"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("吊销时间"), null=True, blank=True)
    revocation_reason = models.CharField(
        _("吊销原因"), max_length=32, choices=RevocationReason.choices, blank=True
    )
    # From when the key must be distrusted (the CRL's invalidityDate). For a compromised key
    # it defaults to the certificate's start: no one can tell when the key leaked.
    invalid_since = models.DateTimeField(_("失效起始时间"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("数字证书")
        verbose_name_plural = _("数字证书")
        constraints = [
            # One certificate in use per purpose (and per court for seals): two processes
            # creating the first one at once cannot both win.
            models.UniqueConstraint(
                fields=["purpose", "court_code"],
                condition=Q(active=True),
                name="signing_one_active_certificate",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} {self.subject_cn} ({self.serial})"

    @property
    def serial_int(self) -> int:
        return int(self.serial, 16)

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None

    @property
    def distrusted_from(self):
        """The moment from which signatures by this key are not trusted (None: never)."""
        if self.revoked_at is None:
            return None
        return self.invalid_since or self.revoked_at


class TimestampToken(models.Model):
    """One token the built-in TSA issued (RFC 3161). The row id is the token's serial
    number, so serials are unique and never reused; the table is the TSA's audit trail."""

    serial = models.BigAutoField(primary_key=True)
    hash_algorithm = models.CharField(_("摘要算法"), max_length=16)
    message_imprint = models.CharField(_("数据摘要"), max_length=128)  # hex
    gen_time = models.DateTimeField(_("时间"))
    nonce = models.CharField(_("随机数"), max_length=80, blank=True)  # hex
    policy = models.CharField(_("策略"), max_length=200)
    tsa_certificate = models.ForeignKey(
        Certificate, on_delete=models.PROTECT, related_name="+", verbose_name=_("时间戳证书")
    )
    token_sha256 = models.CharField(_("时间戳令牌摘要"), max_length=64, blank=True)

    class Meta:
        ordering = ["-serial"]
        verbose_name = _("时间戳")
        verbose_name_plural = _("时间戳")

    def __str__(self) -> str:
        return f"TST #{self.serial} {self.gen_time:%Y-%m-%d %H:%M:%S}"


class CrlIssue(models.Model):
    """A certificate revocation list the root signed; the row id is its CRL number."""

    number = models.BigAutoField(primary_key=True)
    issuer = models.ForeignKey(
        Certificate, on_delete=models.PROTECT, related_name="crls", verbose_name=_("签发者")
    )
    this_update = models.DateTimeField(_("发布时间"))
    next_update = models.DateTimeField(_("下次更新"))
    der = models.BinaryField(_("吊销列表"), default=b"")
    revoked_count = models.PositiveIntegerField(_("吊销证书数"), default=0)

    class Meta:
        ordering = ["-number"]
        verbose_name = _("证书吊销列表")
        verbose_name_plural = _("证书吊销列表")

    def __str__(self) -> str:
        return f"CRL #{self.number} {self.this_update:%Y-%m-%d %H:%M}"


class SignatureKind(models.TextChoices):
    SEAL = "seal", _("电子印章")
    SIGNATURE = "signature", _("电子签名")


class SignedDocument(models.Model):
    """A PDF the platform sealed or signed: what went in, what came out, who and why. The
    output's SHA-256 is the subject of the ledger entry, so anyone holding the file finds
    it there."""

    kind = models.CharField(_("类型"), max_length=16, choices=SignatureKind.choices)
    input_sha256 = models.CharField(_("原文件摘要"), max_length=64)
    output_sha256 = models.CharField(_("签署后文件摘要"), max_length=64, db_index=True)
    signer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="signed_documents",
        verbose_name=_("签名人"),
    )
    court_code = models.CharField(_("法院代码"), max_length=32, blank=True)  # seals
    signer_name = models.CharField(_("签名人姓名"), max_length=100)
    purpose = models.CharField(_("用途"), max_length=32, blank=True)
    reason = models.CharField(_("签署事由"), max_length=200, blank=True)
    title = models.CharField(_("文件名称"), max_length=200, blank=True)
    case_id = models.PositiveBigIntegerField(_("案件"), null=True, blank=True, db_index=True)
    field_name = models.CharField(_("签名域"), max_length=64)
    certificate = models.ForeignKey(
        Certificate, on_delete=models.PROTECT, related_name="+", verbose_name=_("证书")
    )
    ledger_entry = models.ForeignKey(
        "ledger.Entry", on_delete=models.PROTECT, related_name="+", verbose_name=_("存证记录")
    )
    created_at = models.DateTimeField(_("签署时间"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("已签署文件")
        verbose_name_plural = _("已签署文件")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.title or self.output_sha256[:12]}"


class RequestStatus(models.TextChoices):
    PENDING = "pending", _("待签署")
    SIGNED = "signed", _("已签署")
    CANCELLED = "cancelled", _("已撤回")


class SignatureRequest(models.Model):
    """A document one person is asked to sign (笔录、调解协议、送达回证、授权委托书…).
    Other apps create them; the signer answers at /sign/<id>/."""

    title = models.CharField(_("文件名称"), max_length=200)
    # The identity check it needs: one of identity's VerificationPurpose values.
    purpose = models.CharField(_("用途"), max_length=32)
    source_path = models.CharField(_("原文件"), max_length=300)
    source_sha256 = models.CharField(_("原文件摘要"), max_length=64)
    signer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="signature_requests",
        verbose_name=_("签署人"),
    )
    case_id = models.PositiveBigIntegerField(_("案件"), null=True, blank=True, db_index=True)
    status = models.CharField(
        _("状态"), max_length=16, choices=RequestStatus.choices, default=RequestStatus.PENDING
    )
    signed_path = models.CharField(_("签署后文件"), max_length=300, blank=True)
    signed_sha256 = models.CharField(_("签署后文件摘要"), max_length=64, blank=True)
    signed_document = models.ForeignKey(
        SignedDocument,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("签署记录"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("发起人"),
    )
    created_at = models.DateTimeField(_("发起时间"), auto_now_add=True, db_index=True)
    signed_at = models.DateTimeField(_("签署时间"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("撤回时间"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("签署请求")
        verbose_name_plural = _("签署请求")

    def __str__(self) -> str:
        return f"{self.title} ({self.get_status_display()})"

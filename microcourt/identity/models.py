from __future__ import annotations

import hashlib
import secrets

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from microcourt.core.crypto import EncryptedTextField
from microcourt.core.models import BaseModel

from . import phones


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(
        self,
        username: str | None = None,
        password: str | None = None,
        *,
        phone: str | None = None,
        **extra,
    ):
        if not username and not phone:
            raise ValueError("a user needs a username or a phone number")
        user = self.model(username=username or f"u{secrets.token_hex(6)}", **extra)
        if phone:
            user.set_phone(phone)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save(using=self._db)
        return user

    def create_superuser(self, username: str, password: str | None = None, **extra):
        extra.update(is_staff=True, is_superuser=True)
        return self.create_user(username, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """An account. The phone number is the main identifier for the public (log in by phone);
    staff and scripts may also use a username. The phone is stored encrypted, found
    through a keyed hash."""

    username = models.CharField(_("用户名"), max_length=64, unique=True)
    phone = EncryptedTextField(_("手机号码"), blank=True, default="")
    phone_index = models.CharField(max_length=64, unique=True, null=True, editable=False)
    phone_verified = models.BooleanField(_("手机号已验证"), default=False)
    display_name = models.CharField(_("姓名"), max_length=100, blank=True)
    email = models.EmailField(_("电子邮箱"), blank=True)
    preferred_language = models.CharField(
        _("界面语言"),
        max_length=10,
        default="zh-hans",
        choices=[("zh-hans", "简体中文"), ("en", "English")],
    )
    is_active = models.BooleanField(_("启用"), default=True)
    is_staff = models.BooleanField(_("可进入管理后台"), default=False)
    date_joined = models.DateTimeField(_("注册时间"), default=timezone.now)

    USERNAME_FIELD = "username"
    REQUIRED_FIELDS: list[str] = []
    objects = UserManager()

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self) -> str:
        return self.display_name or self.username

    def save(self, *args, **kwargs):
        """A new password (changed, reset, set by an administrator, by ``changepassword``)
        ends every API token made with the old one, as it ends the sessions. A hash merely
        upgraded at log-in is no new password: Django clears ``_password`` first."""
        update_fields = kwargs.get("update_fields")
        new_password = (
            self._password is not None
            and not self._state.adding
            and (update_fields is None or "password" in update_fields)
        )
        super().save(*args, **kwargs)
        if new_password:
            from .actions import tokens  # actions import models: resolved at call time

            tokens.api_tokens_revoke_all(user=self, reason="password_changed")

    def set_phone(self, raw: str, *, verified: bool = False) -> None:
        e164 = phones.normalise(raw)
        if e164 != self.phone:
            self.phone_verified = False
        self.phone = e164
        self.phone_index = phones.phone_index(e164)
        self.phone_verified = verified or self.phone_verified

    @property
    def masked_phone(self) -> str:
        return phones.masked(self.phone) if self.phone else ""

    @property
    def is_court_staff(self) -> bool:
        """Holds an organisational role at some court (assignments live in courts)."""
        return self.staff_assignments.filter(active=True).exists()


class ApiToken(models.Model):
    """A bearer token for scripts and other courts' systems. Only its hash is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    prefix = models.CharField(max_length=8, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True)
    name = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("API 令牌")
        verbose_name_plural = _("API 令牌")

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"

    @staticmethod
    def hash_key(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()


class IdType(models.TextChoices):
    RESIDENT_ID = "resident_id", _("居民身份证")
    PASSPORT = "passport", _("护照")
    HK_MACAO_PERMIT = "hk_macao_permit", _("港澳居民来往内地通行证")
    TAIWAN_PERMIT = "taiwan_permit", _("台湾居民来往大陆通行证")
    FOREIGN_PERMANENT_ID = "foreign_permanent_id", _("外国人永久居留身份证")


class RealNameIdentity(BaseModel):
    """Who an account belongs to, once proven. The document number and address are
    personal data: encrypted, found through a keyed hash, shown masked."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="real_name")
    name = models.CharField(_("姓名"), max_length=100)
    id_type = models.CharField(_("证件类型"), max_length=32, choices=IdType.choices)
    id_number = EncryptedTextField(_("证件号码"))
    id_index = models.CharField(max_length=64, unique=True, editable=False)
    gender = models.CharField(_("性别"), max_length=8, blank=True)
    ethnicity = models.CharField(_("民族"), max_length=16, blank=True)
    birth_date = models.DateField(_("出生日期"), null=True, blank=True)
    address = EncryptedTextField(_("住址"), blank=True, default="")
    valid_until = models.DateField(_("证件有效期至"), null=True, blank=True)  # None: 长期

    class Meta:
        verbose_name = _("实名信息")
        verbose_name_plural = _("实名信息")

    def __str__(self) -> str:
        return f"{self.name} ({self.get_id_type_display()})"


class VerificationMethod(models.TextChoices):
    ID_CARD_FACE = "id_card_face", _("身份证 + 人脸核验")
    DOCUMENT_REVIEW = "document_review", _("证件人工审核")
    IN_PERSON = "in_person", _("现场核验")
    FACE_RECHECK = "face_recheck", _("人脸复核")


class VerificationStatus(models.TextChoices):
    PENDING = "pending", _("待审核")
    PASSED = "passed", _("已通过")
    FAILED = "failed", _("未通过")
    REJECTED = "rejected", _("已驳回")


class VerificationPurpose(models.TextChoices):
    REGISTRATION = "registration", _("实名注册")
    HEARING = "hearing", _("开庭前核验")
    MEDIATION = "mediation", _("调解前核验")
    EVIDENCE_EXCHANGE = "evidence_exchange", _("证据交换前核验")
    SIGNATURE = "signature", _("电子签名前核验")


class Verification(BaseModel):
    """One attempt to prove identity. Failed attempts are kept (they are counted); the
    images of a face check are never stored — only the score and the result."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="verifications")
    method = models.CharField(_("方式"), max_length=32, choices=VerificationMethod.choices)
    purpose = models.CharField(
        _("用途"),
        max_length=32,
        choices=VerificationPurpose.choices,
        default=VerificationPurpose.REGISTRATION,
    )
    status = models.CharField(_("结果"), max_length=16, choices=VerificationStatus.choices)
    id_type = models.CharField(_("证件类型"), max_length=32, choices=IdType.choices, blank=True)
    claimed_name = models.CharField(_("申报姓名"), max_length=100, blank=True)
    claimed_id_number = EncryptedTextField(_("申报证件号码"), blank=True, default="")
    score = models.DecimalField(
        _("比对分值"), max_digits=5, decimal_places=4, null=True, blank=True
    )
    threshold = models.DecimalField(
        _("阈值"), max_digits=5, decimal_places=4, null=True, blank=True
    )
    engine = models.CharField(_("核验引擎"), max_length=64, blank=True)
    reason = models.CharField(_("说明"), max_length=300, blank=True)
    # Documents submitted for staff review (content-addressed paths); none for face checks.
    documents = models.JSONField(_("审核材料"), default=list, blank=True)
    reviewed_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="verifications_reviewed"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("身份核验记录")
        verbose_name_plural = _("身份核验记录")

    def __str__(self) -> str:
        return f"{self.get_method_display()} {self.get_status_display()}"


class Organisation(BaseModel):
    """A legal person or other organisation, acting through its legal representative's own
    verified account and the employees it authorises."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待审核")
        VERIFIED = "verified", _("已认证")
        REJECTED = "rejected", _("已驳回")

    name = models.CharField(_("名称"), max_length=200)
    uscc = models.CharField(_("统一社会信用代码"), max_length=18, unique=True)
    legal_representative_name = models.CharField(_("法定代表人"), max_length=100)
    address = models.CharField(_("住所"), max_length=300, blank=True)
    licence = models.JSONField(_("营业执照"), default=dict, blank=True)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices)
    reason = models.CharField(_("说明"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("单位")
        verbose_name_plural = _("单位")

    def __str__(self) -> str:
        return self.name


class OrgMembership(BaseModel):
    class Role(models.TextChoices):
        LEGAL_REPRESENTATIVE = "legal_representative", _("法定代表人")
        AUTHORISED_EMPLOYEE = "authorised_employee", _("授权员工")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("身份"), max_length=32, choices=Role.choices)
    authorised_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    active = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organisation", "user"], name="org_member_unique")
        ]
        verbose_name = _("单位成员")
        verbose_name_plural = _("单位成员")

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.organisation}"


class LawyerProfile(BaseModel):
    """A lawyer's licence, reviewed by court staff before the account acts as a lawyer."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待审核")
        APPROVED = "approved", _("已通过")
        REJECTED = "rejected", _("已驳回")

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="lawyer")
    licence_number = models.CharField(_("执业证号"), max_length=17, unique=True)
    law_firm = models.CharField(_("律师事务所"), max_length=200)
    licence_photo = models.JSONField(_("执业证照片"), default=dict)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices)
    reason = models.CharField(_("说明"), max_length=300, blank=True)
    reviewed_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("律师执业信息")
        verbose_name_plural = _("律师执业信息")

    def __str__(self) -> str:
        return f"{self.user} · {self.law_firm}"


class Authorisation(BaseModel):
    """授权委托书: a party (a person, or an organisation through its representative)
    appoints an agent. Cases attach it when the cases app exists (``case_id``)."""

    class Scope(models.TextChoices):
        GENERAL = "general", _("一般授权")
        SPECIAL = "special", _("特别授权")

    # Special authority must name each power (民事诉讼法第六十二条).
    SPECIAL_POWERS = {
        "admit": _("代为承认诉讼请求"),
        "waive": _("代为放弃诉讼请求"),
        "modify": _("代为变更诉讼请求"),
        "settle": _("代为进行和解"),
        "counterclaim": _("代为提起反诉"),
        "appeal": _("代为提起上诉"),
        "receive": _("代为签收法律文书"),
    }

    principal = models.ForeignKey(User, on_delete=models.PROTECT, related_name="authorisations")
    principal_organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    agent = models.ForeignKey(User, on_delete=models.PROTECT, related_name="agencies")
    scope = models.CharField(_("授权范围"), max_length=16, choices=Scope.choices)
    powers = models.JSONField(_("特别授权事项"), default=list, blank=True)
    case_id = models.BigIntegerField(_("案件"), null=True, blank=True)
    document = models.JSONField(_("委托书文件"), default=dict, blank=True)
    valid_from = models.DateField(_("生效日期"))
    valid_until = models.DateField(_("截止日期"), null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("授权委托")
        verbose_name_plural = _("授权委托")

    def __str__(self) -> str:
        return f"{self.principal} → {self.agent} ({self.get_scope_display()})"

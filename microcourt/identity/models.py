from __future__ import annotations

import hashlib
import secrets

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from microcourt.core.crypto import EncryptedTextField

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

    def set_phone(self, raw: str) -> None:
        e164 = phones.normalise(raw)
        self.phone = e164
        self.phone_index = phones.phone_index(e164)

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

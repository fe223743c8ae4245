"""Account actions (tokens here; real-name verification comes with the identity issue)."""

from __future__ import annotations

import datetime as dt
import secrets

from django.conf import settings
from django.contrib.auth import authenticate
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from microcourt.core.errors import DomainError, Forbidden, InvalidInput

from .models import ApiToken, User

TOKEN_LIFETIME = dt.timedelta(days=90)


class BadCredentials(DomainError):
    status = 401
    code = "bad_credentials"


@transaction.atomic
def api_token_issue(*, username: str, password: str, name: str = "") -> str:
    """Exchange a username-or-phone and password for a bearer token. Court staff need a
    second factor; only in demo mode may demo staff skip it (ARCHITECTURE §5)."""
    missing = {f: _("必填") for f, v in (("username", username), ("password", password)) if not v}
    if missing:
        raise InvalidInput(_("请填写用户名和密码"), fields=missing)
    user = authenticate(username=username, password=password)
    if user is None:
        raise BadCredentials(_("用户名或密码不正确"))
    if user.is_court_staff and not (settings.DEMO_MODE and user.username.startswith("demo_")):
        raise Forbidden(_("法院工作人员须完成多因素认证后才能获取 API 令牌。"), code="mfa_required")
    key = "mc_" + secrets.token_urlsafe(32)
    ApiToken.objects.create(
        user=user,
        prefix=key[3:11],
        key_hash=ApiToken.hash_key(key),
        name=name[:100],
        expires_at=timezone.now() + TOKEN_LIFETIME,
    )
    return key


def api_token_user(key: str) -> User | None:
    """The active user a bearer token belongs to, or None."""
    if not key.startswith("mc_"):
        return None
    now = timezone.now()
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=ApiToken.hash_key(key), revoked_at__isnull=True, expires_at__gt=now)
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    if token.last_used_at is None or now - token.last_used_at > dt.timedelta(minutes=5):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user

"""Account actions: API tokens. Real-name verification is in ``verification``, organisations,
lawyers and authorisations in ``parties``."""

from __future__ import annotations

import datetime as dt
import secrets

from allauth.mfa.models import Authenticator
from django.contrib.auth import authenticate
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from microcourt.core.actor import actor_for
from microcourt.core.crypto import blind_index
from microcourt.core.errors import DomainError, Forbidden, InvalidInput
from microcourt.ledger import actions as ledger

from .. import policies
from ..events import LedgerEvent
from ..models import ApiToken, User

TOKEN_LIFETIME = dt.timedelta(days=90)
# The token endpoint locks like the log-in page: this many failures per account in the window.
TOKEN_FAILURES_ALLOWED = 5
TOKEN_LOCK_SECONDS = 300


class BadCredentials(DomainError):
    status = 401
    code = "bad_credentials"


class TooManyFailures(DomainError):
    status = 429
    code = "too_many_attempts"


def _failure_key(username: str) -> str:
    return "api-token-failures:" + blind_index(username.strip().lower(), purpose="ratelimit")


def _count_failure(username: str) -> None:
    key = _failure_key(username)
    if cache.add(key, 1, TOKEN_LOCK_SECONDS):
        return
    try:
        cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, TOKEN_LOCK_SECONDS)


@transaction.atomic
def api_token_issue(*, username: str, password: str, name: str = "", otp: str = "") -> str:
    """Exchange a username-or-phone and password for a bearer token. Court staff need a
    second factor too: ``otp``, the current code of their authenticator app (allauth TOTP);
    only in demo mode may demo staff skip it (ARCHITECTURE §5)."""
    missing = {f: _("必填") for f, v in (("username", username), ("password", password)) if not v}
    if missing:
        raise InvalidInput(_("请填写用户名和密码"), fields=missing)
    if (cache.get(_failure_key(username)) or 0) >= TOKEN_FAILURES_ALLOWED:
        raise TooManyFailures(_("失败次数过多，请 5 分钟后再试。"))
    user = authenticate(username=username, password=password)
    if user is None:
        _count_failure(username)
        raise BadCredentials(_("用户名或密码不正确"))
    if policies.staff_mfa_required(user) and not _totp_valid(user, otp):
        if otp:
            _count_failure(username)
        raise Forbidden(_("法院工作人员须完成多因素认证后才能获取 API 令牌。"), code="mfa_required")
    key = "mc_" + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        prefix=key[3:11],
        key_hash=ApiToken.hash_key(key),
        name=name[:100],
        expires_at=timezone.now() + TOKEN_LIFETIME,
    )
    ledger.record(
        code=LedgerEvent.API_TOKEN_ISSUED,
        # The role the person holds (a citizen, or their most senior court role).
        actor=actor_for(user),
        data={"token_id": token.pk, "expires_at": token.expires_at.isoformat()},
    )
    return key


def _totp_valid(user: User, otp: str) -> bool:
    """The code shown by the user's authenticator app now; each code works once."""
    totp = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
    return bool(otp) and totp is not None and totp.wrap().validate_code(otp.strip())


# Asked on every API call: a fixed statement, so the ORM need not build and compile the same
# join each time (that was most of the lookup's cost; docs/benchmarks.md, request path).
_TOKEN_USER_SQL = (
    "SELECT u.*, t.id AS token_id, t.last_used_at AS token_used_at "  # noqa: S608 - values bound
    f"FROM {User._meta.db_table} u JOIN {ApiToken._meta.db_table} t ON t.user_id = u.id "
    "WHERE t.key_hash = %s AND t.revoked_at IS NULL AND t.expires_at > %s AND u.is_active"
)


def api_token_user(key: str) -> User | None:
    """The active user a bearer token belongs to, or None."""
    if not key.startswith("mc_"):
        return None
    now = timezone.now()
    user = next(iter(User.objects.raw(_TOKEN_USER_SQL, [ApiToken.hash_key(key), now])), None)
    if user is None:
        return None
    used = user.token_used_at  # an extra column: SQLite gives it back naive (UTC)
    if used is not None and timezone.is_naive(used):
        used = timezone.make_aware(used, dt.UTC)
    if used is None or now - used > dt.timedelta(minutes=5):
        ApiToken.objects.filter(pk=user.token_id).update(last_used_at=now)
    return user

"""Account actions: API tokens — issued, revoked by their owner, all revoked on a new
password (listed by ``selectors.api_tokens``). Real-name verification is in
``verification``, organisations, lawyers and authorisations in ``parties``."""

from __future__ import annotations

import datetime as dt
import secrets

from allauth.mfa.models import Authenticator
from django.contrib.auth import authenticate
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from microcourt.core.actor import Actor, actor_for
from microcourt.core.errors import DomainError, Forbidden, InvalidInput, NotFound
from microcourt.ledger import actions as ledger

from .. import logins, policies
from ..events import LedgerEvent
from ..models import ApiToken, User

TOKEN_LIFETIME = dt.timedelta(days=90)


class BadCredentials(DomainError):
    status = 401
    code = "bad_credentials"


@transaction.atomic
def api_token_issue(
    *, username: str, password: str, name: str = "", otp: str = "", client_ip: str = ""
) -> str:
    """Exchange a username-or-phone and password for a bearer token. Court staff need a
    second factor too: ``otp``, the current code of their authenticator app (allauth TOTP);
    only in demo mode may demo staff skip it (ARCHITECTURE §5). Wrong passwords count
    against the account however it is spelt, and against ``client_ip``, in the same locks
    as the log-in page (``logins``)."""
    missing = {f: _("必填") for f, v in (("username", username), ("password", password)) if not v}
    if missing:
        raise InvalidInput(_("请填写用户名和密码"), fields=missing)
    account = logins.account_for(username)
    lock = logins.lock_key(username, user=account)
    logins.check(key=lock, ip=client_ip)
    user = authenticate(username=username, password=password)
    if user is None:
        logins.failed(key=lock, ip=client_ip)
        raise BadCredentials(_("用户名或密码不正确"))
    if policies.staff_mfa_required(user) and not _totp_valid(user, otp):
        if otp:
            logins.failed(key=lock, ip=client_ip)
        raise Forbidden(_("法院工作人员须完成多因素认证后才能获取 API 令牌。"), code="mfa_required")
    logins.succeeded(key=lock)
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


@transaction.atomic
def api_token_revoke(*, actor: Actor, token_id: int) -> ApiToken:
    """The owner withdraws one of their tokens; it stops working at once. Someone else's
    token, or one already revoked, is "not found" (ARCHITECTURE §4.4)."""
    now = timezone.now()
    token = (
        ApiToken.objects.select_for_update()
        .filter(pk=token_id, user_id=actor.user_id, revoked_at__isnull=True)
        .first()
    )
    if token is None:
        raise NotFound(_("没有找到该令牌"), fields={"token": _("令牌不存在或已撤销")})
    token.revoked_at = now
    token.save(update_fields=["revoked_at"])
    ledger.record(
        code=LedgerEvent.API_TOKEN_REVOKED,
        actor=actor,
        data={"token_id": token.pk, "reason": "owner"},
    )
    return token


@transaction.atomic
def api_tokens_revoke_all(*, user: User, reason: str) -> int:
    """Every live token of ``user`` stops working: a new password must lock out whatever
    had the old one, scripts included (like Django ending the sessions). One ledger entry
    per token. Returns how many."""
    now = timezone.now()
    live = list(
        ApiToken.objects.select_for_update()
        .filter(user=user, revoked_at__isnull=True, expires_at__gt=now)
        .values_list("pk", flat=True)
    )
    if not live:
        return 0
    ApiToken.objects.filter(pk__in=live).update(revoked_at=now)
    actor = actor_for(user) or Actor.citizen(user)
    for token_id in live:
        ledger.record(
            code=LedgerEvent.API_TOKEN_REVOKED,
            actor=actor,
            data={"token_id": token_id, "reason": reason},
        )
    return len(live)


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

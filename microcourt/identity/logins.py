"""Log-in names and the failure locks every password log-in shares (the log-in page, the
API token endpoint, a wrong SMS code).

A person may type their account as '13800000001', '+86 138-0000-0001', '１３８００００００
０１' (full-width) or their username or e-mail address: all are normalised first (NFKC,
separators dropped, phone numbers to E.164 with mainland China as the default region,
e-mail lower-cased), so each spelling finds the same account — and counts against the same
lock. Failures are counted per ACCOUNT when the name matches one (else per normalised name,
so nothing tells a guesser whether an account exists) and per client address, over fixed
windows kept in the cache (shared by every process in production: Redis)."""

from __future__ import annotations

import datetime as dt
import ipaddress
import time
import unicodedata
from dataclasses import dataclass

import phonenumbers
from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from microcourt.core.crypto import blind_index
from microcourt.core.errors import DomainError

from . import phones
from .models import User

MAX_NAME = 254  # the longest name anyone logs in with is an e-mail address
# Between the digits of a phone number people type spaces, dashes, dots, brackets, slashes.
_SEPARATORS = set("-‐‑‒–—―−.·•()[]/\\")
_FORMAT_CATEGORIES = {"Cc", "Cf", "Zs", "Zl", "Zp"}  # controls, zero-width marks, spaces


@dataclass(frozen=True)
class Limit:
    failures: int
    seconds: int


# Per account (or per unknown name): 5 wrong passwords in 5 minutes, then wait.
ACCOUNT_LIMIT = Limit(failures=5, seconds=5 * 60)
# Per client address (IPv4, or an IPv6 /64): 30 failures in 15 minutes, whichever accounts.
ADDRESS_LIMIT = Limit(failures=30, seconds=15 * 60)


class TooManyFailures(DomainError):
    """Refused before the password is even checked. ``retry_after``: seconds to wait."""

    status = 429
    code = "too_many_attempts"

    def __init__(self, message, *, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


# --- names -------------------------------------------------------------------------------


def normalise(name: str) -> str:
    """The one spelling of what was typed: '＋86 138-0000-0001' → '+8613800000001',
    'Zhang@Example.COM' → 'zhang@example.com', a username as typed (NFKC, no spaces)."""
    text = unicodedata.normalize("NFKC", str(name or ""))[: MAX_NAME * 2]
    text = "".join(ch for ch in text if unicodedata.category(ch) not in _FORMAT_CATEGORIES)
    text = text.encode("utf-8", "replace").decode("utf-8")  # a lone surrogate is no name
    if "@" in text:
        return text.lower()[:MAX_NAME]
    digits = "".join(ch for ch in text if ch not in _SEPARATORS)
    if digits.lstrip("+").isascii() and digits.lstrip("+").isdigit() and len(digits) <= 20:
        e164 = _e164(digits)
        if e164:
            return e164
    return text[:MAX_NAME]


def _e164(digits: str) -> str | None:
    try:
        number = phonenumbers.parse(digits, "CN")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def account_for(name: str) -> User | None:
    """The account a log-in name means: a username, else a phone number, else an e-mail
    address that exactly one account has."""
    normal = normalise(name)
    if not normal:
        return None
    user = User.objects.filter(username=normal).first()
    if user is None and normal.startswith("+"):
        user = User.objects.filter(phone_index=phones.phone_index(normal)).first()
    if user is None and "@" in normal:
        matches = list(User.objects.filter(email__iexact=normal)[:2])
        user = matches[0] if len(matches) == 1 else None
    return user


def lock_key(name: str, *, user: User | None = None) -> str:
    """What a failure counts against: the account, however it was named; otherwise the
    normalised name (hashed: the cache holds no phone numbers or addresses)."""
    user = user if user is not None else account_for(name)
    if user is not None:
        return f"user:{user.pk}"
    return "name:" + blind_index(normalise(name).lower(), purpose="login-lock")


def address_key(ip: str) -> str:
    """IPv6 clients get a /64 each, so rotating through one's own block does not help."""
    try:
        address = ipaddress.ip_address(ip.strip())
    except ValueError:
        return "ip:" + blind_index(ip[:64], purpose="login-ip")
    if address.version == 6:
        address = ipaddress.ip_network(f"{address}/64", strict=False).network_address
    return "ip:" + blind_index(str(address), purpose="login-ip")


# --- counting ----------------------------------------------------------------------------


def _cache_key(key: str) -> str:
    return "login-failures:" + key


# A window ends at its stored ":until" time, read against this process's clock; the cache's
# own expiry only clears it away later (Redis counts its TTLs by its own clock).


def _retry_after(key: str, limit: Limit) -> int:
    """Seconds until ``key`` may try again; 0 if it may now."""
    counted = cache.get_many([_cache_key(key), _cache_key(key) + ":until"])
    until = counted.get(_cache_key(key) + ":until")
    if until is not None and until <= time.time():
        return 0  # the window is over
    if (counted.get(_cache_key(key)) or 0) < limit.failures:
        return 0
    return max(1, int(until - time.time()) + 1) if until else limit.seconds


def _count(key: str, limit: Limit) -> None:
    name = _cache_key(key)
    until = cache.get(name + ":until")
    if until is not None and until <= time.time():  # the last window is over: a new one
        cache.delete_many([name, name + ":until"])
    if cache.add(name, 1, limit.seconds):
        cache.set(name + ":until", time.time() + limit.seconds, limit.seconds)
        return
    try:
        cache.incr(name)
    except ValueError:  # the window ended between add and incr: this failure starts one
        _count(key, limit)


def _when(seconds: int) -> dict:
    at = timezone.localtime(timezone.now() + dt.timedelta(seconds=seconds))
    return {"time": at.strftime("%H:%M"), "minutes": max(1, -(-seconds // 60))}


def check(*, key: str | None, ip: str) -> None:
    """Before a password (or code) is checked: refuse, saying when to come back, while the
    account or the address is locked. ``key`` None: the address only (an SMS code, which a
    locked account may still use); ``ip`` "": a caller with no client (a script)."""
    wait = _retry_after(address_key(ip), ADDRESS_LIMIT) if ip else 0
    if wait:
        raise TooManyFailures(
            _("此网络登录失败次数过多，请于 %(time)s 后再试（约 %(minutes)s 分钟）。")
            % _when(wait),
            retry_after=wait,
        )
    wait = _retry_after(key, ACCOUNT_LIMIT) if key else 0
    if wait:
        raise TooManyFailures(
            _(
                "密码错误次数过多，该账号已暂时锁定。请于 %(time)s 后再试（约 %(minutes)s "
                "分钟），或使用短信验证码登录。"
            )
            % _when(wait),
            retry_after=wait,
        )


def failed(*, key: str | None, ip: str) -> None:
    if key:
        _count(key, ACCOUNT_LIMIT)
    if ip:
        _count(address_key(ip), ADDRESS_LIMIT)


def succeeded(*, key: str) -> None:
    """The right password: the account's count starts again (the address's does not)."""
    cache.delete_many([_cache_key(key), _cache_key(key) + ":until"])


def client_ip(request) -> str:
    """The client's address as the account pages see it (allauth's adapter honours the
    trusted-proxy settings); "" when there is none."""
    from allauth.account.adapter import get_adapter
    from django.core.exceptions import PermissionDenied

    try:
        return get_adapter(request).get_client_ip(request)
    except PermissionDenied:
        return ""

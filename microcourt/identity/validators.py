"""Password rules beyond Django's own validators (AUTH_PASSWORD_VALIDATORS), and the rules
for what people type about a person: names, birth dates, e-mail addresses."""

from __future__ import annotations

import datetime as dt
import unicodedata

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from microcourt.core.errors import InvalidInput


class StaffPasswordLengthValidator:
    """Court staff and administrators guard other people's cases, so their passwords are
    longer (12 characters by default) than the public's (10, Django's
    MinimumLengthValidator in settings). The other validators apply to everyone alike."""

    def __init__(self, min_length: int = 12) -> None:
        self.min_length = min_length

    @staticmethod
    def applies_to(user) -> bool:
        if user is None or getattr(user, "pk", None) is None:
            return False  # not saved yet: no court posts, no admin rights
        if getattr(user, "is_staff", False) or getattr(user, "is_superuser", False):
            return True
        return bool(getattr(user, "is_court_staff", False))

    def validate(self, password: str, user=None) -> None:
        if len(password) < self.min_length and self.applies_to(user):
            raise ValidationError(
                _("法院工作人员和管理员的密码至少需要 %(min_length)d 个字符。")
                % {"min_length": self.min_length},
                code="password_too_short_for_staff",
                params={"min_length": self.min_length},
            )

    def get_help_text(self) -> str:
        return _("法院工作人员和管理员的密码至少需要 %(min_length)d 个字符。") % {
            "min_length": self.min_length
        }


# --- What people type about a person: names, birth dates, e-mail addresses ---------------
#
# Each ``clean_*`` returns the value as stored or raises ``InvalidInput`` naming the field in
# the user's language; actions call them for the API and the pages alike.

# Whitespace (Zs, Zl, Zp) and the invisible format characters (Cf: zero-width space and
# joiners, the BOM, bidi marks) that a name made only of them would consist of.
_INVISIBLE_CATEGORIES = frozenset({"Zs", "Zl", "Zp", "Cf"})
EARLIEST_BIRTH_DATE = dt.date(1900, 1, 1)


def _invisible(char: str) -> bool:
    return char.isspace() or unicodedata.category(char) in _INVISIBLE_CATEGORIES


def visible_text(value: object) -> str:
    """``value`` without leading and trailing whitespace or invisible characters; "" when
    nothing visible is left (a "name" of zero-width spaces)."""
    text = "" if value is None else str(value)
    start, end = 0, len(text)
    while start < end and _invisible(text[start]):
        start += 1
    while end > start and _invisible(text[end - 1]):
        end -= 1
    return text[start:end]


def clean_name(
    value: object,
    *,
    field: str = "name",
    max_length: int = 200,
    required: bool = True,
    missing: str | Promise | None = None,
) -> str:
    """A person's or an organisation's name as typed: trimmed of invisible characters,
    refused when nothing visible is left, when it holds control characters or is too long."""
    name = visible_text(value)
    if not name:
        if not required:
            return ""
        message = missing or gettext_lazy("请填写姓名或名称")
        raise InvalidInput(message, fields={field: message})
    if any(unicodedata.category(char) == "Cc" for char in name):
        message = gettext_lazy("姓名或名称不能包含控制字符")
        raise InvalidInput(message, fields={field: message})
    if len(name) > max_length:
        message = gettext_lazy("姓名或名称不能超过 %(n)d 个字") % {"n": max_length}
        raise InvalidInput(message, fields={field: message})
    return name


def clean_birth_date(value: object, *, field: str = "birth_date") -> dt.date | None:
    """A birth date (``date`` or ISO text): not in the future (Beijing's today), not before
    1900; None when empty."""
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        value = value.date()
    if not isinstance(value, dt.date):
        try:
            value = dt.date.fromisoformat(str(value).strip())
        except ValueError:
            message = gettext_lazy("日期格式应为 2026-01-31")
            raise InvalidInput(message, fields={field: message}) from None
    if value > timezone.localdate():
        message = gettext_lazy("出生日期不能晚于今天")
        raise InvalidInput(message, fields={field: message})
    if value < EARLIEST_BIRTH_DATE:
        message = gettext_lazy("出生日期不能早于1900年")
        raise InvalidInput(message, fields={field: message})
    return value


_email_validator = EmailValidator()


def clean_email(value: object, *, field: str = "email", required: bool = False) -> str:
    """An e-mail address, checked by Django's ``EmailValidator`` (so ``a@b@c`` is refused)."""
    email = visible_text(value)
    if not email and not required:
        return ""
    try:
        _email_validator(email)
    except ValidationError:
        message = gettext_lazy("电子邮箱格式不正确")
        raise InvalidInput(message, fields={field: message}) from None
    return email


def validate_visible_name(value: object) -> None:
    """The form validator of ``clean_name``'s rule (Django ``ValidationError``)."""
    try:
        clean_name(value, max_length=10**6)
    except InvalidInput as exc:
        raise ValidationError(next(iter(exc.fields.values())), code="invalid_name") from None


def validate_birth_date(value: object) -> None:
    """The form validator of ``clean_birth_date``'s rule (Django ``ValidationError``)."""
    try:
        clean_birth_date(value)
    except InvalidInput as exc:
        raise ValidationError(next(iter(exc.fields.values())), code="invalid_birth_date") from None

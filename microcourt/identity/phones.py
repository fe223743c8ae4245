"""Phone numbers: parsed with ``phonenumbers`` (mainland China by default), stored as E.164."""

from __future__ import annotations

import phonenumbers
from django.utils.translation import gettext_lazy as _

from microcourt.core.crypto import blind_index
from microcourt.core.errors import InvalidInput


def normalise(raw: str, *, field: str = "phone") -> str:
    """'138 1234 5678' → '+8613812345678'; a clear error naming the field otherwise."""
    text = (raw or "").strip()
    if not text:
        raise InvalidInput(_("请填写手机号码"), fields={field: _("请填写手机号码")})
    try:
        number = phonenumbers.parse(text, "CN")
    except phonenumbers.NumberParseException:
        raise InvalidInput(
            _("手机号码格式不正确"), fields={field: _("请输入11位手机号码")}
        ) from None
    if not phonenumbers.is_valid_number(number):
        raise InvalidInput(_("手机号码格式不正确"), fields={field: _("请输入有效的手机号码")})
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def phone_index(e164: str) -> str:
    return blind_index(e164, purpose="user.phone")


def looks_like_phone(text: str) -> bool:
    digits = text.replace(" ", "").replace("-", "").removeprefix("+86")
    return digits.isdigit() and len(digits) == 11 and digits.startswith("1")


def masked(e164: str) -> str:
    national = e164.removeprefix("+86")
    return national[:3] + "****" + national[-4:] if len(national) >= 7 else "****"

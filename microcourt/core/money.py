"""Money: ``Decimal`` yuan with fen precision; 大写金额 for documents.

No float ever touches an amount. Rounding is half-up to the fen, as fee schedules and
banks do.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

import cn2an
from django.db import models
from django.utils.translation import gettext_lazy as _

from .errors import InvalidInput

FEN = Decimal("0.01")
ZERO = Decimal("0.00")
# Largest amount the platform accepts: a claim above a trillion yuan is a typing error.
MAX_AMOUNT = Decimal("1000000000000.00")


def fen(value: Decimal | int | str) -> Decimal:
    """Round to the fen, half up."""
    return Decimal(value).quantize(FEN, rounding=ROUND_HALF_UP)


def parse_amount(value: object, *, field: str = "amount", allow_zero: bool = True) -> Decimal:
    """Parse user input into yuan; errors name ``field`` and say why, in the user's language."""
    if isinstance(value, float):
        # A float has already lost fen; make the caller send a string.
        raise InvalidInput(_("金额请以字符串或整数提交"), fields={field: _("金额格式不正确")})
    if value is None or (isinstance(value, str) and not value.strip()):
        raise InvalidInput(_("请填写金额"), fields={field: _("请填写金额")})
    text = str(value).strip().replace(",", "").replace("，", "")
    text = text.removeprefix("¥").removeprefix("￥").removesuffix("元")
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise InvalidInput(
            _("金额格式不正确"), fields={field: _("请输入数字，例如 12000.50")}
        ) from None
    if not amount.is_finite():
        raise InvalidInput(_("金额格式不正确"), fields={field: _("请输入数字，例如 12000.50")})
    if amount < 0:
        raise InvalidInput(_("金额不能为负数"), fields={field: _("金额不能为负数")})
    if amount == 0 and not allow_zero:
        raise InvalidInput(_("金额必须大于零"), fields={field: _("金额必须大于零")})
    if amount > MAX_AMOUNT:
        raise InvalidInput(_("金额超出可受理范围"), fields={field: _("金额不能超过一万亿元")})
    if amount != amount.quantize(FEN):
        raise InvalidInput(_("金额最多保留两位小数"), fields={field: _("金额最多精确到分")})
    return fen(amount)


def in_words(amount: Decimal) -> str:
    """大写金额, e.g. 12000.50 → 壹万贰仟元伍角 (cn2an's RMB mode)."""
    amount = fen(amount)
    if amount < 0:
        raise ValueError("negative amounts have no 大写 form")
    if amount == 0:
        return "零元整"
    return cn2an.an2cn(format(amount, "f"), "rmb")


def display(amount: Decimal) -> str:
    """¥12,000.50"""
    return f"¥{fen(amount):,.2f}"


class MoneyField(models.DecimalField):
    """Yuan with fen precision; up to 10^16 yuan."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_digits", 18)
        kwargs.setdefault("decimal_places", 2)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs.pop("max_digits", None)
        kwargs.pop("decimal_places", None)
        return name, path, args, kwargs

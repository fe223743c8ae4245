"""Resident ID numbers (居民身份证号码, GB 11643): checksum, birth date and region.

python-stdnum's ``cn.ric`` refuses a number whose county code (GB/T 2260) did not exist yet
in the holder's birth year. But a number is issued with the code of the place where the
person is registered when the card is made, not where they were born: someone born in 2001
and registered later in 鄞州区 (330212, created in 2002) holds a real 330212… number. So
here a county code is good when it exists in *any* period of the GB/T 2260 table that
python-stdnum ships (``stdnum/cn/loc.dat``, with the periods each code was in use); a code
that never existed is refused. Everything else is python-stdnum's own check."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

from django.utils import timezone
from stdnum import numdb
from stdnum.cn import ric
from stdnum.exceptions import (
    InvalidChecksum,
    InvalidComponent,
    InvalidFormat,
    InvalidLength,
    ValidationError,
)
from stdnum.util import isdigits

__all__ = [
    "EARLIEST_BIRTH_YEAR",
    "county_code_exists",
    "resident_id_birth_date",
    "resident_id_is_valid",
    "resident_id_validate",
]

# Resident ID numbers were first issued in 1984 (the 15-digit form, later extended to 18
# digits); nobody holding one was born before this.
EARLIEST_BIRTH_YEAR = 1900


@lru_cache(maxsize=4096)
def county_code_exists(code: str) -> bool:
    """Whether the six-digit code names a county (or city) in any period of GB/T 2260."""
    if len(code) != 6 or not isdigits(code):
        return False
    found = {key for _part, props in numdb.get("cn/loc").info(code) for key in props}
    return "province" in found and "county" in found


def resident_id_birth_date(number: str) -> dt.date:
    """The birth date printed in the number (raises ``InvalidComponent`` when impossible)."""
    return ric.get_birth_date(number)


def resident_id_validate(number: str) -> str:
    """The compact number, or one of python-stdnum's ``ValidationError`` subclasses:
    ``InvalidLength``, ``InvalidFormat``, ``InvalidChecksum``, ``InvalidComponent`` (a date
    that does not exist, lies in the future or before 1900, or a region code that never
    existed)."""
    compact = ric.compact(number)
    if len(compact) != 18:
        raise InvalidLength()
    if not isdigits(compact[:-1]):
        raise InvalidFormat()
    if compact[-1] != ric.calc_check_digit(compact):
        raise InvalidChecksum()
    born = resident_id_birth_date(compact)
    if born.year < EARLIEST_BIRTH_YEAR or born > timezone.localdate():
        raise InvalidComponent()
    if not county_code_exists(compact[:6]):
        raise InvalidComponent()
    return compact


def resident_id_is_valid(number: str) -> bool:
    try:
        return bool(number) and bool(resident_id_validate(number))
    except ValidationError:
        return False

"""案号: rendering, parsing and assignment from a locked counter row.

《关于人民法院案件案号的若干规定》第二条、第三条: "(" + 收案年度 + ")" + 法院代字
[+ 专门审判代字] + 类型代字 + 案件编号 + "号"; 第九条: numbering is separate per court and per
type; 第十条: serials are natural numbers in order of receipt within the filing year.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from microcourt.core.actor import Actor
from microcourt.core.errors import Conflict, InvalidInput
from microcourt.ledger import actions as ledger

from .events import LedgerEvent
from .models import Case, CaseNumberCounter, CaseStatus

# Court documents print the brackets full-width, （2026）浙0203民初1号, so that is what we render.
# People type half-width ones too, so parsing accepts both.
OPEN, CLOSE = "（", "）"
OPENERS, CLOSERS = "（(", "）)"
# 第四条、第五条: the SPC is 最高法; other courts are one character (province abbreviation,
# 内, 军, 兵) followed by no digits (high court), 2 (intermediate) or 4 (basic).
COURT_CODE = re.compile(r"(最高法|[\u4e00-\u9fff])(\d*)")
# 第七条: a type code has at most three characters; one more may precede it as the
# specialised-trial code added in 2018, so up to four characters are read as the type part.
TYPE_PART = re.compile(r"[\u4e00-\u9fff]+")
MAX_TYPE_PART = 4
# 第一条: the serial is in Arabic numerals; a serial written 一, 二 … reads as part of the type.
CHINESE_NUMERALS = frozenset("〇零一二三四五六七八九十百千万")
# A first-user race on the counter row is retried this often before giving up.
COUNTER_ATTEMPTS = 3

FIELD = "case_number"


class CaseNumber(NamedTuple):
    year: int
    court_code: str
    type_code: str
    serial: int


def render_case_number(*, year: int, court_code: str, type_code: str, serial: int) -> str:
    """（2026）浙0203民初1号 (案号规定第三条)."""
    return f"{OPEN}{year}{CLOSE}{court_code}{type_code}{serial}号"


def _refuse(reason) -> InvalidInput:
    return InvalidInput(
        _("案号格式不正确：%(reason)s") % {"reason": reason}, fields={FIELD: reason}
    )


def parse_case_number(text: str) -> CaseNumber:
    """Split a 案号 into (year, court code, type code, serial); refuse it naming what is wrong
    (案号规定第三条至第五条、第七条、第十条)."""
    text = (text or "").strip()
    if not text:
        raise _refuse(_("请填写案号"))
    if text[0] not in OPENERS:
        raise _refuse(_("应以括号和收案年度开头，例如（2026）"))
    close = next((i for i, char in enumerate(text) if char in CLOSERS), -1)
    if close < 0:
        raise _refuse(_("收案年度缺少右括号"))
    year_text = text[1:close]
    if not (len(year_text) == 4 and year_text.isascii() and year_text.isdigit()):
        raise _refuse(_("收案年度应为四位数字"))
    year = int(year_text)
    if not 1949 <= year <= 2999:
        raise _refuse(_("收案年度不在有效范围内"))
    if not text.endswith("号"):
        raise _refuse(_("应以“号”结尾"))
    body = text[close + 1 : -1]
    court = COURT_CODE.match(body)
    if court is None:
        raise _refuse(_("缺少法院代字"))
    digits = court.group(2)
    if len(digits) not in (0, 2, 4):
        raise _refuse(_("法院代字中的数字应为两位或四位"))
    rest = body[court.end() :]
    kind = TYPE_PART.match(rest)
    if kind is None:
        raise _refuse(_("缺少类型代字"))
    if len(kind.group(0)) > MAX_TYPE_PART:
        raise _refuse(_("类型代字过长"))
    serial_text = rest[kind.end() :]
    if not serial_text:
        if kind.group(0)[-1] in CHINESE_NUMERALS:
            raise _refuse(_("案件编号应为阿拉伯数字"))
        raise _refuse(_("缺少案件编号"))
    if not (serial_text.isascii() and serial_text.isdigit()):
        raise _refuse(_("案件编号应为阿拉伯数字"))
    if serial_text.startswith("0"):
        raise _refuse(_("案件编号应为从1开始的自然数"))
    return CaseNumber(year, court.group(0), kind.group(0), int(serial_text))


def _locked_counter(case: Case) -> CaseNumberCounter:
    """The counter row for the case's court, type and year, locked until the transaction ends.

    The first case of a court/type/year creates the row. Two first users can race: on
    PostgreSQL the loser's INSERT waits for the winner's commit and then fails with an
    IntegrityError inside its savepoint, and the retry finds (and locks) the winner's row."""
    key = {"court_id": case.court_id, "case_type_id": case.case_type_id, "year": case.year}
    for attempt in range(COUNTER_ATTEMPTS):
        try:
            with transaction.atomic():
                counter, _created = CaseNumberCounter.objects.select_for_update().get_or_create(
                    **key, defaults={"last_serial": 0}
                )
            return counter
        except IntegrityError:
            if attempt == COUNTER_ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")


@transaction.atomic
def case_number_assign(*, case: Case, actor: Actor | None = None) -> str:
    """Give ``case`` the next 案号 of its court, type and filing year (案号规定第三条、第九条、
    第十条). Runs in the caller's transaction (case acceptance): the serial is used exactly
    when the acceptance commits, so serials have no gaps and no duplicates."""
    if case.number:
        return case.number
    if case.status == CaseStatus.FILED:
        # A number belongs to an accepted case: a filing that is never accepted must not
        # leave a gap in the court's serials.
        raise Conflict(_("案件尚未受理，不能编立案号"), code="not_accepted")
    counter = _locked_counter(case)
    counter.last_serial += 1
    counter.save(update_fields=["last_serial"])
    case.serial = counter.last_serial
    case.number = render_case_number(
        year=case.year,
        court_code=case.court.code,
        type_code=case.case_type.code,
        serial=case.serial,
    )
    case.save(update_fields=["serial", "number", "updated_at"])
    ledger.record(
        code=LedgerEvent.CASE_NUMBER_ASSIGNED,
        actor=actor or Actor.system("case number assigned"),
        case_id=case.pk,
        data={"number": case.number, "serial": case.serial},
    )
    return case.number

"""Reading identity documents from OCR lines: the second-generation resident ID card (front
and back) and the business licence (营业执照).

The parsers are pure functions of ``OcrLine`` lists, so they are tested without images and
work with any engine. They never guess: a field that cannot be read is "" (None for dates),
and ``confidence`` drops when fields are missing or contradict each other, so callers can
ask the user to retake the photo or type the value."""

from __future__ import annotations

import datetime as dt
import re
import statistics
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from stdnum.cn import uscc

from microcourt.core import idnumbers
from microcourt.core.calendar import add_months, local_date
from microcourt.core.errors import Unprocessable

from .ocr import OcrEngine, OcrLine, extract_fields, get_engine, is_cjk, usable_line

# Each contradiction (bad checksum, birth date or gender disagreeing with the number)
# multiplies the confidence by this: the card may still be right, but a person must look.
INCONSISTENCY_FACTOR = 0.6

# The 56 ethnic groups as printed on the card (GB 3304), longest first so that 土家 is
# not read as 土.
_ETHNIC_GROUPS = (  # noqa: SIM905 - a literal would take 56 lines
    "汉 蒙古 回 藏 维吾尔 苗 彝 壮 布依 朝鲜 满 侗 瑶 白 土家 哈尼 哈萨克 傣 黎 傈僳 佤 畲 "
    "高山 拉祜 水 东乡 纳西 景颇 柯尔克孜 土 达斡尔 仫佬 羌 布朗 撒拉 毛南 仡佬 锡伯 阿昌 "
    "普米 塔吉克 怒 乌孜别克 俄罗斯 鄂温克 德昂 保安 裕固 京 塔塔尔 独龙 鄂伦春 赫哲 门巴 "
    "珞巴 基诺"
).split()
ETHNICITIES = tuple(sorted(_ETHNIC_GROUPS, key=len, reverse=True))

# Characters OCR confuses with digits in the number fields. Applied only to runs that are
# already mostly digits, never to names or addresses.
_DIGIT_CONFUSIONS = str.maketrans("OoDQ〇Iil|!ZzSsBx×", "000001111122558XX")
_DIGITLIKE = "0-9OoDQ〇Iil|!ZzSsBXx×"
_ID_RUN = re.compile(f"[{_DIGITLIKE}]{{18,}}")
_DATE = re.compile(r"(\d{4})[年./\-]?(\d{1,2})[月./\-]?(\d{1,2})")
_LONG_TERM = "长期"


# --- results ----------------------------------------------------------------------------


@dataclass(frozen=True)
class IdCardFront:
    """The portrait side. ``issues`` names what lowered ``confidence`` (e.g.
    "gender_mismatch"), for callers that explain it; it never contains the values."""

    name: str = ""
    gender: str = ""
    ethnicity: str = ""
    birth_date: dt.date | None = None
    address: str = ""
    id_number: str = ""
    id_number_valid: bool = False
    confidence: float = 0.0
    issues: tuple[str, ...] = ()


@dataclass(frozen=True)
class IdCardBack:
    """The national-emblem side. ``valid_until`` is None both when unread and for a
    long-term (长期) card; ``long_term`` tells them apart."""

    issuing_authority: str = ""
    valid_from: dt.date | None = None
    valid_until: dt.date | None = None
    long_term: bool = False
    confidence: float = 0.0
    issues: tuple[str, ...] = ()

    @property
    def validity_read(self) -> bool:
        return self.long_term or self.valid_until is not None

    def expired(self, on: dt.date | None = None) -> bool:
        """Whether the card is past its end date on ``on`` (default: today in Beijing).

        The printed end date is the last valid day. A card whose validity could not be read is
        not reported as expired; check ``validity_read`` before relying on the answer."""
        if self.long_term or self.valid_until is None:
            return False
        day = on or local_date(timezone.now())
        return day > self.valid_until


@dataclass(frozen=True)
class BusinessLicence:
    name: str = ""
    uscc: str = ""  # 统一社会信用代码
    uscc_valid: bool = False
    # 法定代表人; on licences of branches, sole traders and partnerships the person printed
    # under 负责人 / 经营者 / 执行事务合伙人 / 投资人, who holds the same place.
    legal_representative: str = ""
    address: str = ""  # 住所, or (主要)经营场所
    kind: str = ""  # 类型
    founded: dt.date | None = None  # 成立日期 (注册日期 on older licences)
    confidence: float = 0.0
    issues: tuple[str, ...] = ()


# --- number and date helpers ------------------------------------------------------------


def normalize_id_number(text: str) -> str:
    """The 18-character resident ID number in ``text`` with OCR confusions undone
    (O→0, l→1, lower-case x, spaces, full-width digits), or "" when there is none.

    The result has the right shape (17 digits and a digit or X) but may still fail the
    checksum; ``id_number_is_valid`` says whether it is a real number."""
    compact = re.sub(r"[\s\-]", "", unicodedata.normalize("NFKC", text))
    for run in _ID_RUN.findall(compact):
        if sum(ch.isdigit() for ch in run) < 10:
            continue  # a word that happens to be made of digit-like letters
        candidate = run.translate(_DIGIT_CONFUSIONS)
        if len(candidate) == 18:
            if re.fullmatch(r"\d{17}[\dX]", candidate):
                return candidate
            continue
        # A longer run means OCR glued something on; accept a window only when the checksum
        # proves it, because choosing among windows would otherwise be a guess.
        for start in range(len(candidate) - 17):
            window = candidate[start : start + 18]
            if re.fullmatch(r"\d{17}[\dX]", window) and idnumbers.resident_id_is_valid(window):
                return window
    return ""


def id_number_is_valid(number: str) -> bool:
    """Checksum, birth date and a region code of any period (``core.idnumbers``)."""
    return idnumbers.resident_id_is_valid(number)


def normalize_credit_code(text: str) -> str:
    """The 18-character unified social credit code in ``text``, or "".

    The code's alphabet has no I, O, S, V or Z, so those letters can only be misread digits;
    the first eight characters (authority, type, region) are always digits."""
    tail_fixes = str.maketrans({"O": "0", "I": "1", "Z": "2", "S": "5"})
    for run in re.findall(
        r"[0-9A-Za-z|]{18,}", re.sub(r"[\s\-]", "", unicodedata.normalize("NFKC", text))
    ):
        shaped = []
        for start in range(len(run) - 17):
            window = run[start : start + 18]
            head = window[:8].translate(_DIGIT_CONFUSIONS)
            code = head + window[8:].upper().translate(tail_fixes)
            if re.fullmatch(r"\d{8}[0-9A-HJ-NP-RT-UW-Y]{10}", code):
                shaped.append(code)
        # As with ID numbers: a run longer than a code is trusted only where the check
        # character proves which 18 characters are the code.
        if len(run) == 18 and shaped:
            return shaped[0]
        if proven := next((code for code in shaped if uscc.is_valid(code)), None):
            return proven
    return ""


def parse_date(text: str) -> tuple[dt.date | None, bool]:
    """(date, found): ``found`` is True when something date-shaped was printed, so an
    impossible date (1990年2月30日) gives (None, True) rather than passing for a missing one."""
    digits = _fix_digits(text)
    match = _DATE.search(digits)
    if not match:
        return None, False
    year, month, day = (int(part) for part in match.groups())
    try:
        return dt.date(year, month, day), True
    except ValueError:
        return None, True


def _fix_digits(text: str) -> str:
    """Undo digit confusions next to digits only (the 1 in "l990"), leaving 年月日 alone."""
    text = re.sub(r"\s", "", unicodedata.normalize("NFKC", text))
    return re.sub(
        f"(?<=[0-9])[{_DIGITLIKE}]|[{_DIGITLIKE}](?=[0-9])",
        lambda m: m.group().translate(_DIGIT_CONFUSIONS),
        text,
    )


def _clean(text: str) -> str:
    return re.sub(r"\s", "", text).strip(":：;；,，.。")


def _confidence(used: list[OcrLine], found: int, expected: int, factors: int) -> float:
    if not used or not found:
        return 0.0
    unique = list({id(line): line for line in used}.values())
    mean = statistics.fmean(line.score for line in unique)
    return round(mean * found / expected * INCONSISTENCY_FACTOR**factors, 2)


# --- ID card front ----------------------------------------------------------------------

_FRONT_LABELS = {
    "name": ("姓名",),
    "gender": ("性别",),
    "ethnicity": ("民族",),
    "birth": ("出生",),
    "address": ("住址",),
    "id_number": ("公民身份号码", "公民身份号", "身份号码"),
}
# A label with one character misread ("性制男"), recognised only where the card's layout
# puts it: at the start of a printed line, or 民族 right after the gender.
_FRONT_MISREAD = {
    "name": ("^姓.", "^.名"),
    "gender": ("^性.(?=[男女])", "^.别(?=[男女])"),
    "ethnicity": ("(?<=[男女])民.", "(?<=[男女]).族", "^民.", "^.族"),
    "birth": (r"^出.(?=\d)", r"^.生(?=\d)"),
    "address": ("^住.", "^.址"),
}


def _name(text: str) -> str:
    name = "".join(
        ch for ch in _clean(text).replace("•", "·").replace("・", "·") if is_cjk(ch) or ch == "·"
    )
    # Longer than any printed name: the value swallowed something else.
    return name if 2 <= len(name) <= 20 else ""


def _ethnicity(text: str) -> tuple[str, bool]:
    """(ethnicity, corrected). A value one character off a single group's name of the same
    length ("维画尔") is that group: the list is closed, so this is a correction, not a
    guess. Anything else is "" rather than an invented group."""
    text = _clean(text)
    exact = next((e for e in ETHNICITIES if text.startswith(e)), "")
    if exact or len(text) < 2:
        return exact, False
    near = [
        e
        for e in ETHNICITIES
        if len(e) == len(text) and sum(a != b for a, b in zip(e, text, strict=True)) == 1
    ]
    return (near[0], True) if len(near) == 1 else ("", False)


_BIRTH_SHAPE = re.compile(r"\d{4}年\d{1,2}月\d{1,2}")


def parse_id_card_front(lines: Sequence[OcrLine]) -> IdCardFront:
    """The portrait side's fields from OCR lines (reading order, boxes optional)."""
    values = extract_fields(lines, _FRONT_LABELS, frozenset({"address"}), _FRONT_MISREAD)
    used: list[OcrLine] = []
    issues: list[str] = []

    def take(key: str, parsed: str) -> str:
        if parsed:
            used.extend(values[key].lines)
        return parsed

    name = take("name", _name(values["name"].text)) if "name" in values else ""
    gender_text = values["gender"].text if "gender" in values else ""
    gender = take("gender", next((ch for ch in gender_text if ch in "男女"), ""))
    ethnicity, corrected = (
        _ethnicity(values["ethnicity"].text) if "ethnicity" in values else ("", False)
    )
    take("ethnicity", ethnicity)
    if corrected:
        issues.append("ethnicity_corrected")
    birth_lines = values["birth"].lines if "birth" in values else []
    birth_date, birth_printed = (
        parse_date(values["birth"].text) if "birth" in values else (None, False)
    )
    if not birth_printed:
        # The front has one date written with 年月日: when its label is lost, it is still 出生.
        for line in lines:
            if usable_line(line) and _BIRTH_SHAPE.search(_fix_digits(line.text)):
                birth_date, birth_printed = parse_date(line.text)
                birth_lines = [line]
                break
    if birth_date:
        used.extend(birth_lines)
    elif birth_printed:
        issues.append("birth_date_impossible")
    address = take("address", _clean(values["address"].text)) if "address" in values else ""

    id_number = ""
    if "id_number" in values:
        id_number = take("id_number", normalize_id_number(values["id_number"].text))
    if not id_number:
        # The label is often the first thing lost on a worn card; the number alone is
        # unmistakable (18 characters, mostly digits).
        for line in lines:
            if usable_line(line) and (found := normalize_id_number(line.text)):
                id_number = found
                used.append(line)
                break
    valid = id_number_is_valid(id_number)

    fields = {
        "name": name,
        "gender": gender,
        "ethnicity": ethnicity,
        "birth_date": birth_date,
        "address": address,
        "id_number": id_number,
    }
    issues.extend(f"{key}_missing" for key, present in fields.items() if not present)
    if id_number and not valid:
        issues.append("id_number_invalid")
    if id_number and birth_date and id_number[6:14] != birth_date.strftime("%Y%m%d"):
        issues.append("birth_date_mismatch")
    if id_number and gender and ("男" if int(id_number[16]) % 2 else "女") != gender:
        issues.append("gender_mismatch")
    contradictions = sum(
        issue in issues for issue in ("id_number_invalid", "birth_date_mismatch", "gender_mismatch")
    )
    found = sum(bool(v) for v in fields.values())
    return IdCardFront(
        name=name,
        gender=gender,
        ethnicity=ethnicity,
        birth_date=birth_date,
        address=address,
        id_number=id_number,
        id_number_valid=valid,
        confidence=_confidence(used, found, len(fields), contradictions),
        issues=tuple(issues),
    )


# --- ID card back -----------------------------------------------------------------------

_BACK_LABELS = {"authority": ("签发机关",), "validity": ("有效期限", "有效期")}
# Cards are issued for 5, 10 or 20 years, or without end (长期) from the age of 46.
_VALIDITY_YEARS = (5, 10, 20)


def parse_id_card_back(lines: Sequence[OcrLine]) -> IdCardBack:
    values = extract_fields(lines, _BACK_LABELS, multiline=frozenset({"authority"}))
    used: list[OcrLine] = []
    issues: list[str] = []
    authority = _clean(values["authority"].text) if "authority" in values else ""
    if authority:
        used.extend(values["authority"].lines)

    valid_from: dt.date | None = None
    valid_until: dt.date | None = None
    long_term = False
    if "validity" in values:
        text = _fix_digits(values["validity"].text)
        dates: list[dt.date | None] = []
        for match in re.finditer(r"(\d{4})[年./\-]?(\d{2})[月./\-]?(\d{2})日?", text):
            try:
                dates.append(dt.date(*(int(part) for part in match.groups())))
            except ValueError:
                issues.append("validity_date_impossible")
                dates.append(None)
        long_term = _LONG_TERM in text
        if dates:
            valid_from = dates[0]
        if len(dates) > 1 and not long_term:
            valid_until = dates[1]
        if valid_from or valid_until or long_term:
            used.extend(values["validity"].lines)

    contradictions = 0
    if valid_from and valid_until:
        years = {add_months(valid_from, 12 * n) for n in _VALIDITY_YEARS}
        if valid_until not in years:
            issues.append("validity_period_unusual")
            contradictions += 1
    present = {
        "issuing_authority": authority,
        "valid_from": valid_from,
        "valid_until": valid_until or long_term,
    }
    issues.extend(f"{key}_missing" for key, value in present.items() if not value)
    found = sum(bool(v) for v in present.values())
    return IdCardBack(
        issuing_authority=authority,
        valid_from=valid_from,
        valid_until=valid_until,
        long_term=long_term,
        confidence=_confidence(used, found, len(present), contradictions),
        issues=tuple(issues),
    )


# --- business licence -------------------------------------------------------------------

_LICENCE_LABELS = {
    "credit_code": ("统一社会信用代码", "社会信用代码"),
    "name": ("名称",),
    "kind": ("类型",),
    "representative": ("法定代表人", "执行事务合伙人", "负责人", "经营者", "投资人"),
    "address": ("主要经营场所", "经营场所", "住所"),
    "founded": ("成立日期", "注册日期"),
    # Not returned, but they end the values printed before them.
    "scope": ("经营范围",),
    "capital": ("注册资本", "出资额", "出资数额"),
    "term": ("营业期限", "合伙期限", "经营期限"),
    "registrar": ("登记机关",),
    "form": ("组成形式",),
}


def parse_business_licence(lines: Sequence[OcrLine]) -> BusinessLicence:
    values = extract_fields(
        lines, _LICENCE_LABELS, multiline=frozenset({"name", "kind", "address"})
    )
    used: list[OcrLine] = []

    def text_of(key: str) -> str:
        value = _clean(values[key].text) if key in values else ""
        if value:
            used.extend(values[key].lines)
        return value

    code = normalize_credit_code(values["credit_code"].text) if "credit_code" in values else ""
    if code:
        used.extend(values["credit_code"].lines)
    else:
        for line in lines:
            candidate = normalize_credit_code(line.text) if usable_line(line) else ""
            if candidate and uscc.is_valid(candidate):
                code = candidate
                used.append(line)
                break
    founded, _printed = parse_date(values["founded"].text) if "founded" in values else (None, False)
    if founded:
        used.extend(values["founded"].lines)
    name, representative = text_of("name"), text_of("representative")
    address, kind = text_of("address"), text_of("kind")
    fields = {
        "name": name,
        "uscc": code,
        "legal_representative": representative,
        "address": address,
        "kind": kind,
        "founded": founded,
    }
    issues = [f"{key}_missing" for key, value in fields.items() if not value]
    valid = bool(code) and uscc.is_valid(code)
    if code and not valid:
        issues.append("uscc_invalid")
    found = sum(bool(v) for v in fields.values())
    return BusinessLicence(
        name=name,
        uscc=code,
        uscc_valid=valid,
        legal_representative=representative,
        address=address,
        kind=kind,
        founded=founded,
        confidence=_confidence(used, found, len(fields), int(bool(code) and not valid)),
        issues=tuple(issues),
    )


# --- image → fields ---------------------------------------------------------------------


def read_id_card_front(image: bytes, engine: OcrEngine | None = None) -> IdCardFront:
    """OCR the portrait side of a resident ID card and parse it.

    Raises ``Unprocessable`` (field ``image``) when neither a name nor an ID number is
    found: the photo is not of a card's portrait side, or too poor to read."""
    card = parse_id_card_front((engine or get_engine()).read(image))
    if not card.id_number and not card.name:
        raise Unprocessable(
            _("没有识别到身份证，请对准身份证人像面重新拍摄"),
            code="id_card_unreadable",
            fields={"image": _("没有识别到身份证人像面。")},
        )
    return card


def read_id_card_back(image: bytes, engine: OcrEngine | None = None) -> IdCardBack:
    """OCR the national-emblem side; ``Unprocessable`` when neither the issuing authority
    nor the validity period is found."""
    card = parse_id_card_back((engine or get_engine()).read(image))
    if not card.issuing_authority and not card.valid_from and not card.long_term:
        raise Unprocessable(
            _("没有识别到身份证国徽面，请对准身份证国徽面重新拍摄"),
            code="id_card_unreadable",
            fields={"image": _("没有识别到身份证国徽面。")},
        )
    return card


def read_business_licence(image: bytes, engine: OcrEngine | None = None) -> BusinessLicence:
    """OCR a business licence; ``Unprocessable`` when neither the name nor the unified social
    credit code is found."""
    licence = parse_business_licence((engine or get_engine()).read(image))
    if not licence.name and not licence.uscc:
        raise Unprocessable(
            _("没有识别到营业执照，请对准营业执照正本或副本重新拍摄"),
            code="licence_unreadable",
            fields={"image": _("没有识别到营业执照。")},
        )
    return licence

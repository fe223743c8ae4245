"""The fee engine: 《诉讼费用交纳办法》 (国务院令第481号) Arts 13–18 and 民诉解释 Art 206.

Pure: no models, no database. ``quote()`` turns a description of a case or an application
into a ``Quote`` — the total, a breakdown line per band or adjustment (the lines always add
up to the total), and the legal basis. ``Decimal`` throughout; each line is rounded half-up
to the fen, which equals rounding the sum, because every band below the top one is a whole
number of yuan.

Where the law gives a range (Arts 13(二)(三)(六), 14(一)1), the figure comes from
``data/fee_ranges.json`` per province, checked against the statutory range when loaded.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.utils.functional import Promise, lazy
from django.utils.translation import get_language, gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

from microcourt.core.errors import InvalidInput
from microcourt.core.money import ZERO, fen, parse_amount

DATA_PATH = Path(__file__).resolve().parent / "data" / "fee_ranges.json"

Text = str | Promise


@dataclass(frozen=True)
class Line:
    label: Text
    amount: Decimal


@dataclass(frozen=True)
class Quote:
    amount: Decimal
    breakdown: list[Line] = field(default_factory=list)
    basis: list[Text] = field(default_factory=list)


def _render(message: str, params: dict) -> str:
    text = gettext(message)
    return text % {k: str(v) for k, v in params.items()} if params else text


_lazy_render = lazy(_render, str)


def _t(message: str, **params) -> Promise:
    """A text translated when it is shown, not when the fee is computed (the message must
    be marked with ``gettext_noop`` at the call site so makemessages finds it)."""
    return _lazy_render(message, params)


def _yuan(value: Decimal | int) -> str:
    """10,000 / 12,000.5 → "12,000.50": whole yuan without decimals, otherwise fen."""
    value = Decimal(value)
    return f"{value:,.0f}" if value == value.to_integral_value() else f"{fen(value):,.2f}"


def _percent(rate: Decimal) -> str:
    return f"{(rate * 100).normalize():f}%"


# ---------------------------------------------------------------------------------------
# What may be asked

KINDS = {
    "acceptance": _("案件受理费"),
    "enforcement": _("申请执行费"),
    "preservation": _("申请保全措施费"),
    "payment_order": _("申请支付令费"),
    "public_notice": _("申请公示催告费"),
    "bankruptcy": _("破产案件申请费"),
    "arbitration": _("申请撤销仲裁裁决或认定仲裁协议效力"),
}
CATEGORIES = {
    "property": _("财产案件"),
    "divorce": _("离婚案件"),
    "personality": _("侵害人格权案件"),
    "ip": _("知识产权民事案件"),
    "labour": _("劳动争议案件"),
    "administrative": _("行政案件"),
    "other": _("其他非财产案件"),
    "jurisdiction_objection": _("管辖权异议不成立"),
}
ADMINISTRATIVE_KINDS = {
    "trademark": _("商标行政案件"),
    "patent": _("专利行政案件"),
    "maritime": _("海事行政案件"),
    "other": _("其他行政案件"),
}
PROCEDURES = {
    "ordinary": _("普通程序"),
    "summary": _("简易程序"),
    "small_claims": _("小额诉讼程序"),
}
CLOSURES = {
    "mediation": _("调解结案"),
    "withdrawal": _("撤诉"),
}
# Provinces by the abbreviation used in case numbers (案号); 黔/滇/蒙 are accepted too.
PROVINCES = {
    "京": _("北京市"),
    "津": _("天津市"),
    "冀": _("河北省"),
    "晋": _("山西省"),
    "内": _("内蒙古自治区"),
    "辽": _("辽宁省"),
    "吉": _("吉林省"),
    "黑": _("黑龙江省"),
    "沪": _("上海市"),
    "苏": _("江苏省"),
    "浙": _("浙江省"),
    "皖": _("安徽省"),
    "闽": _("福建省"),
    "赣": _("江西省"),
    "鲁": _("山东省"),
    "豫": _("河南省"),
    "鄂": _("湖北省"),
    "湘": _("湖南省"),
    "粤": _("广东省"),
    "桂": _("广西壮族自治区"),
    "琼": _("海南省"),
    "渝": _("重庆市"),
    "川": _("四川省"),
    "贵": _("贵州省"),
    "云": _("云南省"),
    "藏": _("西藏自治区"),
    "陕": _("陕西省"),
    "甘": _("甘肃省"),
    "青": _("青海省"),
    "宁": _("宁夏回族自治区"),
    "新": _("新疆维吾尔自治区"),
}
PROVINCE_ALIASES = {"黔": "贵", "滇": "云", "蒙": "内"}

# ---------------------------------------------------------------------------------------
# The law's figures

# Art 13(一): (upper bound of the band, rate); the first band is a flat fee per case.
PROPERTY_FLAT = (Decimal(10_000), Decimal(50))
PROPERTY_BANDS = (
    (Decimal(100_000), Decimal("0.025")),
    (Decimal(200_000), Decimal("0.02")),
    (Decimal(500_000), Decimal("0.015")),
    (Decimal(1_000_000), Decimal("0.01")),
    (Decimal(2_000_000), Decimal("0.009")),
    (Decimal(5_000_000), Decimal("0.008")),
    (Decimal(10_000_000), Decimal("0.007")),
    (Decimal(20_000_000), Decimal("0.006")),
    (None, Decimal("0.005")),
)
# Art 14(一)2.
ENFORCEMENT_FLAT = (Decimal(10_000), Decimal(50))
ENFORCEMENT_BANDS = (
    (Decimal(500_000), Decimal("0.015")),
    (Decimal(5_000_000), Decimal("0.01")),
    (Decimal(10_000_000), Decimal("0.005")),
    (None, Decimal("0.001")),
)
# Art 14(二).
PRESERVATION_FLAT = (Decimal(1_000), Decimal(30))
PRESERVATION_BANDS = ((Decimal(100_000), Decimal("0.01")), (None, Decimal("0.005")))
PRESERVATION_CAP = Decimal(5_000)
# Art 13(二)1: divorce, property above 200,000 at 0.5%.
DIVORCE_BANDS = ((Decimal(200_000), None), (None, Decimal("0.005")))
# Art 13(二)2: personality rights, damages 50,000–100,000 at 1%, above at 0.5%.
PERSONALITY_BANDS = (
    (Decimal(50_000), None),
    (Decimal(100_000), Decimal("0.01")),
    (None, Decimal("0.005")),
)
LABOUR_FEE = Decimal(10)  # Art 13(四)
ADMINISTRATIVE_FEES = {"trademark": Decimal(100), "patent": Decimal(100), "maritime": Decimal(100)}
ADMINISTRATIVE_OTHER_FEE = Decimal(50)  # Art 13(五)2
PUBLIC_NOTICE_FEE = Decimal(100)  # Art 14(四)
ARBITRATION_FEE = Decimal(400)  # Art 14(五)
BANKRUPTCY_CAP = Decimal(300_000)  # Art 14(六)

# Ranges the provinces fill in (Art 13 last paragraph), and the enforcement range of
# Art 14(一)1: category → (lowest, highest, article).
RANGES = {
    "divorce": (Decimal(50), Decimal(300), "第十三条第（二）项第1目"),
    "personality": (Decimal(100), Decimal(500), "第十三条第（二）项第2目"),
    "other": (Decimal(50), Decimal(100), "第十三条第（二）项第3目"),
    "ip": (Decimal(500), Decimal(1_000), "第十三条第（三）项"),
    "jurisdiction_objection": (Decimal(50), Decimal(100), "第十三条第（六）项"),
    "enforcement": (Decimal(50), Decimal(500), "第十四条第（一）项第1目"),
}

# Legal basis, as full article strings.
ART13_1 = _("《诉讼费用交纳办法》第十三条第（一）项")
ART13_2_1 = _("《诉讼费用交纳办法》第十三条第（二）项第1目")
ART13_2_2 = _("《诉讼费用交纳办法》第十三条第（二）项第2目")
ART13_2_3 = _("《诉讼费用交纳办法》第十三条第（二）项第3目")
ART13_3 = _("《诉讼费用交纳办法》第十三条第（三）项")
ART13_4 = _("《诉讼费用交纳办法》第十三条第（四）项")
ART13_5_1 = _("《诉讼费用交纳办法》第十三条第（五）项第1目")
ART13_5_2 = _("《诉讼费用交纳办法》第十三条第（五）项第2目")
ART13_6 = _("《诉讼费用交纳办法》第十三条第（六）项")
ART14_1_1 = _("《诉讼费用交纳办法》第十四条第（一）项第1目")
ART14_1_2 = _("《诉讼费用交纳办法》第十四条第（一）项第2目")
ART14_2 = _("《诉讼费用交纳办法》第十四条第（二）项")
ART14_3 = _("《诉讼费用交纳办法》第十四条第（三）项")
ART14_4 = _("《诉讼费用交纳办法》第十四条第（四）项")
ART14_5 = _("《诉讼费用交纳办法》第十四条第（五）项")
ART14_6 = _("《诉讼费用交纳办法》第十四条第（六）项")
ART15 = _("《诉讼费用交纳办法》第十五条")
ART16 = _("《诉讼费用交纳办法》第十六条")
ART17 = _("《诉讼费用交纳办法》第十七条")
ART18 = _("《诉讼费用交纳办法》第十八条")
SPC206 = _("《最高人民法院关于适用〈中华人民共和国民事诉讼法〉的解释》第二百零六条")

# ---------------------------------------------------------------------------------------
# Province figures


def load_fee_ranges(path: Path = DATA_PATH) -> dict[str, dict]:
    """Read the per-province figures and refuse any outside the statutory range."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ImproperlyConfigured(f"{path.name}: cannot read the fee ranges: {exc}") from exc
    if "default" not in raw:
        raise ImproperlyConfigured(f'{path.name}: the "default" entry is missing')
    provinces: dict[str, dict] = {}
    for province, entry in raw.items():
        if province.startswith("_"):
            continue  # comments
        if province != "default" and province not in PROVINCES:
            raise ImproperlyConfigured(f"{path.name}: unknown province {province!r}")
        figures = entry.get("figures", {})
        if province == "default" and set(figures) != set(RANGES):
            missing = ", ".join(sorted(set(RANGES) - set(figures)))
            raise ImproperlyConfigured(f"{path.name}: default lacks figures for {missing}")
        checked = {}
        for category, value in figures.items():
            if category not in RANGES:
                raise ImproperlyConfigured(
                    f"{path.name}: province {province!r} names unknown category {category!r}"
                )
            low, high, article = RANGES[category]
            try:
                figure = Decimal(str(value))
            except ArithmeticError:
                figure = None
            if figure is None or not figure.is_finite() or not low <= figure <= high:
                raise ImproperlyConfigured(
                    f"{path.name}: province {province!r}, category {category!r}: {value!r} "
                    f"is outside the statutory range {low}–{high} yuan "
                    f"(《诉讼费用交纳办法》{article})"
                )
            checked[category] = fen(figure)
        provinces[province] = {**entry, "figures": checked}
    return provinces


@functools.cache
def fee_ranges() -> dict[str, dict]:
    return load_fee_ranges()


def _province_figure(province: str, category: str) -> tuple[Decimal, Text]:
    """The figure a province set inside a statutory range, and the basis line saying where
    it comes from."""
    ranges = fee_ranges()
    entry = ranges.get(province, {})
    name = PROVINCES[province]
    if category in entry.get("figures", {}):
        english = (get_language() or "").startswith("en")
        document = entry.get("document_en" if english else "document") or entry.get("document")
        return entry["figures"][category], _t(
            gettext_noop("%(province)s的具体交纳标准：%(document)s"),
            province=name,
            document=document,
        )
    low = ranges["default"]["figures"][category]
    return low, _t(
        gettext_noop(
            "%(province)s的具体交纳标准尚未录入本系统，暂按法定幅度的下限%(fee)s元计算，以法院的交费通知为准"
        ),
        province=name,
        fee=_yuan(low),
    )


# ---------------------------------------------------------------------------------------
# Bands


def _bands(
    amount: Decimal,
    flat: tuple[Decimal, Decimal] | None,
    bands: Sequence[tuple[Decimal | None, Decimal | None]],
    *,
    start: Decimal = ZERO,
) -> list[Line]:
    """Cumulative bands: a line for each band the amount reaches, named by the part of
    the amount it covers. ``flat`` is (upper bound, fee per case) of a first flat band;
    a band without a rate (``None``) is free and gets no line."""
    lines = []
    low = start
    if flat is not None:
        low, fee = flat
        lines.append(
            Line(
                _t(
                    gettext_noop("%(high)s元以下部分：每件%(fee)s元"),
                    high=_yuan(low),
                    fee=_yuan(fee),
                ),
                fen(fee),
            )
        )
    for high, rate in bands:
        if amount <= low:
            break
        top = amount if high is None else min(amount, high)
        if rate is not None:
            lines.append(
                Line(
                    _t(
                        gettext_noop("%(low)s至%(high)s元部分 × %(rate)s"),
                        low=_yuan(low),
                        high=_yuan(top),
                        rate=_percent(rate),
                    ),
                    fen((top - low) * rate),
                )
            )
        if high is None:
            break
        low = high
    return lines


def _total(lines: Sequence[Line]) -> Decimal:
    return fen(sum((line.amount for line in lines), ZERO))


def property_lines(amount: Decimal) -> list[Line]:
    """Art 13(一), also the scale of payment orders, bankruptcy and IP cases with an amount."""
    return _bands(amount, PROPERTY_FLAT, PROPERTY_BANDS)


# ---------------------------------------------------------------------------------------
# Input


def _bad(field_name: str, reason: Text, message: Text | None = None) -> InvalidInput:
    return InvalidInput(message or reason, fields={field_name: reason})


def _choice(value: object, choices: dict, field_name: str, unknown: Text) -> str:
    if not isinstance(value, str) or value not in choices:
        raise _bad(field_name, unknown)
    return value


def _flag(value: object, field_name: str) -> bool:
    if value is None:
        return False
    if not isinstance(value, bool):
        raise _bad(field_name, _("请填写 true 或 false"))
    return value


def _amount(value: object) -> Decimal | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise _bad("amount", _("请输入数字，例如 12000.50"), _("金额格式不正确"))
    return parse_amount(value, field="amount", allow_zero=False)


def _required(amount: Decimal | None, reason: Text) -> Decimal:
    if amount is None:
        raise _bad("amount", reason, _("请填写金额"))
    return amount


# ---------------------------------------------------------------------------------------
# The engine


@dataclass
class _Draft:
    lines: list[Line] = field(default_factory=list)
    basis: list[Text] = field(default_factory=list)
    notes: list[Text] = field(default_factory=list)

    @property
    def total(self) -> Decimal:
        return _total(self.lines)

    def adjust(self, label: Text, to: Decimal) -> None:
        """A line that takes the running total to ``to``."""
        self.lines.append(Line(label, fen(to) - self.total))

    def flat(self, label: Text, fee: Decimal) -> None:
        self.lines.append(
            Line(_t(gettext_noop("%(what)s：每件%(fee)s元"), what=label, fee=_yuan(fee)), fen(fee))
        )

    def ignore_amount(self, amount: Decimal | None, what: Text) -> None:
        if amount is not None:
            self.notes.append(_t(gettext_noop("%(what)s按件交纳，与所填金额无关"), what=what))


def quote(
    *,
    kind: object,
    category: object = None,
    amount: object = None,
    procedure: object = "ordinary",
    closure: object = None,
    province: object = "浙",
    counterclaim: object = False,
    appeal: object = False,
    administrative_kind: object = None,
) -> Quote:
    """The fee for one case or application.

    ``amount`` is what the fee is reckoned on: the claim (or the appealed part of it, Art 17),
    the enforcement amount, the property preserved, the divorce property, the damages
    claimed for a personality right, or the total bankruptcy property. Bad input raises
    ``InvalidInput`` naming the field; nothing is computed from it."""
    if kind in (None, ""):
        raise _bad("kind", _("请选择费用种类"))
    kind = _choice(kind, KINDS, "kind", _("未知的费用种类，请从列表中选择"))
    if category in (None, ""):
        category = None
    else:
        category = _choice(category, CATEGORIES, "category", _("未知的案件类别，请从列表中选择"))
    procedure = _choice(
        procedure or "ordinary", PROCEDURES, "procedure", _("未知的审理程序，请从列表中选择")
    )
    closure = None if closure in (None, "") else closure
    if closure is not None:
        closure = _choice(closure, CLOSURES, "closure", _("未知的结案方式，请从列表中选择"))
    province = province or "浙"
    if isinstance(province, str):
        province = PROVINCE_ALIASES.get(province, province)
    province = _choice(province, PROVINCES, "province", _("请选择省、自治区或直辖市"))
    counterclaim = _flag(counterclaim, "counterclaim")
    appeal = _flag(appeal, "appeal")
    value = _amount(amount)

    if kind != "acceptance":
        # Arts 15–18 reduce the case-acceptance fee only; an application fee is never halved.
        not_for_applications = _("只有案件受理费可以减半，申请费不适用")
        if procedure != "ordinary":
            raise _bad("procedure", not_for_applications)
        if closure is not None:
            raise _bad("closure", not_for_applications)
        if counterclaim:
            raise _bad("counterclaim", not_for_applications)
        if appeal:
            raise _bad("appeal", _("上诉只涉及案件受理费，请选择“案件受理费”"))
        draft = _application(kind, value, province)
    else:
        if category is None:
            raise _bad("category", _("请选择案件类别"))
        if appeal and procedure != "ordinary":
            raise _bad(
                "procedure",
                _("第二审案件不适用简易程序；小额诉讼实行一审终审，不能上诉"),
            )
        draft = _acceptance(category, value, province, administrative_kind)
        if appeal:
            draft.notes.append(_("上诉案件按第一审的收费标准交纳，金额为上诉请求的数额"))
            if category in ("property", "ip") and value is not None:
                draft.basis.append(ART17)
        _halve(draft, procedure=procedure, closure=closure, counterclaim=counterclaim)

    total = draft.total
    if total < 0:  # cannot happen with the law's figures; refuse rather than pay out
        raise ArithmeticError("a negative fee")
    return Quote(amount=total, breakdown=draft.lines, basis=[*draft.basis, *draft.notes])


def _acceptance(
    category: str, amount: Decimal | None, province: str, administrative_kind: object
) -> _Draft:
    draft = _Draft()
    name = CATEGORIES[category]
    if category == "property" or (category == "ip" and amount is not None):
        value = _required(amount, _("财产案件须填写诉讼请求的金额或者价额"))
        draft.lines = property_lines(value)
        if category == "ip":
            draft.basis.append(ART13_3)
        draft.basis.append(ART13_1)
    elif category in ("divorce", "personality"):
        fee, source = _province_figure(province, category)
        draft.flat(name, fee)
        bands = DIVORCE_BANDS if category == "divorce" else PERSONALITY_BANDS
        if amount is not None:
            draft.lines += _bands(amount, None, bands)
        draft.basis += [ART13_2_1 if category == "divorce" else ART13_2_2, source]
    elif category in ("ip", "other", "jurisdiction_objection"):
        fee, source = _province_figure(province, category)
        label = _("知识产权民事案件（没有争议金额）") if category == "ip" else name
        draft.flat(label, fee)
        draft.basis += [{"ip": ART13_3, "other": ART13_2_3}.get(category, ART13_6), source]
        draft.ignore_amount(amount, label)
    elif category == "labour":
        draft.flat(name, LABOUR_FEE)
        draft.basis.append(ART13_4)
        draft.ignore_amount(amount, name)
    else:  # administrative
        if administrative_kind in (None, ""):
            administrative_kind = "other"
        administrative_kind = _choice(
            administrative_kind,
            ADMINISTRATIVE_KINDS,
            "administrative_kind",
            _("未知的行政案件类型，请从列表中选择"),
        )
        label = ADMINISTRATIVE_KINDS[administrative_kind]
        if administrative_kind in ADMINISTRATIVE_FEES:
            draft.flat(label, ADMINISTRATIVE_FEES[administrative_kind])
            draft.basis.append(ART13_5_1)
        else:
            draft.flat(label, ADMINISTRATIVE_OTHER_FEE)
            draft.basis.append(ART13_5_2)
        draft.ignore_amount(amount, name)
    return draft


def _application(kind: str, amount: Decimal | None, province: str) -> _Draft:
    draft = _Draft()
    name = KINDS[kind]
    if kind == "enforcement":
        if amount is None:
            fee, source = _province_figure(province, "enforcement")
            draft.flat(_("申请执行（没有执行金额或者价额）"), fee)
            draft.basis += [ART14_1_1, source]
        else:
            draft.lines = _bands(amount, ENFORCEMENT_FLAT, ENFORCEMENT_BANDS)
            draft.basis.append(ART14_1_2)
    elif kind == "preservation":
        if amount is None:
            draft.flat(_("申请保全（不涉及财产数额）"), PRESERVATION_FLAT[1])
        else:
            draft.lines = _bands(amount, PRESERVATION_FLAT, PRESERVATION_BANDS)
            if draft.total > PRESERVATION_CAP:
                draft.adjust(
                    _t(gettext_noop("保全费最多不超过%(cap)s元"), cap=_yuan(PRESERVATION_CAP)),
                    PRESERVATION_CAP,
                )
        draft.basis.append(ART14_2)
    elif kind == "payment_order":
        draft.lines = property_lines(_required(amount, _("申请支付令须填写请求给付的金额")))
        draft.adjust(_("比照财产案件受理费标准的三分之一交纳"), fen(draft.total / 3))
        draft.basis += [ART14_3, ART13_1]
    elif kind == "bankruptcy":
        draft.lines = property_lines(_required(amount, _("破产案件须填写破产财产总额")))
        draft.adjust(_("按照财产案件受理费标准减半交纳"), fen(draft.total / 2))
        if draft.total > BANKRUPTCY_CAP:
            draft.adjust(
                _t(gettext_noop("破产案件申请费最高不超过%(cap)s元"), cap=_yuan(BANKRUPTCY_CAP)),
                BANKRUPTCY_CAP,
            )
        draft.basis += [ART14_6, ART13_1]
    elif kind == "public_notice":
        draft.flat(name, PUBLIC_NOTICE_FEE)
        draft.basis.append(ART14_4)
        draft.ignore_amount(amount, name)
    else:  # arbitration
        draft.flat(name, ARBITRATION_FEE)
        draft.basis.append(ART14_5)
        draft.ignore_amount(amount, name)
    return draft


def _halve(draft: _Draft, *, procedure: str, closure: str | None, counterclaim: bool) -> None:
    """Arts 16, 18 and 15 each halve the acceptance fee, but 民诉解释 Art 206 allows one
    halving only. They are taken in the order a case meets them — the procedure and a
    counterclaim are known at filing, the closure at the end — so the first that applies
    halves and each later one is named in the basis as not applied."""
    # (article, its short name, line label, extra basis line)
    reasons: list[tuple[Text, Text, Text, Text | None]] = []
    if procedure == "summary":
        reasons.append((ART16, _("第十六条"), _("适用简易程序审理，减半交纳"), None))
    elif procedure == "small_claims":
        reasons.append(
            (
                ART16,
                _("第十六条"),
                _("适用小额诉讼程序审理，比照简易程序减半交纳"),
                _(
                    "小额诉讼程序是简易程序中的一种，《诉讼费用交纳办法》没有单独规定其收费，"
                    "按照第十六条适用简易程序的规定减半交纳"
                ),
            )
        )
    if counterclaim:
        reasons.append(
            (
                ART18,
                _("第十八条"),
                _("反诉或者有独立请求权的第三人的诉讼请求合并审理，减半交纳"),
                None,
            )
        )
    if closure == "mediation":
        reasons.append((ART15, _("第十五条"), _("以调解方式结案，减半交纳"), None))
    elif closure == "withdrawal":
        reasons.append((ART15, _("第十五条"), _("申请撤诉，减半交纳"), None))
    if not reasons:
        return
    (article, applied, label, extra), *skipped = reasons
    draft.adjust(label, fen(draft.total / 2))
    draft.basis.append(article)
    if extra is not None:
        draft.notes.append(extra)
    for _article, other, _label, _extra in skipped:
        draft.basis.append(
            _t(
                gettext_noop(
                    "%(rule)s：案件受理费只能减半一次；已依照《诉讼费用交纳办法》%(applied)s减半，"
                    "不再依照%(other)s减半"
                ),
                rule=SPC206,
                applied=applied,
                other=other,
            )
        )


# Checked when the module loads (the URLconf imports it), so a bad figure stops start-up
# instead of surfacing at someone's first quote.
fee_ranges()

"""Reading a 民事起诉状 (or an appeal, an application) from plain text.

The text comes from a PDF's text layer or from OCR, so line breaks fall anywhere and
characters are confused (： and :, full-width digits, O for 0, l for 1). The parser therefore
works on one flat string without whitespace and finds the document's parts by their printed
words (原告, 诉讼请求, 事实与理由, 此致) rather than by lines; the positions where lines broke
are kept only where they help (numbered items, paragraphs of the facts).

It never guesses a value it cannot see: a field that is not printed is "" (None), and what a
person should check (a failing checksum, amounts that disagree) goes into ``issues``."""

from __future__ import annotations

import re
import statistics
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

import cn2an
from stdnum.cn import uscc

from microcourt.assist.idcard import (
    ETHNICITIES,
    INCONSISTENCY_FACTOR,
    id_number_is_valid,
    normalize_credit_code,
    normalize_id_number,
    parse_date,
)
from microcourt.core.money import MAX_AMOUNT, fen

from .results import ClaimGuess, ComplaintGuess, PartyGuess, Source

# --- normalising -------------------------------------------------------------------------

# Chinese documents use full-width punctuation; OCR and some PDF fonts give ASCII. Values are
# returned in the Chinese forms, and the patterns below only need to know one of each.
_PUNCT = str.maketrans({":": "：", ";": "；", "(": "（", ")": "）", ",": "，", "!": "！"})
# Letters OCR reads for digits. Only replaced next to digits: a name or address keeps them.
# D and Q are not in the list because they are valid in credit codes.
_DIGIT_LIKE = str.maketrans("OoIl|", "00111")
_NEAR_DIGIT = re.compile(
    r"(?<=\d)[OoIl|]|[OoIl|](?=\d)|(?<=\d[.，])[OoIl|]|(?<=[年月])[Il|](?=\d?[月日])"
)
# 50，000 from OCR is a thousands separator, not a list.
_THOUSANDS = re.compile(r"(?<=\d)，(?=\d{3}(?!\d))")


def _normalise(text: str) -> str:
    # Full-width ASCII (Ｏ, ３, ：) and compatibility forms become plain characters one to one,
    # so positions stay comparable while the text is rewritten.
    text = "".join(
        unicodedata.normalize("NFKC", ch) if "\uff01" <= ch <= "\uff5e" else ch for ch in text
    )
    text = text.translate(_PUNCT).replace("．", ".").replace("﹕", "：")
    while True:
        fixed = _NEAR_DIGIT.sub(lambda m: m.group().translate(_DIGIT_LIKE), text)
        if fixed == text:
            break
        text = fixed
    return _THOUSANDS.sub(",", text)


@dataclass(frozen=True)
class _Flat:
    """The text without whitespace, and where its original lines began."""

    text: str
    breaks: frozenset[int]


def _flatten(text: str) -> _Flat:
    parts: list[str] = []
    breaks = set()
    length = 0
    for line in _normalise(text).splitlines():
        # Whitespace carries no meaning in Chinese text (letter-spaced labels such as
        # "原  告" are common); between Latin words it is kept as one space.
        squeezed = re.sub(r"(?<=[A-Za-z])\s+(?=[A-Za-z])", " ", line.strip())
        squeezed = re.sub(r"\s(?![A-Za-z])|(?<![A-Za-z])\s", "", squeezed)
        if squeezed:
            breaks.add(length)
            parts.append(squeezed)
            length += len(squeezed)
    return _Flat("".join(parts), frozenset(breaks))


# --- amounts -----------------------------------------------------------------------------

_ARABIC_AMOUNT = re.compile(
    r"(?<![\d.])(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?(万|亿)?元|¥(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?"
)
_CN_DIGIT = "零〇一二两三四五六七八九壹贰叁肆伍陆柒捌玖"
_CN_NUMBER = _CN_DIGIT + "十百千万亿拾佰仟萬億"
_CN_AMOUNT = re.compile(rf"([{_CN_NUMBER}]+)元(?:零?([{_CN_DIGIT}])角)?(?:零?([{_CN_DIGIT}])分)?")
_BASE = re.compile(r"(?:为|作为)(?:计算)?(?:基数|本金|基础)")
_UNITS = {"": 1, "万": 10_000, "亿": 100_000_000}


@dataclass(frozen=True)
class _Amount:
    start: int
    end: int
    value: Decimal
    words: bool  # written in Chinese numerals (大写)


def _cn_value(text: str) -> Decimal | None:
    text = text.replace("萬", "万").replace("億", "亿")
    if not text.strip("零〇万亿"):
        return None  # "万元" alone is a unit, not an amount
    try:
        # cn2an gives an int for whole numbers; only whole yuan reach it.
        return Decimal(int(cn2an.cn2an(text, "normal")))
    except (ValueError, KeyError, TypeError, IndexError):
        return None


def _amounts(text: str) -> list[_Amount]:
    found = []
    for m in _ARABIC_AMOUNT.finditer(text):
        whole, frac, unit = (
            (m.group(1), m.group(2), m.group(3) or "")
            if m.group(1)
            else (
                m.group(4),
                m.group(5),
                "",
            )
        )
        try:
            value = Decimal(f"{whole.replace(',', '')}.{frac or '0'}") * _UNITS[unit]
        except InvalidOperation:
            continue
        found.append(_Amount(m.start(), m.end(), value, words=False))
    for m in _CN_AMOUNT.finditer(text):
        value = _cn_value(m.group(1))
        if value is None:
            continue
        for digit, scale in ((m.group(2), "0.1"), (m.group(3), "0.01")):
            if digit:
                value += Decimal(int(cn2an.cn2an(digit, "normal"))) * Decimal(scale)
        found.append(_Amount(m.start(), m.end(), value, words=True))
    return sorted((a for a in found if 0 < a.value <= MAX_AMOUNT), key=lambda amount: amount.start)


def _depths(text: str) -> list[int]:
    """Bracket depth at each position: figures in brackets are usually 大写 repeats or the
    base of an interest calculation, not the item's own figure."""
    depth, depths = 0, []
    for ch in text:
        if ch == "（":
            depth += 1
        depths.append(depth)
        if ch == "）":
            depth = max(depth - 1, 0)
    return depths


def claim_amount(text: str) -> tuple[Decimal | None, bool]:
    """(the item's principal money figure, whether a 大写 repeat of it disagrees).

    The principal is the first figure outside brackets (借款本金50,000元（大写：伍万元整）及
    利息), else the first figure at all."""
    amounts = _amounts(text)
    if not amounts:
        return None, False
    depths = _depths(text)
    # The base of an interest calculation (以50000元为基数) is not what this item claims.
    amounts = [a for a in amounts if not _BASE.match(text, a.end)]
    if not amounts:
        return None, False
    outside = [a for a in amounts if depths[a.start] == 0]
    principal = outside[0] if outside else amounts[0]
    mismatch = False
    following = [a for a in amounts if a.start >= principal.end]
    if following:
        repeat = following[0]
        between = text[principal.end : repeat.start]
        # A repeat sits in the bracket right after the figure: "（大写：人民币伍万元整）".
        if (
            repeat.words != principal.words
            and "（" in between
            and len(between) <= 10
            and depths[repeat.start] > depths[principal.start]
        ):
            mismatch = repeat.value != principal.value
    return fen(principal.value), mismatch


# --- parts of the document ---------------------------------------------------------------

_CLAIMS = re.compile(
    r"(?:诉讼请求|上诉请求|请求事项|申请事项|申请请求|仲裁请求)(?:事项)?(?:如下)?：?"
)
_FACTS = re.compile(r"事实(?:与|和|及)?理由(?:如下)?：?")
_CLOSING = re.compile(r"此致")
_COURT = re.compile(r"此致(?:：)?([\u4e00-\u9fff]{2,30}?(?:人民法院|法院|法庭))")
_ANY_COURT = re.compile(r"[\u4e00-\u9fff]{2,24}?(?:人民法院|法庭)")

_PARTY_ROLES = {
    "被上诉人": "defendant",
    "上诉人": "plaintiff",
    "被申请人": "defendant",
    "申请人": "plaintiff",
    "第三人": "third_party",
    "原告": "plaintiff",
    "被告": "defendant",
}
# People who speak for a party but are not one; their block ends the party's block.
_AGENT_ROLES = ("委托诉讼代理人", "委托代理人", "诉讼代理人", "法定代理人", "指定代理人")
_ROLE = re.compile(
    "(?P<role>"
    + "|".join(sorted((*_PARTY_ROLES, *_AGENT_ROLES), key=len, reverse=True))
    + r")(?P<ord>(?:[一二三四五六七八九十]|\d{1,2})(?=[（：])"
    + r"|（(?:[一二三四五六七八九十]|\d{1,2})）)?"
    + r"(?P<note>（[^）]{1,12}）)?(?P<colon>：)?"
)
_BLOCK_START = "。；，：）"


def _role_blocks(flat: _Flat, end: int) -> list[tuple[str, str]]:
    """(role word, block text) for each party or agent named before ``end``."""
    starts = []
    for m in _ROLE.finditer(flat.text, 0, end):
        at_start = m.start() == 0 or m.start() in flat.breaks
        if m.group("colon") or at_start or flat.text[m.start() - 1] in _BLOCK_START:
            starts.append(m)
    blocks = []
    for i, m in enumerate(starts):
        stop = starts[i + 1].start() if i + 1 < len(starts) else end
        blocks.append((m.group("role"), flat.text[m.end() : stop]))
    return blocks


# --- a party's block ---------------------------------------------------------------------

_PARTY_LABELS = {
    "id_number": ("公民身份证号码", "公民身份号码", "身份证号码", "身份证号", "身份号码", "身份证"),
    "uscc": ("统一社会信用代码", "社会信用代码", "信用代码", "组织机构代码"),
    "address": (
        "住所地",
        "住所",
        "住址",
        "经常居住地",
        "户籍所在地",
        "户籍地",
        "现住址",
        "现住",
        "地址",
        "(?<=[，；族])住(?![所址])",
    ),
    "phone": ("联系电话", "联系方式", "手机号码", "手机号", "手机", "电话"),
    "representative": ("法定代表人", "执行事务合伙人", "负责人", "经营者", "投资人"),
    "title": ("职务", "职位"),
    "birth": ("出生日期", "出生年月"),
    "gender": ("性别",),
    "ethnicity": ("民族",),
}
_LABEL = re.compile(
    "|".join(
        f"(?P<{key}_{i}>{alt})"
        for i, (alt, key) in enumerate(
            sorted(
                ((alt, key) for key, alts in _PARTY_LABELS.items() for alt in alts),
                key=lambda pair: len(pair[0]),
                reverse=True,
            )
        )
    )
)
_BIRTH = re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日?(?:出生|生)?")
_PHONE = re.compile(r"(?<!\d)(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})(?!\d)")
_LEGAL_NAME = re.compile(
    r"(?:公司|银行|支行|分行|集团|合作社|事务所|学校|大学|医院|协会|委员会|政府|研究院|中心|厂|局)$"
)
_OTHER_NAME = re.compile(r"(?:分公司|分店|门市部|经营部|商行|个体工商户|合伙企业\S*|（普通合伙）)$")


def _fields(block: str) -> tuple[str, dict[str, str]]:
    """(the text before the first label, {label key: its value}); the first label wins."""
    matches = list(_LABEL.finditer(block))
    head = block[: matches[0].start()] if matches else block
    values: dict[str, str] = {}
    for i, m in enumerate(matches):
        key = (m.lastgroup or "").rsplit("_", 1)[0]
        stop = matches[i + 1].start() if i + 1 < len(matches) else len(block)
        if key not in values:
            values[key] = _tidy(block[m.end() : stop].lstrip("：为是"))
    return head, values


def _tidy(value: str) -> str:
    return re.split(r"[；。]", value, maxsplit=1)[0].strip("：，、；。 ")


def _first_clause(value: str) -> str:
    return re.split(r"[，；。、（]", value, maxsplit=1)[0].strip("：")


def _ethnicity(text: str) -> str:
    return next((f"{e}族" for e in ETHNICITIES if f"{e}族" in text), "")


def parse_party(block: str, side: str) -> PartyGuess:
    """One party from the text after its role word (原告：…)."""
    head, values = _fields(block.lstrip("：").strip("，；。"))
    # The name runs to the first comma; a lost comma before the gender ("张三男1980年") is
    # the one OCR slip that would otherwise glue them together.
    name_match = re.match(r"(.+?)(?=[，；。：]|[男女]\d|$)", head)
    name = name_match.group(1) if name_match else ""
    gender = values.get("gender", "")[:1]
    if gender not in ("男", "女"):
        gender = next(
            (g for g in re.findall(r"(?:^|，|(?<=\D))([男女])(?=，|\d|$)", head[len(name) :])), ""
        )
    birth_text = values.get("birth") or (m.group() if (m := _BIRTH.search(head)) else "")
    birth_date, birth_printed = parse_date(birth_text) if birth_text else (None, False)
    ethnicity = _ethnicity(values.get("ethnicity", "") + "族" if "ethnicity" in values else head)
    if values.get("ethnicity") and not ethnicity:
        ethnicity = _first_clause(values["ethnicity"])
    id_number = normalize_id_number(values.get("id_number", ""))
    code = normalize_credit_code(values.get("uscc", ""))
    phone_match = _PHONE.search(values.get("phone", "").replace(" ", ""))
    representative = _first_clause(values.get("representative", ""))

    if representative and "representative" in values and re.search("法定代表人", block):
        kind = "legal"
    elif "representative" in values or _OTHER_NAME.search(name):
        kind = "other"
    elif code or _LEGAL_NAME.search(name):
        kind = "legal"
    else:
        kind = "natural"
    if kind == "natural" and not id_number:
        # The label is often lost to OCR; an 18-character number is unmistakable on its own.
        id_number = normalize_id_number(block)

    issues: list[str] = []
    contradictions = 0
    if id_number and not id_number_is_valid(id_number):
        issues.append("id_number_invalid")
        contradictions += 1
    if code and not uscc.is_valid(code):
        issues.append("uscc_invalid")
        contradictions += 1
    if birth_printed and not birth_date:
        issues.append("birth_date_impossible")
    if id_number and birth_date and id_number[6:14] != birth_date.strftime("%Y%m%d"):
        issues.append("birth_date_mismatch")
        contradictions += 1
    if (
        id_number[16:17].isdigit()
        and gender
        and ("男" if int(id_number[16]) % 2 else "女") != gender
    ):
        issues.append("gender_mismatch")
        contradictions += 1

    address = values.get("address", "")
    expected: dict[str, object]
    if kind == "natural":
        expected = {"name": name, "id_number": id_number, "address": address, "gender": gender}
        expected["birth_date"] = birth_date
    else:
        expected = {"name": name, "uscc": code, "address": address}
        expected["legal_representative"] = representative
    issues[:0] = [f"{key}_missing" for key, value in expected.items() if not value]
    found = sum(bool(value) for value in expected.values())
    confidence = found / len(expected) * INCONSISTENCY_FACTOR**contradictions
    return PartyGuess(
        side=side,  # type: ignore[arg-type]
        kind=kind,  # type: ignore[arg-type]
        name=name,
        gender=gender if kind == "natural" else "",
        birth_date=birth_date,
        ethnicity=ethnicity if kind == "natural" else "",
        id_number=id_number,
        address=address,
        phone=phone_match.group(1) if phone_match else "",
        uscc=code,
        legal_representative=representative if kind != "natural" else "",
        confidence=round(confidence, 2),
        issues=tuple(issues),
    )


# --- claims ------------------------------------------------------------------------------

_ITEM = re.compile(
    r"(?P<arabic>\d{1,2})[.、](?!\d)"
    r"|(?P<cn>[一二三四五六七八九十]{1,3})、"
    r"|（(?P<paren>\d{1,2}|[一二三四五六七八九十]{1,3})）"
    r"|(?P<circled>[①-⑳])"
)


def _item_number(m: re.Match[str]) -> int:
    if m.group("circled"):
        return ord(m.group("circled")) - ord("①") + 1
    number = m.group("arabic") or m.group("paren") or m.group("cn")
    return int(number) if number.isdigit() else int(cn2an.cn2an(number, "normal"))


def split_items(section: str, breaks: frozenset[int] = frozenset()) -> list[str]:
    """The numbered items of a list (1. / 一、 / （1） / ①). A number counts as a marker only
    where an item can begin (the start, after punctuation or a line break) and only when it
    is the next in sequence, so "借款1.5万元" or a date never starts an item."""
    starts: list[re.Match[str]] = []
    for m in _ITEM.finditer(section):
        where = m.start()
        if not (where == 0 or where in breaks or section[where - 1] in "：；。，"):
            continue
        if _item_number(m) == len(starts) + 1:
            starts.append(m)
    if not starts:
        items = re.split(r"[；]", section)
    else:
        items = [
            section[m.end() : starts[i + 1].start() if i + 1 < len(starts) else len(section)]
            for i, m in enumerate(starts)
        ]
    return [text for item in items if (text := item.strip("：；。，、 "))]


# --- cause of action ---------------------------------------------------------------------

# (keywords, 案由), most specific first: a traffic-accident complaint also speaks of lost
# wages, a divorce of loans between the spouses. The first row with a hit in the claims
# wins; failing that, the first with a hit in the facts.
_CAUSES = (
    (("离婚",), "离婚纠纷"),
    (("交通事故",), "机动车交通事故责任纠纷"),
    (("信用卡",), "信用卡纠纷"),
    (("物业费", "物业服务", "物业管理"), "物业服务合同纠纷"),
    (("工资", "劳动报酬", "加班费"), "追索劳动报酬纠纷"),
    (("劳动合同", "劳动关系", "经济补偿金"), "劳动争议"),
    (("借款", "借条", "欠条", "借据", "借贷"), "民间借贷纠纷"),
    (("买卖", "货款"), "买卖合同纠纷"),
    (("租金", "租赁"), "租赁合同纠纷"),
)
_EXPLICIT_CAUSE = re.compile(r"案由：?([\u4e00-\u9fff]{2,20}?(?:纠纷|争议))")


def guess_cause(claims: str, facts: str, parties: tuple[PartyGuess, ...] = ()) -> str:
    if m := _EXPLICIT_CAUSE.search(claims + facts):
        return m.group(1)
    for text in (claims, facts):
        for words, cause in _CAUSES:
            if any(word in text for word in words):
                if cause == "民间借贷纠纷" and any("银行" in p.name for p in parties):
                    return "金融借款合同纠纷"  # a bank's loan is not a private loan
                return cause
    return ""


# --- the whole document ------------------------------------------------------------------


def _paragraphs(flat: _Flat, start: int, stop: int) -> str:
    """The text between two positions, with a line break kept where a line ended a
    sentence: that is where the writer's paragraphs were."""
    out = []
    for i in range(start, stop):
        if i in flat.breaks and i > start and flat.text[i - 1] == "。":
            out.append("\n")
        out.append(flat.text[i])
    return "".join(out).strip("：，；\n")


def parse_complaint_text(text: str, *, source: Source = "text_pdf") -> ComplaintGuess:
    """Parties, claims, facts, court and cause from a complaint's text."""
    flat = _flatten(text)
    body = flat.text
    claims_label = _CLAIMS.search(body)
    facts_label = _FACTS.search(body, claims_label.end() if claims_label else 0)
    closing = _CLOSING.search(body, facts_label.end() if facts_label else 0)
    end_of_parties = (
        min(m.start() for m in (claims_label, facts_label, closing) if m is not None)
        if (claims_label or facts_label or closing)
        else len(body)
    )

    parties = tuple(
        parse_party(block, _PARTY_ROLES[role])
        for role, block in _role_blocks(flat, end_of_parties)
        if role in _PARTY_ROLES
    )

    claims: list[ClaimGuess] = []
    issues: list[str] = []
    claims_text = ""
    if claims_label:
        stop = min((m.start() for m in (facts_label, closing) if m is not None), default=len(body))
        claims_text = body[claims_label.end() : stop]
        breaks = frozenset(b - claims_label.end() for b in flat.breaks)
        for number, item in enumerate(split_items(claims_text, breaks), start=1):
            amount, mismatch = claim_amount(item)
            claims.append(ClaimGuess(text=item, amount=amount))
            if mismatch:
                issues.append(f"claim_{number}_amount_mismatch")

    facts = ""
    if facts_label:
        facts = _paragraphs(flat, facts_label.end(), closing.start() if closing else len(body))
    court = ""
    if court_match := _COURT.search(body, closing.start() if closing else len(body)):
        court = court_match.group(1)
    elif closing is None and (courts := _ANY_COURT.findall(body[-80:])):
        court = courts[-1]

    present = {
        "plaintiff": any(p.side == "plaintiff" for p in parties),
        "defendant": any(p.side == "defendant" for p in parties),
        "claims": bool(claims),
        "facts": bool(facts),
        "court": bool(court),
    }
    issues[:0] = [f"{key}_missing" for key, found in present.items() if not found]
    party_confidence = statistics.fmean(p.confidence for p in parties) if parties else 0.0
    mismatches = sum(issue.endswith("_amount_mismatch") for issue in issues)
    confidence = (
        sum(present.values())
        / len(present)
        * (0.5 + 0.5 * party_confidence)
        * INCONSISTENCY_FACTOR**mismatches
    )
    return ComplaintGuess(
        parties=parties,
        claims=tuple(claims),
        facts=facts,
        court_name=court,
        cause=guess_cause(claims_text, facts, parties),
        source=source,
        confidence=round(confidence, 2),
        issues=tuple(issues),
    )

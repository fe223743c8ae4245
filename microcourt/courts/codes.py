"""法院代字 per 《关于人民法院案件案号的若干规定》 Arts 4–5 (and the 2018 amendment)."""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

from microcourt.core.errors import InvalidInput

SUPREME = "最高法"
# Art 4: province abbreviations used by high courts; 兵 = XPCC branch, 军 = PLA courts.
HIGH_COURT_CODES = frozenset(
    "京津冀晋内辽吉黑沪苏浙皖闽赣鲁豫鄂湘粤桂琼渝川黔贵云滇藏陕甘青宁新兵军"
)
# 2018 amendment: intermediate-level numbers reserved for specialised courts.
SPECIALISED_INTERMEDIATE = range(71, 100)


def validate(code: str, *, level: str, parent_code: str | None) -> None:
    """Raise InvalidInput naming ``code`` when it breaks the code rules for its level."""

    def bad(reason: str) -> InvalidInput:
        return InvalidInput(_("法院代字不符合案号规定"), fields={"code": reason})

    if level == "supreme":
        if code != SUPREME:
            raise bad(_("最高人民法院的代字为“最高法”"))
        return
    if level == "high":
        if len(code) != 1 or code not in HIGH_COURT_CODES:
            raise bad(_("高级人民法院的代字为省级行政区简称（一个汉字）"))
        return
    if not parent_code:
        raise bad(_("中级、基层法院须有上级法院"))
    province = parent_code[0]
    if level == "intermediate":
        if not re.fullmatch(rf"{re.escape(province)}\d{{2}}", code):
            raise bad(_("中级人民法院的代字为高院代字加两位数字，例如 浙02"))
        return
    if level == "basic":
        if not re.fullmatch(rf"{re.escape(province)}\d{{4}}", code):
            raise bad(_("基层人民法院的代字为高院代字加四位数字，例如 浙0203"))
        if len(parent_code) == 3 and not code.startswith(parent_code):
            raise bad(_("基层法院代字须以其中级法院代字开头"))
        return
    raise bad(_("未知的法院层级"))

"""要素式起诉状: the element questions per cause of action, and their validation.

The element lists follow the courts' 要素式起诉状 forms: each question is one fact the judge
needs to decide the claim, so a complaint built from them has no gaps a clerk would send
back for correction. Nothing here touches the database: the assistant runs before a filing
application exists. The questions themselves live in ``causes_money`` and
``causes_personal``; this module is the registry and the validation.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from decimal import Decimal, InvalidOperation

from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from microcourt.core.errors import InvalidInput
from microcourt.core.money import parse_amount

from . import causes_money as money
from . import causes_personal as personal
from .schema import KINDS, TEXT_LIMITS, Question, Reason, Template

__all__ = ["KINDS", "TEMPLATES", "Question", "Template", "clean_answers", "questions_for"]

# A date before this is a typing error (a 借款日期 of 0025-01-01), not a fact.
EARLIEST_DATE = dt.date(1900, 1, 1)
_DATE_RE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_TRUE = {"true", "1", "yes", "on", "是", "有"}
_FALSE = {"false", "0", "no", "off", "否", "无"}

# --- the registry --------------------------------------------------------------------------

TEMPLATES: dict[str, Template] = {
    t.key: t
    for t in (
        Template(
            "private_lending",
            _("民间借贷纠纷"),
            money.PRIVATE_LENDING,
            money.check_private_lending,
        ),
        Template("sale_contract", _("买卖合同纠纷"), money.SALE_CONTRACT, money.check_sale),
        Template(
            "financial_loan",
            _("金融借款合同纠纷"),
            money.FINANCIAL_LOAN,
            money.check_financial_loan,
        ),
        Template("credit_card", _("信用卡纠纷"), money.CREDIT_CARD, money.check_credit_card),
        Template("labour", _("劳动争议"), personal.LABOUR, personal.check_labour),
        Template("traffic", _("机动车交通事故责任纠纷"), personal.TRAFFIC, personal.check_traffic),
        Template("divorce", _("离婚纠纷"), personal.DIVORCE, personal.check_divorce),
        Template(
            "property_service", _("物业服务合同纠纷"), money.PROPERTY_SERVICE, money.check_property
        ),
    )
}


def get_template(key: str) -> Template:
    template = TEMPLATES.get(key) if isinstance(key, str) else None
    if template is None:
        raise InvalidInput(
            _("不支持该案由的诉状模板"),
            fields={"template": _("请从列出的案由中选择")},
        )
    return template


def questions_for(key: str) -> tuple[Question, ...]:
    """The questions of one cause of action, in the order the form asks them."""
    return get_template(key).questions


# --- cleaning ------------------------------------------------------------------------------


def _is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _clean_date(q: Question, value: object) -> dt.date:
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    if not isinstance(value, dt.date):
        match = _DATE_RE.match(str(value).strip())
        try:
            value = dt.date(*(int(g) for g in match.groups())) if match else None
        except ValueError:
            value = None
        if value is None:
            raise ValueError(
                format_lazy(_("{label}不是有效日期，请按 2025-01-31 的格式填写"), label=q.label)
            )
    if value < EARLIEST_DATE:
        raise ValueError(format_lazy(_("{label}早于1900年，请检查"), label=q.label))
    if not q.future_ok and value > timezone.localdate():
        raise ValueError(format_lazy(_("{label}不能晚于今天"), label=q.label))
    return value


def _clean_money(q: Question, value: object) -> Decimal:
    try:
        amount = parse_amount(value, field=q.key)
    except InvalidInput as exc:
        raise ValueError(
            format_lazy(
                "{label}：{reason}", label=q.label, reason=exc.fields.get(q.key, exc.message)
            )
        ) from None
    if q.positive and amount == 0:
        raise ValueError(format_lazy(_("{label}必须大于零"), label=q.label))
    return amount


def _clean_percent(q: Question, value: object) -> Decimal:
    bad = format_lazy(
        _("{label}应为0至100之间的数字（按年利率百分数填写，如 3.85）"), label=q.label
    )
    if isinstance(value, float | bool):
        raise ValueError(bad)  # a float has already lost precision; a bool is no rate
    text = str(value).strip().removesuffix("%").removesuffix("％").strip()
    try:
        rate = Decimal(text)
    except InvalidOperation:
        raise ValueError(bad) from None
    if not rate.is_finite() or rate < 0 or rate > 100 or rate != rate.quantize(Decimal("0.0001")):
        raise ValueError(bad)
    return rate.normalize() if rate == rate.to_integral() else rate


def _clean_integer(q: Question, value: object) -> int:
    bad = format_lazy(_("{label}应为0至{max}之间的整数"), label=q.label, max=q.max_value)
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ValueError(bad)
    text = str(value).strip()
    if not re.fullmatch(r"\d{1,9}", text) or int(text) > q.max_value:
        raise ValueError(bad)
    if q.positive and int(text) == 0:
        raise ValueError(format_lazy(_("{label}必须大于零"), label=q.label))
    return int(text)


def _clean_bool(q: Question, value: object) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError(format_lazy(_("{label}请选择“是”或“否”"), label=q.label))


def _clean_choice(q: Question, value: object) -> str:
    if not any(value == v for v, _label in q.choices):
        raise ValueError(format_lazy(_("{label}的选项无效，请从列出的选项中选择"), label=q.label))
    return str(value)


def _clean_text(q: Question, value: object) -> str:
    if not isinstance(value, str | int):
        raise ValueError(format_lazy(_("{label}格式不正确"), label=q.label))
    text = _CONTROL_RE.sub("", str(value)).strip()
    if q.kind == "text":
        text = " ".join(text.split())  # one line in the complaint
    limit = TEXT_LIMITS[q.kind]
    if len(text) > limit:
        raise ValueError(format_lazy(_("{label}不能超过{limit}字"), label=q.label, limit=limit))
    return text


CLEANERS: dict[str, Callable[[Question, object], object]] = {
    "date": _clean_date,
    "money": _clean_money,
    "percent": _clean_percent,
    "integer": _clean_integer,
    "bool": _clean_bool,
    "choice": _clean_choice,
    "text": _clean_text,
    "longtext": _clean_text,
}


def clean_answers(key: str, answers: Mapping[str, object]) -> dict:
    """Validate and normalise one cause's answers; every problem at once, in one error.

    Returns {question key: value} for every question (None when unanswered or not asked):
    dates as ``datetime.date``, money as fen-exact ``Decimal`` yuan, percents as ``Decimal``.
    """
    template = get_template(key)
    if not isinstance(answers, Mapping):
        raise InvalidInput(
            _("诉状要素格式不正确"), fields={"elements": _("应为要素名与答案的对应")}
        )
    errors: dict[str, Reason] = {}
    known = {q.key for q in template.questions}
    for name in answers:
        if name not in known:
            errors[f"elements.{name}"] = format_lazy(
                _("“{name}”不是{cause}的要素"), name=name, cause=template.cause_name
            )
    cleaned: dict[str, object] = {}
    # Questions come before those that depend on them, so `when` reads cleaned values.
    for q in template.questions:
        if q.when is not None and cleaned.get(q.when[0]) != q.when[1]:
            cleaned[q.key] = None
            continue
        raw = answers.get(q.key)
        if _is_blank(raw):
            cleaned[q.key] = None
            if q.required:
                verb = _("请选择") if q.kind in {"choice", "bool"} else _("请填写")
                errors[f"elements.{q.key}"] = format_lazy("{verb}{label}", verb=verb, label=q.label)
            continue
        try:
            cleaned[q.key] = CLEANERS[q.kind](q, raw)
        except ValueError as exc:
            cleaned[q.key] = None
            errors[f"elements.{q.key}"] = exc.args[0]
    if template.checks is not None:
        for name, reason in template.checks(cleaned).items():
            errors.setdefault(f"elements.{name}", reason)
    if errors:
        raise InvalidInput(_("诉状要素填写有误，请按提示修改"), fields=errors)
    return cleaned

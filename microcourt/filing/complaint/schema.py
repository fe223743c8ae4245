"""The shape of an element question and of a cause's template (see ``elements``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

KINDS = frozenset({"text", "longtext", "date", "money", "percent", "integer", "choice", "bool"})
TEXT_LIMITS = {"text": 200, "longtext": 5000}

Reason = str | Promise


@dataclass(frozen=True)
class Question:
    key: str
    label: Promise
    kind: str
    required: bool = False
    help: Promise | str = ""
    choices: tuple[tuple[str, Promise], ...] = ()
    section: Promise | str = ""
    # Asked only when another answer has this value, e.g. 约定年利率 when 是否约定利息 is yes;
    # otherwise the answer is dropped, so a stale rate cannot leak into the complaint.
    when: tuple[str, object] | None = None
    positive: bool = False  # money/integer: zero is as wrong as missing (借款本金)
    future_ok: bool = False  # dates: most elements are past events
    max_value: int = 1_000_000  # integer upper bound

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown question kind {self.kind!r}")
        if self.kind == "choice" and not self.choices:
            raise ValueError(f"choice question {self.key!r} has no choices")

    def choice_label(self, value: object) -> str:
        return next((str(label) for v, label in self.choices if v == value), "")


@dataclass(frozen=True)
class Template:
    key: str
    cause_name: Promise
    questions: tuple[Question, ...]
    # Cross-field rules: gets the cleaned answers, may normalise them in place, returns
    # {question key: reason}. Only called with the fields it reads already valid.
    checks: Callable[[dict], dict[str, Reason]] | None = field(default=None, compare=False)

    def question(self, key: str) -> Question:
        return next(q for q in self.questions if q.key == key)

    def label(self, key: str, value: object) -> str:
        return self.question(key).choice_label(value)


def Q(key, label, kind, **kw) -> Question:
    # Short on purpose: the cause modules are tables of these.
    return Question(key=key, label=label, kind=kind, **kw)


# --- shared choices and questions ------------------------------------------------------

GUARANTEE = (
    ("none", _("无担保")),
    ("guarantor", _("保证人保证")),
    ("mortgage", _("抵押担保")),
    ("pledge", _("质押担保")),
)
GUARANTEE_MODE = (("joint", _("连带责任保证")), ("general", _("一般保证")))
S_EVIDENCE = _("证据与其他")
S_GUARANTEE = _("担保与催收")


def evidence_questions() -> tuple[Question, ...]:
    return (
        Q(
            "other_evidence",
            _("其他证据"),
            "longtext",
            help=_("每行一项，写明证据名称及证明目的，例如：微信聊天记录，证明被告认可欠款"),
            section=S_EVIDENCE,
        ),
        Q(
            "extra_facts",
            _("其他需要说明的事实"),
            "longtext",
            help=_("将作为事实与理由的一段写入起诉状，请如实陈述"),
            section=S_EVIDENCE,
        ),
    )


def guarantee_questions() -> tuple[Question, ...]:
    return (
        Q(
            "guarantee",
            _("担保情况"),
            "choice",
            required=True,
            choices=GUARANTEE,
            section=S_GUARANTEE,
        ),
        Q(
            "guarantor_name",
            _("保证人或担保物提供人姓名/名称"),
            "text",
            section=S_GUARANTEE,
            help=_("须与被告名单中的姓名/名称一致，才能对其提出承担担保责任的请求"),
        ),
        Q(
            "guarantee_mode",
            _("保证方式"),
            "choice",
            choices=GUARANTEE_MODE,
            when=("guarantee", "guarantor"),
            section=S_GUARANTEE,
            help=_("没有约定或者约定不明确的，按照一般保证承担保证责任（民法典第六百八十六条）"),
        ),
        Q(
            "collateral",
            _("抵押物/质押物"),
            "text",
            section=S_GUARANTEE,
            help=_("写明财产名称、坐落或权证号，例如：宁波市海曙区某路1号房屋（不动产权证号……）"),
        ),
    )

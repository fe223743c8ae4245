"""The 民事起诉状 as data: parties, 诉讼请求, 事实与理由, evidence; and ``build`` from elements.

The layout follows the standard form (《民事诉讼法》第一百二十四条 lists what a complaint
states): parties with their identifying particulars, the claims, the facts and reasons,
the evidence, the court, the signer and the date.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from stdnum.cn import ric, uscc

from microcourt.core import idnumbers
from microcourt.core.errors import InvalidInput
from microcourt.identity import validators as identity_validators

from . import writers, writers_personal
from .elements import TEMPLATES, clean_answers, get_template
from .writers import CLOSING, cn_date, yuan

SIDES = {"plaintiff": "原告", "defendant": "被告", "third_party": "第三人"}
PARTY_KINDS = {"natural", "legal", "other"}
AGENT_KINDS = {"lawyer", "citizen"}
WRITERS = {
    "private_lending": writers.private_lending,
    "sale_contract": writers.sale_contract,
    "financial_loan": writers.financial_loan,
    "credit_card": writers.credit_card,
    "property_service": writers.property_service,
    "labour": writers_personal.labour,
    "traffic": writers_personal.traffic,
    "divorce": writers_personal.divorce,
}
assert set(WRITERS) == set(TEMPLATES)


@dataclass
class PartyInfo:
    side: str  # plaintiff | defendant | third_party
    kind: str  # natural | legal | other (非法人组织)
    name: str
    gender: str = ""
    birth_date: dt.date | None = None
    ethnicity: str = ""
    id_number: str = ""
    address: str = ""
    phone: str = ""
    uscc: str = ""
    legal_representative: str = ""
    representative_title: str = ""  # 法定代表人 / 负责人
    representative_position: str = ""  # 总经理, 董事长: the form names the office too

    @property
    def role(self) -> str:
        return SIDES.get(self.side, "")

    @property
    def line(self) -> str:
        """The party's paragraph in the standard form."""
        if self.kind == "natural":
            parts = [f"{self.role}：{self.name}"]
            if self.gender:
                parts.append(self.gender)
            if self.birth_date:
                parts.append(f"{cn_date(self.birth_date)}出生")
            if self.ethnicity:
                parts.append(self.ethnicity)
            if self.address:
                parts.append(f"住{self.address}")
            if self.id_number:
                parts.append(f"公民身份号码：{self.id_number}")
            if self.phone:
                parts.append(f"联系电话：{self.phone}")
            return "，".join(parts) + "。"
        parts = [f"{self.role}：{self.name}"]
        if self.address:
            parts.append(f"住所地：{self.address}")
        if self.uscc:
            parts.append(f"统一社会信用代码：{self.uscc}")
        text = "，".join(parts)
        if self.legal_representative:
            title = self.representative_title or (
                "法定代表人" if self.kind == "legal" else "负责人"
            )
            rep = f"{title}：{self.legal_representative}"
            if self.representative_position:
                rep += f"，{self.representative_position}"
            text += f"；{rep}"
        if self.phone:
            text += f"，联系电话：{self.phone}"
        return text + "。"


@dataclass
class AgentInfo:
    name: str
    kind: str = "lawyer"  # lawyer | citizen
    law_firm: str = ""
    licence_number: str = ""
    phone: str = ""

    @property
    def line(self) -> str:
        parts = [f"委托诉讼代理人：{self.name}"]
        if self.kind == "lawyer":
            parts.append(f"{self.law_firm}律师" if self.law_firm else "律师")
            if self.licence_number:
                parts.append(f"执业证号：{self.licence_number}")
        if self.phone:
            parts.append(f"联系电话：{self.phone}")
        return "，".join(parts) + "。"


@dataclass
class Claim:
    text: str
    amount: Decimal | None = None


@dataclass
class ComplaintDocument:
    parties: list[PartyInfo]
    cause: str
    claims: list[Claim]
    facts: list[str]
    court_name: str
    date: dt.date
    evidence: list[str] = field(default_factory=list)
    signer: str = ""
    agent: AgentInfo | None = None
    title: str = "民事起诉状"
    template: str = ""

    def _side(self, side: str) -> list[PartyInfo]:
        return [p for p in self.parties if p.side == side]

    @property
    def plaintiffs(self) -> list[PartyInfo]:
        return self._side("plaintiff")

    @property
    def defendants(self) -> list[PartyInfo]:
        return self._side("defendant")

    @property
    def third_parties(self) -> list[PartyInfo]:
        return self._side("third_party")

    @property
    def party_lines(self) -> list[str]:
        """原告, then the agent, then 被告 and 第三人: the order of the standard form."""
        lines = [p.line for p in self.plaintiffs]
        if self.agent is not None:
            lines.append(self.agent.line)
        return lines + [p.line for p in self.defendants + self.third_parties]

    @property
    def claim_lines(self) -> list[str]:
        return [f"{i}. {claim.text}。" for i, claim in enumerate(self.claims, 1)]

    @property
    def total_amount(self) -> Decimal:
        """The sum of the claims that state an amount (诉讼标的额 so far, for the fee)."""
        return sum((c.amount for c in self.claims if c.amount is not None), Decimal("0.00"))

    @property
    def total_line(self) -> str:
        return f"以上金额合计{yuan(self.total_amount)}。" if self.total_amount else ""

    @property
    def copies(self) -> int:
        """本诉状副本: one for each other party the court serves."""
        return len(self.defendants) + len(self.third_parties)

    @property
    def date_text(self) -> str:
        return cn_date(self.date)

    @property
    def court_line(self) -> str:
        return self.court_name if self.court_name.endswith("法院") else f"{self.court_name}人民法院"


# --- parties -------------------------------------------------------------------------------


def _check_party(index: int, party: PartyInfo, errors: dict) -> None:
    key = f"parties.{index}"
    if party.side not in SIDES:
        errors[f"{key}.side"] = _("当事人地位无效")
    if party.kind not in PARTY_KINDS:
        errors[f"{key}.kind"] = _("当事人类型无效")
    if not identity_validators.visible_text(party.name):
        errors[f"{key}.name"] = _("请填写当事人姓名或名称")
    if party.kind == "natural":
        if party.gender not in {"", "男", "女"}:
            errors[f"{key}.gender"] = _("性别应为“男”或“女”")
        if party.id_number and not idnumbers.resident_id_is_valid(party.id_number):
            errors[f"{key}.id_number"] = _("公民身份号码校验不通过，请核对")
        if party.birth_date:
            try:
                identity_validators.clean_birth_date(party.birth_date)
            except InvalidInput as exc:
                errors[f"{key}.birth_date"] = exc.fields["birth_date"]
    elif party.uscc and not uscc.is_valid(party.uscc):
        errors[f"{key}.uscc"] = _("统一社会信用代码校验不通过，请核对")


def _complete(party: PartyInfo) -> PartyInfo:
    """Fill 出生日期 and 性别 from a valid ID number, so the form is never half-filled."""
    if party.kind != "natural" or not party.id_number:
        return party
    number = ric.compact(party.id_number)
    birth = party.birth_date or ric.get_birth_date(number)
    gender = party.gender or ("男" if int(number[16]) % 2 else "女")
    return PartyInfo(
        **{**party.__dict__, "id_number": number, "birth_date": birth, "gender": gender}
    )


def clean_parties(parties: Sequence[PartyInfo], *, template: str) -> list[PartyInfo]:
    errors: dict = {}
    for index, party in enumerate(parties):
        _check_party(index, party, errors)
    sides = [p.side for p in parties]
    if "plaintiff" not in sides:
        errors["parties.plaintiff"] = _("起诉状至少需要一名原告")
    if "defendant" not in sides:
        errors["parties.defendant"] = _("起诉状至少需要一名明确的被告")
    if template == "divorce" and not errors:
        spouses = [p for p in parties if p.side in {"plaintiff", "defendant"}]
        if len(spouses) != 2 or any(p.kind != "natural" for p in spouses):
            errors["parties"] = _("离婚诉讼的原告和被告应当各为一名自然人，即夫妻双方")
    names = [p.name.strip() for p in parties if p.name]
    if len(names) != len(set(names)) and "parties" not in errors:
        errors["parties"] = _("同一当事人不能重复列明")
    if errors:
        raise InvalidInput(_("当事人信息有误，请按提示修改"), fields=errors)
    return [_complete(p) for p in parties]


# --- build ---------------------------------------------------------------------------------


def build(
    *,
    template: str,
    answers: dict,
    parties: Sequence[PartyInfo],
    court_name: str,
    agent: AgentInfo | None = None,
    date: dt.date | None = None,
    extra_claims: Iterable[str] = (),
) -> ComplaintDocument:
    """Turn raw element answers into a complaint for the user to review and confirm.

    Implements the content of 《民事诉讼法》第一百二十四条 (what a complaint states); the
    conditions of 第一百二十二条 that a form can check (a plaintiff, a definite defendant,
    specific claims) are refused here with field errors.
    """
    spec = get_template(template)
    errors: dict = {}
    try:
        cleaned = clean_answers(template, answers)
    except InvalidInput as exc:
        errors.update(exc.fields)
        cleaned = {}
    try:
        people = clean_parties(parties, template=template)
    except InvalidInput as exc:
        errors.update(exc.fields)
        people = []
    if not (court_name or "").strip():
        errors["court_name"] = _("请选择受诉人民法院")
    extra = [" ".join(str(t).split()).rstrip("。；;") for t in extra_claims]
    if any(not t for t in extra):
        errors["extra_claims"] = _("补充的诉讼请求不能为空")
    if agent is not None and (not agent.name.strip() or agent.kind not in AGENT_KINDS):
        errors["agent"] = _("委托诉讼代理人信息不完整")
    if errors:
        # One answer for everything wrong: elements, parties and court together.
        raise InvalidInput(_("起诉状信息有误，请按提示修改"), fields=errors)
    day = date or timezone.localdate()
    plaintiffs = tuple(p.name for p in people if p.side == "plaintiff")
    context = writers.Context(
        template=template,
        answers=cleaned,
        plaintiffs=plaintiffs,
        defendants=tuple(p.name for p in people if p.side == "defendant"),
        date=day,
    )
    rows, facts, evidence = WRITERS[template](context)
    claims = [Claim(text, amount) for text, amount in rows]
    # 诉讼费用 stays last, as in every complaint; the user's own claims go before it.
    claims[-1:-1] = [Claim(text) for text in extra]
    return ComplaintDocument(
        title="民事起诉状",
        parties=people,
        agent=agent,
        cause=str(spec.cause_name),
        claims=claims,
        facts=[*facts, CLOSING],
        court_name=court_name.strip(),
        date=day,
        evidence=evidence,
        signer="、".join(plaintiffs),
        template=template,
    )

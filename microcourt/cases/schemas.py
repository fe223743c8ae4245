"""Shapes of the cases API: my cases (``CaseListOut``) and one case (``CaseOut``)."""

from __future__ import annotations

import datetime as dt

from ninja import Schema
from pydantic import Field


class CourtRef(Schema):
    id: int
    code: str
    name: str


class CaseTypeRef(Schema):
    code: str
    name: str


class CaseSummaryOut(Schema):
    """A case in a list: what the 我的案件 page shows."""

    id: int
    number: str | None  # 案号, from acceptance on
    title: str
    cause: str
    status: str
    status_label: str
    court: CourtRef
    case_type: CaseTypeRef
    filed_at: dt.datetime
    accepted_at: dt.datetime | None


class CaseListOut(Schema):
    """One page of cases, newest first; ``next_page`` is None on the last page."""

    items: list[CaseSummaryOut]
    page: int
    page_size: int
    next_page: int | None


class CasePartyOut(Schema):
    """A party or a representative, as the case page shows them: the name and the case role;
    never an ID number, a phone number or an address."""

    id: int
    name: str
    role: str
    role_label: str
    represents: int | None  # the party a representative acts for
    linked: bool  # the person has linked an account to the case (在线诉讼规则第十条)


class PanelMemberOut(Schema):
    """One of the court's people on the case (分案)."""

    name: str
    role: str
    role_label: str


class DeadlineOut(Schema):
    """A dated item the case has now: a fee order's due day, a cross-examination period's end
    or session, a service's effect."""

    kind: str  # fee | cross_examination | cross_examination_session | service
    label: str
    at: dt.datetime | None  # the moment (periods, sessions, effects)
    due_date: dt.date | None  # a day (fee orders)
    status: str
    status_label: str
    mine: bool  # addressed to the caller (their fee order, a service on them)


class MilestoneOut(Schema):
    at: dt.datetime
    code: int
    label: str


class CaseOut(CaseSummaryOut):
    """One case with its people, its dates and what comes next."""

    amount_claimed: str | None
    procedure: str  # "" (not yet decided) | ordinary | summary | small_claims
    procedure_label: str
    my_roles: list[str]
    acting_as: str  # the role the caller acts in on this case (what the ledger records)
    parties: list[CasePartyOut]
    panel: list[PanelMemberOut]
    deadlines: list[DeadlineOut]
    next_events: list[DeadlineOut]  # the deadlines still ahead, soonest first
    milestones: list[MilestoneOut]


class CaseProcedureIn(Schema):
    """The judge's decision on the case's procedure (民事诉讼法第一百六十条至第一百七十条)."""

    procedure: str = Field(..., description="ordinary | summary | small_claims")
    reason: str = Field("", max_length=2000, description="required when changing a procedure")
    parties_agree: bool = Field(
        False,
        description="both parties agreed: ordinary → summary, or small claims above 50% of the "
        "average wage (up to 2×)",
    )
    no_exclusion: bool = Field(
        False, description="small claims: none of 第一百六十六条's exclusions applies"
    )


class CaseProcedureOut(Schema):
    id: int
    procedure: str
    procedure_label: str

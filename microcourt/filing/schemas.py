"""Schemas of the filing API (网上立案 for a law firm's software).

Request fields are typed loosely and validated by the actions, so that every refusal names
the field in the user's language (pydantic's own messages are English only); their JSON
Schema still documents what a client must send. Money is a decimal string in yuan,
datetimes are ISO 8601 with their offset, ID numbers and phone numbers leave masked."""

import datetime as dt
from typing import Annotated, Any

from django.utils import timezone
from ninja import Field, Schema
from pydantic import BaseModel, ConfigDict, WithJsonSchema

from .actions import CONSENT_STAGES, STEPS
from .models import CaseKind, FilerCapacity, PartyKind, PartySide


def _doc(schema: dict[str, Any], description: str = "", *, nullable: bool = False) -> Any:
    if nullable:
        schema = {"anyOf": [schema, {"type": "null"}]}
    return Annotated[Any, WithJsonSchema({**schema, "description": description})]


def _local(value: dt.datetime | None) -> dt.datetime | None:
    """Times leave in Beijing time, with their offset (ARCHITECTURE §5)."""
    return None if value is None else timezone.localtime(value)


def _enum(values, description: str = "", *, nullable: bool = False) -> Any:
    return _doc({"type": "string", "enum": list(values)}, description, nullable=nullable)


Text = _doc({"type": "string"})
Flag = _doc({"type": "boolean"})
Amount = _doc(
    {"type": "string", "pattern": r"^\d+(\.\d{1,2})?$"},
    'yuan as a decimal string, e.g. "50000.00"; numbers with a fraction are refused',
    nullable=True,
)
Consent = _doc(
    {
        "type": "object",
        "properties": {stage: {"type": "boolean"} for stage in CONSENT_STAGES},
        "additionalProperties": False,
    },
    "stage → whether it goes online (在线诉讼规则第四条)",
)
Version = _doc(
    {"type": "integer"},
    "the draft's `version` as last read; a draft changed since answers 409 stale_draft",
    nullable=True,
)
KindField = _enum(CaseKind.values)
Capacity = _enum(FilerCapacity.values)
Step = _enum(STEPS)
Side = _enum(PartySide.values)
PartyKindField = _enum(PartyKind.values)
Gender = _enum(["", "男", "女"])
Date = _doc({"type": "string", "format": "date"})
OptionalDate = _doc({"type": "string", "format": "date"}, nullable=True)
Id = _doc({"type": "integer"}, nullable=True)
CourtCode = _doc({"type": "string"}, "court code (法院代字), e.g. 浙0203")
OptionalCourtCode = _doc({"type": "string"}, "court code (法院代字)", nullable=True)
CauseRef = _doc({"type": ["integer", "string"]}, "cause id or exact name", nullable=True)
CaseNumber = _doc({"type": "string"}, "案号 of the first-instance case", nullable=True)
Answers = _doc({"type": "object"}, "要素式 answers as typed", nullable=True)
Items = _doc({"type": "array", "items": {"type": "string"}}, "every item, at once")


# --- reference data ---------------------------------------------------------------------


class CauseOut(Schema):
    id: int
    name: str
    category: str
    assistant: str = Field(..., description="complaint assistant template; empty: none")


class ReviewPeriodOut(Schema):
    amount: int
    unit: str = Field(..., description="day (民诉法第八十五条 counting) or hour")
    basis: str
    confirmed: bool


class KindOut(Schema):
    kind: str
    label: str
    type_code: str = Field(..., description="类型代字 of the case it becomes, e.g. 民初")
    sides: dict[str, str] = Field(..., description="side → its label for this kind")
    review: ReviewPeriodOut


# --- the filing -------------------------------------------------------------------------


class FilingPatchIn(BaseModel):
    """Any subset of the draft's fields, and the ``version`` edited. Fields not sent are
    left as they are; an unknown field is refused by name (a plain pydantic model: ninja's
    ``Schema`` drops unknown fields before they could be named)."""

    model_config = ConfigDict(extra="allow")

    capacity: Capacity = None
    authorisation: Id = None
    organisation: Id = None
    court: CourtCode = None
    receiving_court: OptionalCourtCode = None
    kind: KindField = None
    appeal_of: CaseNumber = None
    cause: CauseRef = None
    facts: Text = None
    elements: Answers = None
    consent: Consent = None
    step: Step = None
    version: Version = None


class PartyIn(Schema):
    side: Side = None
    kind: PartyKindField = PartyKind.NATURAL
    self_: Flag = Field(
        False,
        alias="self",
        description="the applicant themself: name and ID number from their verified identity",
    )
    name: Text = ""
    gender: Gender = ""
    birth_date: Date = ""
    ethnicity: Text = ""
    id_number: Text = Field("", description="公民身份号码 (natural persons)")
    uscc: Text = Field("", description="统一社会信用代码 (organisations)")
    legal_representative: Text = ""
    phone: Text = ""
    address: Text = ""
    service_address: Text = Field("", description="送达地址; defaults to the address")
    email: Text = ""
    service_address_confirmed: Flag = Field(
        False, description="送达地址确认书 read and confirmed (required for the claimant side)"
    )


class FilingPartyOut(Schema):
    id: int
    side: str
    kind: str
    name: str
    gender: str
    birth_date: dt.date | None
    ethnicity: str
    id_number: str = Field(..., description="masked")
    uscc: str
    legal_representative: str
    phone: str = Field(..., description="masked")
    address: str
    service_address: str
    email: str
    service_address_confirmed: bool
    is_applicant: bool = Field(..., description="the applicant's own verified identity")
    position: int


class ClaimIn(Schema):
    text: Text = ""
    amount: Amount = None


class FilingStartIn(Schema):
    """A new draft: just the kind, or the whole draft at once (the draft's fields, parties
    and claims; then upload the materials and submit — three requests in all)."""

    kind: KindField = CaseKind.CIVIL_FIRST
    capacity: Capacity = None
    authorisation: Id = None
    organisation: Id = None
    court: CourtCode = None
    receiving_court: OptionalCourtCode = None
    appeal_of: CaseNumber = None
    cause: CauseRef = None
    facts: Text = None
    elements: Answers = None
    consent: Consent = None
    parties: list[PartyIn] = []
    claims: list[ClaimIn] = []


class ClaimOut(Schema):
    id: int
    text: str
    amount: str | None = Field(..., description="yuan, 2 decimal places")
    position: int


class MaterialOut(Schema):
    id: int
    kind: str
    name: str
    size: int
    mime: str
    sha256: str
    generated: bool = False
    document_kind: str = ""
    created_at: dt.datetime | None = None


class DecisionOut(Schema):
    kind: str
    label: str
    at: dt.datetime
    court: str | None
    target_court: str | None
    reasons: str
    items: list[str]
    deadline: dt.date | None


class ReceiptOut(Schema):
    """收件凭证 (登记立案规定第二条): what was received, when, and by when it is decided."""

    number: str
    received_at: dt.datetime
    content_digest: str = Field(..., description="sha256 of the content as submitted")
    review_due_at: dt.datetime | None = Field(
        ..., description="null while a cross-region filing awaits forwarding"
    )
    basis: str


class FilingSummaryOut(Schema):
    number: str
    kind: str
    status: str
    status_label: str
    court: str | None
    court_name: str | None
    cause: str | None
    title: str = Field(..., description="claimants 诉 respondents")
    submitted_at: dt.datetime | None
    review_due_at: dt.datetime | None
    case_number: str | None
    version: int
    updated_at: dt.datetime

    @staticmethod
    def resolve_status_label(filing) -> str:
        return str(filing.get_status_display())

    @staticmethod
    def resolve_court(filing) -> str | None:
        return filing.court.code if filing.court_id else None

    @staticmethod
    def resolve_court_name(filing) -> str | None:
        return filing.court.name if filing.court_id else None

    @staticmethod
    def resolve_cause(filing) -> str | None:
        return filing.cause.name if filing.cause_id else None

    @staticmethod
    def resolve_title(filing) -> str:
        parties = filing.parties.all()  # prefetched
        claimants = "、".join(p.name for p in parties if p.side == PartySide.CLAIMANT)
        respondents = "、".join(p.name for p in parties if p.side == PartySide.RESPONDENT)
        if claimants and respondents:
            return f"{claimants}诉{respondents}"
        return claimants or respondents

    @staticmethod
    def resolve_submitted_at(filing) -> dt.datetime | None:
        return _local(filing.submitted_at)

    @staticmethod
    def resolve_review_due_at(filing) -> dt.datetime | None:
        return _local(filing.review_due_at)

    @staticmethod
    def resolve_case_number(filing) -> str | None:
        return filing.case.number if filing.case_id else None

    @staticmethod
    def resolve_updated_at(filing) -> dt.datetime:
        return _local(filing.updated_at)


class FilingOut(Schema):
    number: str
    kind: str
    kind_label: str
    status: str
    status_label: str
    step: str
    version: int
    capacity: str
    authorisation: int | None
    organisation: int | None
    court: str | None
    court_name: str | None
    receiving_court: str | None
    appeal_of: str | None
    cause: CauseOut | None
    facts: str
    elements: dict
    consent: dict
    parties: list[FilingPartyOut]
    claims: list[ClaimOut]
    claims_total: str | None = Field(..., description="sum of the claimed amounts, yuan")
    materials: list[MaterialOut]
    decisions: list[DecisionOut]
    problems: dict[str, str] | None = Field(
        ..., description="what still stops submission, per field; null once submitted"
    )
    jurisdiction_hints: list[dict[str, str]] | None = Field(
        None,
        description="while editable: courts the respondents' addresses point to "
        "(民事诉讼法第二十二条), each {court, court_name, reason}; a hint, not a rule",
    )
    submitted_at: dt.datetime | None
    review_due_at: dt.datetime | None
    basis: str = Field(..., description="the rule the review period comes from")
    review_provisional: bool
    correction_due: dt.date | None
    content_digest: str
    case_id: int | None
    case_number: str | None = Field(..., description="案号, once accepted")
    created_at: dt.datetime
    updated_at: dt.datetime
    receipt: ReceiptOut | None = None


class ComplaintIn(Schema):
    answers: Answers = Field(None, description="omitted: the answers saved on the draft")


class WithdrawIn(Schema):
    reason: Text = ""


# --- the court ----------------------------------------------------------------------------


class QueuePartyOut(Schema):
    side: str
    kind: str
    name: str


class QueueItemOut(Schema):
    number: str
    status: str
    submitted_at: dt.datetime | None
    due_at: dt.datetime | None
    days_left: int = Field(..., description="court working days to the due day")
    at_risk: bool
    overdue: bool
    cause: str | None
    kind: str
    cross_region_from: str | None
    parties: list[QueuePartyOut]


class NoteIn(Schema):
    note: Text = ""


class CorrectionIn(Schema):
    items: Items = None
    deadline: OptionalDate = Field(None, description="default: 15 days on, a working day")


class RejectIn(Schema):
    reasons: Text = ""


class TransferIn(Schema):
    target_court: CourtCode = ""
    reasons: Text = ""


class FeeOrderOut(Schema):
    number: str
    amount: str = Field(..., description="yuan, 2 decimal places")
    due_date: dt.date | None
    status: str


class AcceptOut(Schema):
    number: str
    status: str
    case_id: int
    case_number: str
    fee_order: FeeOrderOut | None


# --- invitations --------------------------------------------------------------------------


class InvitationAcceptIn(Schema):
    consent: Consent = None


class InvitationOut(Schema):
    case_id: int
    case_number: str | None
    status: str
    linked_at: dt.datetime | None

"""Schemas of the payments API: the payer's orders, relief and payee account, and the
fee-quote API. The fee quote's exact contract is issue 5's:
``POST /api/v1/fees/quote`` {kind, category, amount, procedure, closure, province} →
{amount, breakdown: [{label, amount}], basis: [...]}.

The request fields are validated by the fee engine, not by pydantic, so that every refusal
names the field in the user's language (pydantic's own messages are English only). Their
JSON Schema still documents the allowed values for third parties."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from ninja import Field, Schema
from pydantic import ConfigDict, WithJsonSchema

from microcourt.core.crypto import mask
from microcourt.core.money import in_words

from . import fees


def _enum(values, *, nullable: bool = False, description: str = "") -> Any:
    schema: dict[str, Any] = {"type": "string", "enum": list(values)}
    if nullable:
        schema = {"anyOf": [schema, {"type": "null"}]}
    return Annotated[Any, WithJsonSchema({**schema, "description": description})]


Kind = _enum(
    fees.KINDS, description="acceptance = 案件受理费; the others are Art 14 application fees"
)
Category = _enum(fees.CATEGORIES, nullable=True, description="for kind = acceptance")
Procedure = _enum(fees.PROCEDURES)
Closure = _enum(fees.CLOSURES, nullable=True)
Province = _enum(fees.PROVINCES, description="province abbreviation, e.g. 浙")
AdministrativeKind = _enum(
    fees.ADMINISTRATIVE_KINDS, nullable=True, description="for category = administrative"
)
Amount = Annotated[
    Any,
    WithJsonSchema(
        {
            "anyOf": [{"type": "string", "pattern": r"^\d+(\.\d{1,2})?$"}, {"type": "null"}],
            "description": 'yuan as a decimal string, e.g. "12000.50"; numbers with a '
            "fraction are refused (a float has already lost fen)",
        }
    ),
]
Flag = Annotated[Any, WithJsonSchema({"type": "boolean"})]


class QuoteIn(Schema):
    model_config = ConfigDict(json_schema_extra={"required": ["kind"]})

    kind: Kind = None
    category: Category = None
    amount: Amount = None
    procedure: Procedure = "ordinary"
    closure: Closure = None
    province: Province = "浙"
    # Optional extensions beyond the issue's contract.
    administrative_kind: AdministrativeKind = None
    counterclaim: Flag = Field(False, description="a counterclaim heard together (Art 18)")
    appeal: Flag = Field(False, description="amount is the appealed part (Art 17)")


class LineOut(Schema):
    label: str
    amount: str = Field(..., description="yuan with 2 decimal places; negative for reductions")


class QuoteOut(Schema):
    amount: str = Field(..., description="yuan with 2 decimal places")
    breakdown: list[LineOut]
    basis: list[str]


# --------------------------------------------------------------------------- the payer's orders


class OrderOut(Schema):
    number: str
    kind: str
    description: str
    amount: Decimal
    amount_in_words: str
    due_date: dt.date
    status: str
    paid_at: dt.datetime | None
    breakdown: list
    basis: list
    case_id: int | None

    @staticmethod
    def resolve_amount_in_words(obj) -> str:
        return in_words(obj.amount)


class CheckoutIn(Schema):
    provider: str = "sandbox"


class CheckoutOut(Schema):
    kind: str
    redirect_url: str
    form_html: str
    code_url: str


class ReliefIn(Schema):
    # Checked by the action, after the order is found to be the caller's: a stranger learns
    # nothing from a refusal, and each refusal names its field in the user's language.
    kind: str = ""
    reason: str = ""
    percent: int | None = None
    for_organisation: bool = False


class ReliefOut(Schema):
    id: int
    kind: str
    percent: int | None
    status: str


class PayeeAccountIn(Schema):
    bank_name: str
    account_number: str
    account_name: str


class PayeeAccountOut(Schema):
    id: int
    bank_name: str
    account_name: str
    account_number: str  # masked

    @staticmethod
    def resolve_account_number(obj) -> str:
        return mask(obj.account_number, keep_start=4, keep_end=4)

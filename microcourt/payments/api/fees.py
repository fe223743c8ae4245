"""The public fee calculator's API: 诉讼费计算 without logging in."""

from __future__ import annotations

from decimal import Decimal

from django.http import HttpRequest
from ninja import Router

from .. import fees
from ..schemas import QuoteIn, QuoteOut

router = Router(tags=["fees"])


def _money(value: Decimal) -> str:
    return format(value if value else abs(value), "f")  # never "-0.00"


def quote_out(quote: fees.Quote) -> dict:
    return {
        "amount": _money(quote.amount),
        "breakdown": [
            {"label": str(line.label), "amount": _money(line.amount)} for line in quote.breakdown
        ],
        "basis": [str(text) for text in quote.basis],
    }


@router.post("/fees/quote", response=QuoteOut, auth=None)
def fee_quote(request: HttpRequest, payload: QuoteIn):
    """诉讼费计算: the fee under 《诉讼费用交纳办法》, with its breakdown and legal basis.
    Public; computes only, nothing is charged."""
    return quote_out(fees.quote(**payload.dict()))

"""诉讼费计算: the public fee calculator page (no log-in). Computes only; nothing is charged."""

from __future__ import annotations

from decimal import Decimal

from django.shortcuts import render

from microcourt.core.errors import InvalidInput
from microcourt.core.money import display, in_words, parse_amount

from .. import fees
from ..forms import CalculatorForm


def _signed(amount: Decimal) -> str:
    return ("−" if amount < 0 else "") + display(abs(amount))


def _words(raw: str) -> tuple[str, str]:
    """(大写, refusal) for what is typed in the amount box; both empty when it is empty."""
    if not raw.strip():
        return "", ""
    try:
        return in_words(parse_amount(raw)), ""
    except InvalidInput as error:
        return "", str(error.fields.get("amount", error.message))


def _shown(quote: fees.Quote) -> dict:
    return {
        "total": display(quote.amount),
        "words": in_words(quote.amount),
        "lines": [
            {"label": line.label, "amount": _signed(line.amount)} for line in quote.breakdown
        ],
        "basis": quote.basis,
    }


# What a link without these fields means (the engine assumes the same).
DEFAULTS = {"province": "浙", "procedure": "ordinary"}


def calculator(request):
    bound = "kind" in request.GET
    data = request.GET.copy()
    for name, value in DEFAULTS.items():
        if not data.get(name):
            data[name] = value
    form = CalculatorForm(data if bound else None)
    result = None
    if bound and form.is_valid():
        try:
            result = _shown(fees.quote(**form.cleaned_data))
        except InvalidInput as error:
            for name, reason in error.fields.items():
                form.add_error(name if name in form.fields else None, str(reason))
            if not error.fields:
                form.add_error(None, str(error.message))
    words, _refusal = _words(form.data.get("amount", "") if bound else "")
    context = {"form": form, "result": result, "words": words, "tab": "home"}
    template = "payments/calculator.html#panel" if request.htmx else "payments/calculator.html"
    return render(request, template, context)


def amount_words(request):
    """The 大写 of the amount as it is typed (htmx)."""
    words, refusal = _words(request.GET.get("amount", ""))
    return render(
        request, "payments/calculator.html#words", {"words": words, "words_error": refusal}
    )

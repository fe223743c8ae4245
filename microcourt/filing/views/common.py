"""Shared helpers of the filing pages: visibility, QR codes, money and party rows."""

from __future__ import annotations

from decimal import Decimal

import segno
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext_lazy

from microcourt.core.actor import actor_of
from microcourt.core.crypto import mask
from microcourt.core.errors import NotFound
from microcourt.core.money import display, in_words

from .. import actions, policies, selectors
from ..models import FilingStatus, PartySide

S = FilingStatus
STEP_TITLES = {
    "capacity": gettext_lazy("起诉身份"),
    "court": gettext_lazy("受诉法院"),
    "kind": gettext_lazy("案件类型与案由"),
    "parties": gettext_lazy("当事人"),
    "claims": gettext_lazy("诉讼请求"),
    "materials": gettext_lazy("材料"),
    "consent": gettext_lazy("在线诉讼"),
    "review": gettext_lazy("核对提交"),
}
# Where the user fixes each problem ``submission.problems`` names.
PROBLEM_STEP = {
    "court": "court",
    "receiving_court": "court",
    "appeal_of": "kind",
    "cause": "kind",
    "parties": "parties",
    "service_address_confirmed": "parties",
    "claims": "claims",
    "facts": "claims",
    "materials": "materials",
    "authorisation": "capacity",
    "organisation": "capacity",
}
SHORT_LIST = 20


# The case page (views/cases.py, another owner's) still imports this name; it is
# ``actor_of`` itself, not another way to build an actor.
_citizen = actor_of


def _visible(request, number: str):
    """A filing the user may see (``policies.visible_q``); 404 otherwise."""
    try:
        return selectors.filing_for(actor_of(request), number)
    except NotFound:
        raise Http404 from None


def _own(request, number: str):
    """The applicant's own filing (the wizard's pages); 404 for anyone else."""
    filing = _visible(request, number)
    if not policies.is_applicant(actor_of(request), filing):
        raise Http404
    return filing


def _qr(url: str) -> str:
    return segno.make(url, error="m", encoding="utf-8").svg_inline(scale=4)


def _total(claims) -> Decimal | None:
    amounts = [c.amount for c in claims if c.amount is not None]
    return sum(amounts, start=Decimal("0.00")) if amounts else None


def _money(amount) -> dict:
    return {"amount": display(amount), "words": in_words(amount)} if amount is not None else {}


def _party_rows(filing, parties) -> list[dict]:
    """Parties grouped by side, labelled as the case kind names them, numbers masked."""
    labels = selectors.side_labels(filing.kind)
    rows = []
    for side in PartySide.values:
        rows.append(
            {
                "side": side,
                "label": labels[side],
                "parties": [
                    {
                        "party": p,
                        "id_number": mask(p.id_number),
                        "phone": mask(p.phone.removeprefix("+86")),
                    }
                    for p in parties
                    if p.side == side
                ],
            }
        )
    return rows


def _claim_rows(claims) -> list[dict]:
    return [{"claim": c, **_money(c.amount)} for c in claims]


# --- the applicant: start, wizard, filing, receipt -----------------------------------------


def _next(step: str) -> str:
    i = actions.STEPS.index(step)
    return actions.STEPS[min(i + 1, len(actions.STEPS) - 1)]


def _step_url(filing, step: str, anchor: str = "") -> str:
    return reverse("filing:step", args=[filing.number, step]) + (f"#{anchor}" if anchor else "")

"""The court's filing desk: the queue by the legal clock and the review page with the
decisions the officer may take."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from microcourt.core.actor import actor_of
from microcourt.core.errors import DomainError, InvalidInput, NotFound

from .. import actions, policies, selectors
from ..forms import (
    DecisionForm,
)
from ..states import FILING
from .common import (
    _claim_rows,
    _money,
    _party_rows,
    _total,
    _visible,
)


@login_required
def desk(request):
    """立案审查: each court's pending filings by their legal clock, and cross-region ones."""
    try:
        courts = selectors.desk(actor_of(request))
    except NotFound:
        raise Http404 from None
    return render(
        request,
        "filing/desk.html",
        {
            "courts": [
                {
                    "court": found.court,
                    "queue": [
                        {
                            "item": item,
                            "claimants": [
                                p.name for p in item.filing.parties.all() if p.side == "claimant"
                            ],
                            "respondents": [
                                p.name for p in item.filing.parties.all() if p.side == "respondent"
                            ],
                            "total": _money(_total(item.filing.claims.all())),
                        }
                        for item in found.queue
                    ],
                    "forward": found.forward,
                    "officer": found.officer,
                }
                for found in courts
            ]
        },
    )


DECISIONS = ("accept", "request_correction", "reject", "transfer", "forward")


@login_required
@require_http_methods(["GET", "POST"])
def review(request, number: str):
    """One filing for the officer: everything submitted, and the decisions they may take."""
    filing = _visible(request, number)
    actor = actor_of(request)
    if not policies.may_review(actor, filing):
        raise Http404
    form = DecisionForm()
    failed = ""
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action not in DECISIONS:
            raise Http404
        form = DecisionForm(request.POST)
        data = request.POST
        try:
            if action == "accept":
                actions.filing_accept(filing=filing, actor=actor, note=data.get("note", ""))
            elif action == "request_correction":
                deadline = data.get("deadline", "").strip()
                try:
                    day = dt.date.fromisoformat(deadline) if deadline else None
                except ValueError:
                    raise InvalidInput(
                        _("补正期限不正确"), fields={"deadline": _("日期格式应为 2026-01-31")}
                    ) from None
                actions.filing_request_correction(
                    filing=filing,
                    actor=actor,
                    items=data.get("items", "").splitlines(),
                    deadline=day,
                )
            elif action == "reject":
                actions.filing_reject(filing=filing, actor=actor, reasons=data.get("reasons", ""))
            elif action == "transfer":
                actions.filing_transfer(
                    filing=filing,
                    actor=actor,
                    target_court_code=data.get("target_court", ""),
                    reasons=data.get("reasons", ""),
                )
            else:
                actions.filing_forward(filing=filing, actor=actor, note=data.get("note", ""))
        except DomainError as exc:
            form.refuse(exc)
            failed = action
        else:
            messages.success(request, _("已办理"))
            return redirect("filing:review", filing.number)
    filing.refresh_from_db()
    available = {t.name for t in FILING.available(filing, actor)}
    parties = list(filing.parties.all())
    claims = list(filing.claims.all())
    return render(
        request,
        "filing/review.html",
        {
            "filing": filing,
            "form": form,
            "failed": failed,
            "available": available,
            "sides": _party_rows(filing, parties),
            "claims": _claim_rows(claims),
            "total": _money(_total(claims)),
            "materials": list(filing.materials.filter(removed=False)),
            "decisions": list(filing.decisions.select_related("court", "target_court")),
            "default_deadline": "",
        },
    )


# --- cases: the case page and the other side's link -----------------------------------------

"""The case page (timeline, participants, fees, documents, QR code) and the other side's
link to the case (在线诉讼规则第十条)."""

from __future__ import annotations

import hashlib

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from microcourt.cases import milestones as case_milestones
from microcourt.cases import selectors as case_selectors
from microcourt.core.errors import DomainError, InvalidInput, NotFound
from microcourt.identity import selectors as identity_selectors
from microcourt.payments import selectors as payment_selectors

from .. import actions, invitations
from ..forms import (
    ConsentForm,
)
from .common import (
    _citizen,
    _money,
    _qr,
)

QR_SECONDS = 7 * 24 * 3600


@login_required
def case(request, case_id: int):
    """The case page: 案号, parties, fee notice, documents, timeline and its QR code."""
    try:
        found = case_selectors.case_for(_citizen(request), case_id)
    except NotFound:
        raise Http404 from None
    actor = case_selectors.acting_as(_citizen(request), found)
    filing = getattr(found, "filing", None)  # cases opened on paper have no filing
    earlier = []
    if filing is not None:
        # Explicit order: the decisions' default ordering starts with their filing, which
        # joins the filing table to sort rows of one filing.
        for d in filing.decisions.order_by("at", "pk"):
            if filing.decided_at is None or d.at < filing.decided_at:
                earlier.append({"at": d.at, "label": d.get_kind_display()})
    # Parties follow the milestones; the court on the case sees the full record.
    timeline, full_record = case_milestones.timeline(found, actor, earlier)
    documents = (
        list(filing.materials.filter(removed=False, generated=True).order_by("created_at", "pk"))
        if filing is not None
        else []
    )
    orders = [
        {"order": o, "mine": o.payer_id == actor.user_id, **_money(o.amount)}
        for o in payment_selectors.orders_for_case(found.pk)
    ]
    participants = [
        {"p": p, "role": p.get_role_display()} for p in case_selectors.participants_of(found)
    ]
    url = request.build_absolute_uri(reverse("filing:case", args=[found.pk]))
    return render(
        request,
        "filing/case.html",
        {
            "case": found,
            "filing": filing,
            "participants": participants,
            "orders": orders,
            "documents": documents,
            "timeline": timeline,
            "full_record": full_record,
            "qr": _case_qr(url),
            "url": url,
            "tab": "cases",
        },
    )


def _case_qr(url: str) -> str:
    """The case's QR code, drawn once per URL and kept in the cache framework (Redis, shared
    by the web processes, when configured): drawing it took 23 ms per view on the benchmark
    machine (docs/benchmarks.md), and a case's URL never changes."""
    key = "filing:case-qr:" + hashlib.sha256(url.encode()).hexdigest()
    return cache.get_or_set(key, lambda: _qr(url), timeout=QR_SECONDS)


@login_required
@require_http_methods(["GET", "POST"])
def link(request, token: str):
    """在线诉讼规则第十条: the named party links to the case and states consent per stage."""
    try:
        invitation = invitations.invitation_for(token)
    except NotFound:
        raise Http404 from None
    verified = identity_selectors.is_verified(request.user)
    form = ConsentForm(request.POST or None, stages=actions.CONSENT_STAGES)
    error = ""
    if request.method == "POST":
        try:
            consent = form.consent()
            missing = [s for s in actions.CONSENT_STAGES if s not in consent]
            if missing:
                raise InvalidInput(
                    _("请对每个诉讼环节作出选择"),
                    fields={s: _("请选择是否在线进行") for s in missing},
                )
            invitations.invitation_accept(token=token, actor=_citizen(request), consent=consent)
        except DomainError as exc:
            if isinstance(exc, InvalidInput):
                form.refuse(exc)
            error = str(exc.message)
        else:
            messages.success(request, _("已关联案件"))
            return redirect("filing:case", invitation.case_id)
    return render(
        request,
        "filing/link.html",
        {
            "invitation": invitation,
            "case": invitation.case,
            "party": invitation.party,
            "role": invitation.participant.get_role_display(),
            "verified": verified,
            "verify_url": reverse("identity:verify") + "?" + urlencode({"next": request.path}),
            "form": form,
            "error": error,
            "expired": invitation.status == "expired",
            "linked": invitation.status == "linked",
            "tab": "cases",
        },
    )

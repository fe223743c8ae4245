"""The case page (timeline, participants, fees, documents, QR code) and the other side's
link to the case (在线诉讼规则第十条)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from microcourt.cases import selectors as case_selectors
from microcourt.core.errors import DomainError, InvalidInput, NotFound
from microcourt.identity import selectors as identity_selectors
from microcourt.ledger import selectors as ledger_selectors
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


@login_required
def case(request, case_id: int):
    """The case page: 案号, parties, fee notice, documents, timeline and its QR code."""
    actor = _citizen(request)
    try:
        found = case_selectors.case_for(actor, case_id)
    except NotFound:
        raise Http404 from None
    filing = getattr(found, "filing", None)  # cases opened on paper have no filing
    timeline = []
    if filing is not None:
        for d in filing.decisions.all():
            if filing.decided_at is None or d.at < filing.decided_at:
                timeline.append({"at": d.at, "label": d.get_kind_display()})
    for entry in ledger_selectors.entries_for_case(found.pk):
        timeline.append({"at": entry.created_at, "label": ledger_selectors.label(entry.code)})
    timeline.sort(key=lambda row: row["at"])
    documents = (
        list(filing.materials.filter(removed=False, generated=True).order_by("created_at"))
        if filing is not None
        else []
    )
    orders = [
        {"order": o, "mine": o.payer_id == request.user.pk, **_money(o.amount)}
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
            "qr": _qr(url),
            "url": url,
            "tab": "cases",
        },
    )


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

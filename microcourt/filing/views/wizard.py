"""The applicant's pages: the wizard (a draft saved at every step), the filing, its dated
receipt and its materials."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from microcourt.core.actor import actor_of
from microcourt.core.errors import DomainError, NotFound

from .. import actions, policies, selectors
from ..models import DecisionKind, MaterialKind
from .common import (
    SHORT_LIST,
    S,
    _claim_rows,
    _money,
    _own,
    _party_rows,
    _qr,
    _total,
    _visible,
)
from .steps import WizardPage


@login_required
@require_http_methods(["GET", "POST"])
def start(request):
    """我要立案: what filing online means, the drafts to continue, a new draft."""
    if request.method == "POST":
        try:
            filing = actions.filing_start(actor=actor_of(request))
        except DomainError as exc:
            messages.error(request, str(exc.message))
            return redirect("filing:start")
        return redirect("filing:step", filing.number, "capacity")
    drafts = list(selectors.drafts_of(request.user)[:SHORT_LIST])
    return render(request, "filing/start.html", {"drafts": drafts, "tab": "home"})


@login_required
@require_http_methods(["GET", "POST"])
def step(request, number: str, step: str):
    """One step of the wizard. A POST saves through one action and moves on; a refusal
    re-renders the step with each reason next to its field and what was typed kept."""
    if step not in actions.STEPS:
        raise Http404
    filing = _own(request, number)
    if filing.status not in actions.EDITABLE:
        return redirect("filing:detail", filing.number)
    page = WizardPage(request, filing, step)
    if request.method == "POST":
        response = page.post()
        if response is not None:
            return response
    else:
        page.get()
    return page.render()


@login_required
@require_http_methods(["GET", "POST"])
def detail(request, number: str):
    """The filing after submission: status, clock, decisions, corrections, documents."""
    filing = _visible(request, number)
    actor = actor_of(request)
    mine = policies.is_applicant(actor, filing)
    if mine and filing.status == S.DRAFT:
        return redirect("filing:step", filing.number, filing.step or "capacity")
    error = ""
    if request.method == "POST":
        if not mine or request.POST.get("action") != "withdraw":
            raise Http404
        try:
            actions.filing_withdraw(
                filing=filing, actor=actor, reason=request.POST.get("reason", "")
            )
        except DomainError as exc:
            error = str(exc.message)
        else:
            messages.success(request, _("已撤回立案申请"))
            return redirect("filing:detail", filing.number)
    decisions_ = list(filing.decisions.select_related("court", "target_court"))
    correction = next((d for d in reversed(decisions_) if d.kind == DecisionKind.CORRECTION), None)
    documents = selectors.materials_for(actor, filing, generated=True)
    return render(
        request,
        "filing/detail.html",
        {
            "filing": filing,
            "mine": mine,
            "decisions": decisions_,
            "correction": correction if filing.status == S.CORRECTION_REQUESTED else None,
            "documents": documents,
            "can_withdraw": mine
            and filing.status in (S.SUBMITTED, S.CORRECTION_REQUESTED, S.AWAITING_FORWARD),
            "error": error,
            "tab": "cases",
        },
    )


def _receipt_pdf(filing):
    decision = (
        filing.decisions.filter(kind__in=(DecisionKind.SUBMITTED, DecisionKind.CORRECTED))
        .order_by("-at", "-pk")
        .first()
    )
    if decision is None:
        return None, None
    return decision, decision.documents.filter(document_kind="receipt").first()


@login_required
def receipt(request, number: str):
    """收件凭证 (登记立案规定第二条): what was received, when, and by when it is decided."""
    filing = _visible(request, number)
    if filing.submitted_at is None:
        return redirect("filing:detail", filing.number)
    decision, pdf = _receipt_pdf(filing)
    context = {"filing": filing, "decision": decision, "pdf": pdf}
    if request.htmx and request.GET.get("partial") == "pdf":
        return render(request, "filing/receipt.html#pdf", context)
    parties = list(filing.parties.all())
    claims = list(filing.claims.all())
    url = request.build_absolute_uri(reverse("filing:detail", args=[filing.number]))
    context.update(
        sides=_party_rows(filing, parties),
        claims=_claim_rows(claims),
        total=_money(_total(claims)),
        materials=list(
            filing.materials.filter(removed=False).exclude(kind=MaterialKind.COURT_DOCUMENT)
        ),
        qr=_qr(url),
        url=url,
        ledger_index=selectors.submission_ledger_index(filing),
        tab="cases",
    )
    return render(request, "filing/receipt.html", context)


@login_required
def material(request, number: str, material_id: int):
    """A material's bytes, for whoever may read it (``policies.may_read_material``): the
    filer's side and the court everything, the other side of the case only what is served
    on it (never identity papers); anyone else 404."""
    try:
        found = selectors.material_for(actor_of(request), number, material_id)
    except NotFound:
        raise Http404 from None
    try:
        handle = default_storage.open(found.path, "rb")
    except (FileNotFoundError, OSError):
        raise Http404 from None
    return FileResponse(handle, as_attachment=True, filename=found.name, content_type=found.mime)


# --- the court: desk and review ------------------------------------------------------------

"""Evidence pages: the case's evidence list (upload with progress), an exhibit, a party's
cross-examination cards, and the judge's matrix. Whoever has no standing on the case's
evidence (``policies.py``) gets 404 everywhere; every act is done as the person is bound to
the case (a judge as judge, a party as citizen)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from microcourt.cases import selectors as case_selectors
from microcourt.core.actor import actor_of
from microcourt.core.errors import DomainError, NotFound

from . import actions, policies, selectors
from .models import DeemedGround, Mode, RequireReason, Stance

INLINE = ("image/", "audio/", "video/", "application/pdf")


def _ctx(request, case_id: int):
    """(actor bound to the case, case, viewer); 404 for anyone without standing."""
    actor = actor_of(request)
    try:
        case, viewer = selectors.evidence_case(actor, case_id)
    except NotFound:
        raise Http404 from None
    return case_selectors.acting_as(actor, case), case, viewer


def _exhibit(case, viewer, number):
    try:
        return selectors.exhibit_for(case, viewer, number)
    except NotFound:
        raise Http404 from None


def _period(case, viewer, pk):
    try:
        return selectors.cross_examination_for(case, viewer, pk)
    except NotFound:
        raise Http404 from None


def _errors(exc: DomainError) -> dict:
    return {"message": str(exc.message), "fields": {k: str(v) for k, v in exc.fields.items()}}


@login_required
@require_http_methods(["GET", "POST"])
def evidence_list(request, case_id: int):
    actor, case, viewer = _ctx(request, case_id)
    if request.method == "POST":
        try:
            exhibit = actions.exhibit_submit(
                case=case,
                actor=actor,
                upload=request.FILES.get("file"),
                name=request.POST.get("name", ""),
                source=request.POST.get("source", ""),
                purpose=request.POST.get("purpose", ""),
                pages=request.POST.get("pages") or 1,
                party_id=int(request.POST["party"]) if request.POST.get("party") else None,
            )
        except NotFound:
            raise Http404 from None
        except DomainError as exc:
            if not viewer.parties:  # no upload form to show it in (the court, say)
                messages.error(request, str(exc.message))
            return _list_page(request, case, viewer, exc)
        messages.success(request, _("证据已提交并存证"))
        return redirect("evidence:exhibit", case.pk, exhibit.number)
    return _list_page(request, case, viewer)


def _list_page(request, case, viewer, exc: DomainError | None = None, form: str = "upload"):
    """The evidence list; after a refusal, with its reason and status (400, 403, 409) on the
    form that was sent (``form``: the upload, or the judge's 开启质证)."""
    upload_error = exc if exc and form == "upload" else None
    xexam_error = exc if exc and form == "xexam" else None
    return render(
        request,
        "evidence/list.html",
        {
            "case": case,
            "viewer": viewer,
            "exhibits": list(selectors.exhibits_for(case, viewer)),
            "periods": list(selectors.cross_examinations_for(case)),
            "error": _errors(upload_error) if upload_error else None,
            "form": request.POST if upload_error else {},
            "xexam_error": _errors(xexam_error) if xexam_error else None,
            "xexam_form": request.POST if xexam_error else None,
            "xexam_chosen": request.POST.getlist("exhibits") if xexam_error else None,
            "modes": Mode.choices,
            "tab": "cases",
        },
        status=exc.status if exc else 200,
    )


def _exhibit_page(request, case, viewer, found, status: int = 200):
    return render(
        request,
        "evidence/exhibit.html",
        {
            "case": case,
            "viewer": viewer,
            "exhibit": found,
            "receipt_index": selectors.receipt_index(found.ledger_entry_id),
            "objections": list(found.objections.select_related("participant")),
            "may_object": policies.may_object(viewer, found),
            "may_decide_original": policies.may_decide_original(actor_of(request), found),
            "require_reasons": RequireReason.choices,
            "grounds": DeemedGround.choices,
            "tab": "cases",
        },
        status=status,
    )


@login_required
@require_GET
def exhibit(request, case_id: int, number: int):
    actor, case, viewer = _ctx(request, case_id)
    found = _exhibit(case, viewer, number)
    if request.htmx and request.GET.get("partial") == "preview":
        # The page polls while the preview is made; the page view itself was logged.
        context = {"case": case, "exhibit": found}
        return render(request, "evidence/exhibit.html#preview", context)
    actions.log_view(found, actor, viewer)
    return _exhibit_page(request, case, viewer, found)


@login_required
@require_GET
def exhibit_file(request, case_id: int, number: int):
    actor, case, viewer = _ctx(request, case_id)
    found = _exhibit(case, viewer, number)
    actions.log_view(found, actor, viewer, what="file")
    inline = found.mime.startswith(INLINE)
    response = FileResponse(
        default_storage.open(found.path, "rb"),
        content_type=found.mime,
        as_attachment=not inline,  # html chat exports are downloaded, never rendered here
        filename=found.original_name or f"{found.number}",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox"
    return response


@login_required
@require_GET
def exhibit_preview(request, case_id: int, number: int):
    actor, case, viewer = _ctx(request, case_id)
    found = _exhibit(case, viewer, number)
    if not found.preview_path:
        raise Http404
    actions.log_view(found, actor, viewer, what="preview")
    return FileResponse(default_storage.open(found.preview_path, "rb"), content_type="image/jpeg")


def _act(request, case_id, number, fn):
    """Apply one act to an exhibit; a refusal shows the exhibit again with its reason and
    status (403 "yours but not allowed", 400, 409), and changes nothing."""
    actor, case, viewer = _ctx(request, case_id)
    found = _exhibit(case, viewer, number)
    try:
        fn(found, actor)
    except NotFound:
        raise Http404 from None
    except DomainError as exc:
        messages.error(request, f"{exc.message} {' '.join(str(v) for v in exc.fields.values())}")
        found.refresh_from_db()
        return _exhibit_page(request, case, viewer, found, status=exc.status)
    messages.success(request, _("已记录"))
    return redirect("evidence:exhibit", case.pk, found.number)


@login_required
@require_POST
def objection(request, case_id: int, number: int):
    return _act(
        request,
        case_id,
        number,
        lambda e, a: actions.objection_raise(
            exhibit=e, actor=a, reasons=request.POST.get("reasons", "")
        ),
    )


@login_required
@require_POST
def original(request, case_id: int, number: int):
    def decide(e, a):
        if request.POST.get("action") == "require":
            return actions.original_require(exhibit=e, actor=a, reason=request.POST.get("reason"))
        return actions.original_confirm(exhibit=e, actor=a, ground=request.POST.get("ground"))

    return _act(request, case_id, number, decide)


@login_required
@require_POST
def court_only(request, case_id: int, number: int):
    return _act(
        request,
        case_id,
        number,
        lambda e, a: actions.exhibit_set_court_only(
            exhibit=e, actor=a, court_only=request.POST.get("court_only") == "1"
        ),
    )


@login_required
@require_POST
def xexam_open(request, case_id: int):
    actor, case, viewer = _ctx(request, case_id)
    try:
        period = actions.cross_examination_open(
            case=case,
            actor=actor,
            exhibit_numbers=request.POST.getlist("exhibits"),
            mode=request.POST.get("mode", ""),
            deadline=request.POST.get("deadline"),
            session_at=request.POST.get("session_at"),
        )
    except NotFound:
        raise Http404 from None
    except DomainError as exc:  # shown on the 开启质证 form itself, with what was chosen
        return _list_page(request, case, viewer, exc, form="xexam")
    return redirect("evidence:matrix", case.pk, period.pk)


@login_required
@require_http_methods(["GET", "POST"])
def xexam(request, case_id: int, pk: int):
    """A party's cross-examination: one card per exhibit of the other side."""
    actor, case, viewer = _ctx(request, case_id)
    period = _period(case, viewer, pk)
    if viewer.court and not viewer.parties:
        return redirect("evidence:matrix", case.pk, period.pk)
    errors, status = {}, 200
    if request.method == "POST":
        number = int(request.POST.get("exhibit") or 0)
        try:
            actions.opinion_give(
                period=period,
                actor=actor,
                exhibit_number=number,
                authenticity=request.POST.get("authenticity", ""),
                legality=request.POST.get("legality", ""),
                relevance=request.POST.get("relevance", ""),
                reasons=request.POST.get("reasons", ""),
            )
        except NotFound:
            raise Http404 from None
        except DomainError as exc:
            errors[number], status = _errors(exc), exc.status
        else:
            messages.success(request, _("质证意见已提交"))
            # No anchor: the confirmation at the top must be seen, not scrolled past.
            return redirect("evidence:xexam", case.pk, period.pk)
    return _xexam_page(request, case, period, viewer, errors, status)


def _xexam_page(request, case, period, viewer, errors=None, status: int = 200):
    errors = errors or {}
    mine = {o.exhibit_id: o for o in period.opinions.filter(participant_id__in=viewer.party_ids)}
    cards = [
        {"exhibit": e, "opinion": mine.get(e.pk), "error": errors.get(e.number)}
        for e in selectors.period_exhibits(period, viewer)
        if e.party_id not in viewer.party_ids
    ]
    preference = period.preferences.filter(participant_id__in=viewer.party_ids).first()
    return render(
        request,
        "evidence/xexam.html",
        {
            "case": case,
            "period": period,
            "cards": cards,
            "open": timezone.now() < period.deadline,
            "stances": Stance.choices,
            "aspects": [
                ("authenticity", _("真实性")),
                ("legality", _("合法性")),
                ("relevance", _("关联性")),
            ],
            "modes": Mode.choices,
            "preference": preference.mode if preference else "",
            "tab": "cases",
        },
        status=status,
    )


@login_required
@require_POST
def xexam_mode(request, case_id: int, pk: int):
    actor, case, viewer = _ctx(request, case_id)
    period = _period(case, viewer, pk)
    try:
        actions.mode_prefer(period=period, actor=actor, mode=request.POST.get("mode", ""))
    except NotFound:
        raise Http404 from None
    except DomainError as exc:
        messages.error(request, str(exc.message))
        return _xexam_page(request, case, period, viewer, status=exc.status)
    return redirect("evidence:xexam", case.pk, period.pk)


@login_required
@require_GET
def matrix(request, case_id: int, pk: int):
    """The judge's view: exhibits × parties (desktop)."""
    _actor, case, viewer = _ctx(request, case_id)
    if not policies.may_see_matrix(viewer):
        raise Http404
    period = _period(case, viewer, pk)
    return render(
        request,
        "evidence/matrix.html",
        {"case": case, "m": selectors.matrix(period), "period": period, "tab": "cases"},
    )

"""送达 pages: the case's service page (the court serves in batches; a party sees what was
served on it), the 送达地址确认书, one service (documents after the identity check, the
channel log, postal results, the certificate), the SMS link, 我的送达, the clerk's desk and
the public notices. Non-participants get 404 everywhere."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from microcourt.cases import selectors as case_selectors
from microcourt.core.actor import actor_of
from microcourt.core.errors import DomainError, Forbidden, NotFound, form_refusal

from . import actions, policies, selectors
from .models import Channel, ConfirmationMethod, DocumentKind, Method, Service


def _ctx(request, case_id: int):
    actor = actor_of(request)
    try:
        case, viewer = selectors.service_case(actor, case_id)
    except NotFound:
        raise Http404 from None
    return case_selectors.acting_as(actor, case), case, viewer


def _service(actor, case, service_id) -> Service:
    try:
        return selectors.service_for(actor, case, service_id)
    except NotFound:
        raise Http404 from None


def _serve(request, actor, case) -> list[Service]:
    upload = request.FILES.get("file")
    return actions.services_serve_by(
        case=case,
        actor=actor,
        method=request.POST.get("method", Method.ELECTRONIC),
        recipient_ids=request.POST.getlist("recipients"),
        document_keys=request.POST.getlist("documents"),
        upload=upload,
        upload_title=request.POST.get("title", ""),
        upload_kind=request.POST.get("kind", ""),
        carrier=request.POST.get("carrier", ""),
        tracking_number=request.POST.get("tracking_number", ""),
        address=request.POST.get("address", ""),
        notice_text=request.POST.get("notice_text", ""),
    )


def _addresses(participant) -> list:
    return [
        (Channel(a.channel).label, a, selectors.shown(a.channel, a.address))
        for a in selectors.addresses_for(participant)
    ]


@login_required
@require_http_methods(["GET", "POST"])
def case_service(request, case_id: int):
    actor, case, viewer = _ctx(request, case_id)
    error, status = None, 200
    if request.method == "POST":
        try:
            served = _serve(request, actor, case)
        except DomainError as exc:
            error, status = form_refusal(exc)
        else:
            messages.success(request, _("已向%(n)s位受送达人发出送达") % {"n": len(served)})
            return redirect("service:case", case.pk)
    recipients = [
        {
            "participant": participant,
            "addresses": _addresses(participant),
            "confirmation": selectors.confirmation_of(participant),
        }
        for participant in (selectors.recipients(case) if viewer.court else [])
    ]
    return render(
        request,
        "service/case.html",
        {
            "case": case,
            "viewer": viewer,
            "may_serve": policies.may_serve(actor, case),
            "services": list(selectors.services_for(actor, case)),
            "recipients": recipients,
            "documents": selectors.documents_to_serve(case) if viewer.court else [],
            "kinds": DocumentKind.choices,
            "methods": Method.choices,
            "error": error,
            "form": request.POST if error else {},
            "my_parties": [
                (p, selectors.confirmation_of(p), _addresses(p)) for p in viewer.parties
            ],
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def address(request, case_id: int):
    """The party's own 送达地址确认书 (its statement online)."""
    actor, case, viewer = _ctx(request, case_id)
    if not viewer.parties:
        raise Http404
    party = viewer.parties[0]
    if request.POST.get("party"):
        party = next((p for p in viewer.parties if str(p.pk) == request.POST["party"]), None)
        if party is None:
            raise Http404
    error, status = None, 200
    if request.method == "POST":
        try:
            actions.address_confirm(
                case=case,
                participant=party,
                actor=actor,
                channels=request.POST.getlist("channels"),
                phone=request.POST.get("phone", ""),
                email=request.POST.get("email", ""),
                postal_address=request.POST.get("postal_address", ""),
                postal_recipient=request.POST.get("postal_recipient", ""),
                consent=request.POST.get("consent") == "yes",
                includes_judgments=request.POST.get("includes_judgments") == "yes",
                method=ConfirmationMethod.ONLINE,
            )
        except DomainError as exc:
            error, status = form_refusal(exc)
        else:
            messages.success(request, _("送达地址确认书已提交"))
            return redirect("service:case", case.pk)
    verified = actor.user.phone if actor.user.phone_verified else ""
    return render(
        request,
        "service/address.html",
        {
            "case": case,
            "party": party,
            "viewer": viewer,
            "current": selectors.confirmation_of(party),
            "channels": Channel.choices,
            "error": error,
            "form": request.POST if error else {},
            "user_phone": verified,
        },
        status=status,
    )


def _postal_time(raw: str):
    at = parse_datetime(raw or "")
    if at is not None and timezone.is_naive(at):
        at = timezone.make_aware(at)
    return at


@login_required
@require_http_methods(["GET", "POST"])
def detail(request, case_id: int, service_id: int):
    actor, case, viewer = _ctx(request, case_id)
    service = _service(actor, case, service_id)
    error, status = None, 200
    if request.method == "POST":
        do = request.POST.get("do")
        try:
            if do == "open":
                actions.service_open(service=service, actor=actor)
            elif do == "receipt":
                signature = actions.service_receipt_request(service=service, actor=actor)
                return redirect("signing:request", signature.pk)
            elif do == "paper":
                actions.service_paper_request(service=service, actor=actor)
                messages.success(request, _("已申请纸质文书，法院将邮寄给您"))
            elif do == "postal":
                actions.service_postal_result(
                    service=service,
                    actor=actor,
                    signed=request.POST.get("signed") == "yes",
                    at=_postal_time(request.POST.get("at", "")),
                    reason=request.POST.get("reason", ""),
                )
            else:
                raise Http404
        except DomainError as exc:
            error, status = form_refusal(exc)
        else:
            return redirect("service:detail", case.pk, service.pk)
        service = _service(actor, case, service_id)
    if request.htmx and request.GET.get("partial") == "certificate":
        # Polled while the certificate is made (in the worker) once service took effect.
        context = {"case": case, "service": service}
        return render(request, "service/detail.html#certificate", context)
    mine = policies.is_recipient_side(actor, service)
    return render(
        request,
        "service/detail.html",
        {
            "case": case,
            "viewer": viewer,
            "service": service,
            "mine": mine,
            "can_read": policies.may_read_documents(actor, service),
            "documents": list(service.documents.all()),
            "deliveries": [
                (d, selectors.shown(d.channel, d.address)) for d in service.deliveries.all()
            ],
            "error": error,
            "needs_paper_offer": policies.may_request_paper(actor, service),
        },
        status=status,
    )


@login_required
@require_GET
def document(request, case_id: int, service_id: int, position: int):
    actor, case, _viewer = _ctx(request, case_id)
    service = _service(actor, case, service_id)
    if not policies.may_read_documents(actor, service):
        raise Http404  # the recipient reads only after the identity check (opening)
    doc = service.documents.filter(position=position).first()
    if doc is None:
        raise Http404
    return FileResponse(
        default_storage.open(doc.path, "rb"),
        content_type=doc.mime,
        filename=f"{doc.title}.pdf",
        as_attachment=False,
    )


@login_required
@require_GET
def certificate(request, case_id: int, service_id: int):
    actor, case, _viewer = _ctx(request, case_id)
    service = _service(actor, case, service_id)
    if not service.certificate_path:
        raise Http404
    return FileResponse(
        default_storage.open(service.certificate_path, "rb"),
        content_type="application/pdf",
        filename=f"电子送达凭证-{service.pk}.pdf",
        as_attachment=False,
    )


@require_http_methods(["GET", "POST"])
def link(request, token: str):
    """The SMS link: log in, prove who you are, read."""
    try:
        service = selectors.service_by_link(token)
    except NotFound:
        raise Http404 from None
    if not request.user.is_authenticated:
        return redirect(f"/accounts/login/?next={request.path}")
    error, status = None, 200
    if request.method == "POST":
        try:
            service = actions.service_open_link(token=token, actor=actor_of(request))
        except DomainError as exc:
            error, status = form_refusal(exc)
        else:
            return redirect("service:detail", service.case_id, service.pk)
    return render(
        request,
        "service/link.html",
        {
            "service": service,
            "case": service.case,
            "expired": service.link_expires_at and timezone.now() > service.link_expires_at,
            "error": error,
        },
        status=status,
    )


@login_required
@require_GET
def mine(request):
    return render(
        request,
        "service/mine.html",
        {"services": list(selectors.services_of(actor_of(request))[:200])},
    )


@require_GET
def notices(request):
    return render(
        request,
        "service/notices.html",
        {"notices": list(selectors.public_notices()[:200]), "period": actions.NOTICE_PERIOD},
    )


@login_required
@require_http_methods(["GET", "POST"])
def desk(request):
    """The clerk's desk: what is not yet served in the cases one serves, and batch serving
    across them."""
    actor = actor_of(request)
    if not policies.may_use_desk(actor):
        raise Http404
    error, status, problems = None, 200, {}
    if request.method == "POST":
        try:
            served, problems = actions.services_serve_cases(
                actor=actor,
                case_ids=request.POST.getlist("cases"),
                document=request.POST.get("document", ""),
                recipients=request.POST.get("recipients", "other_side"),
            )
        except DomainError as exc:
            error, status = form_refusal(exc)
        else:
            if served:
                messages.success(request, _("已向%(n)s位受送达人发出送达") % {"n": len(served)})
            if not problems:
                return redirect("service:desk")
    return render(
        request,
        "service/desk.html",
        {
            "services": list(selectors.desk(actor)[:500]),
            "cases": list(selectors.batch_cases(actor)[:200]),
            "documents": [(k, label) for k, (_m, label) in selectors.BATCH_DOCUMENTS.items()],
            "error": error,
            "problems": problems,
        },
        status=status,
    )


@login_required
@require_POST
def settle(request, case_id: int, service_id: int):
    """The court asks again now (rather than waiting for the sweep)."""
    actor, case, _viewer = _ctx(request, case_id)
    service = _service(actor, case, service_id)
    try:
        actions.service_settle_now(service=service, actor=actor)
    except NotFound:
        raise Http404 from None
    except Forbidden as exc:
        raise PermissionDenied(str(exc.message)) from None
    return redirect("service:detail", case.pk, service.pk)

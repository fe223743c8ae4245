"""送达 pages: the case's service page (the court serves in batches; a party sees what was
served on it), the 送达地址确认书, one service (documents after the identity check, the
channel log, postal results, the certificate), the SMS link, 我的送达, the clerk's desk and
the public notices. Non-participants get 404 everywhere."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from microcourt.cases import selectors as case_selectors
from microcourt.cases.models import COURT_ROLES
from microcourt.core.actor import Actor
from microcourt.core.errors import DomainError, NotFound
from microcourt.courts import selectors as court_selectors

from . import actions, selectors
from .models import (
    CONSENT_REQUIRED,
    Channel,
    ConfirmationMethod,
    DocumentKind,
    Method,
    Service,
)


def _ctx(request, case_id: int):
    actor = Actor.citizen(request.user)
    try:
        case, viewer = selectors.service_case(actor, case_id)
    except NotFound:
        raise Http404 from None
    return case_selectors.acting_as(request.user, case, viewer), case, viewer


def _service(case, viewer, service_id) -> Service:
    try:
        return selectors.service_for(case, viewer, service_id)
    except NotFound:
        raise Http404 from None


def _errors(exc: DomainError) -> dict:
    return {"message": str(exc.message), "fields": {k: str(v) for k, v in exc.fields.items()}}


def _documents(request, case) -> list[actions.Doc]:
    docs = [
        actions.document_of_case(case=case, key=key) for key in request.POST.getlist("documents")
    ]
    if request.FILES.get("file"):
        docs.append(
            actions.document_upload(
                upload=request.FILES["file"],
                title=request.POST.get("title", ""),
                kind=request.POST.get("kind", ""),
            )
        )
    return docs


def _serve(request, actor, case) -> list[Service]:
    return actions.services_serve_by(
        case=case,
        actor=actor,
        method=request.POST.get("method", Method.ELECTRONIC),
        recipient_ids=request.POST.getlist("recipients"),
        documents=_documents(request, case),
        carrier=request.POST.get("carrier", ""),
        tracking_number=request.POST.get("tracking_number", ""),
        address=request.POST.get("address", ""),
        notice_text=request.POST.get("notice_text", ""),
    )


@login_required
@require_http_methods(["GET", "POST"])
def case_service(request, case_id: int):
    actor, case, viewer = _ctx(request, case_id)
    error = None
    if request.method == "POST":
        if not viewer.court:
            raise Http404
        try:
            served = _serve(request, actor, case)
        except DomainError as exc:
            error = _errors(exc)
        else:
            messages.success(request, _("已向%(n)s位受送达人发出送达") % {"n": len(served)})
            return redirect("service:case", case.pk)
    recipients = []
    if viewer.court:
        for participant in selectors.recipients(case):
            addresses = selectors.addresses_for(participant)
            recipients.append(
                {
                    "participant": participant,
                    "addresses": [
                        (Channel(a.channel).label, a, selectors.shown(a.channel, a.address))
                        for a in addresses
                    ],
                    "confirmation": selectors.confirmation_of(participant),
                }
            )
    return render(
        request,
        "service/case.html",
        {
            "case": case,
            "viewer": viewer,
            "services": list(selectors.services_for(case, viewer)),
            "recipients": recipients,
            "documents": selectors.documents_to_serve(case) if viewer.court else [],
            "kinds": DocumentKind.choices,
            "methods": Method.choices,
            "error": error,
            "form": request.POST if error else {},
            "my_parties": [
                (
                    p,
                    selectors.confirmation_of(p),
                    [
                        (Channel(a.channel).label, a, selectors.shown(a.channel, a.address))
                        for a in selectors.addresses_for(p)
                    ],
                )
                for p in viewer.parties
            ],
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def address(request, case_id: int):
    actor, case, viewer = _ctx(request, case_id)
    if not viewer.parties:
        raise Http404
    party = viewer.parties[0]
    if request.POST.get("party"):
        party = next((p for p in viewer.parties if str(p.pk) == request.POST["party"]), None)
        if party is None:
            raise Http404
    error = None
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
            error = _errors(exc)
        else:
            messages.success(request, _("送达地址确认书已提交"))
            return redirect("service:case", case.pk)
    current = selectors.confirmation_of(party)
    return render(
        request,
        "service/address.html",
        {
            "case": case,
            "party": party,
            "viewer": viewer,
            "current": current,
            "channels": Channel.choices,
            "error": error,
            "form": request.POST if error else {},
            "user_phone": request.user.phone if request.user.phone_verified else "",
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def detail(request, case_id: int, service_id: int):
    actor, case, viewer = _ctx(request, case_id)
    service = _service(case, viewer, service_id)
    error = None
    if request.method == "POST":
        try:
            if request.POST.get("do") == "open" and service.recipient_id in viewer.party_ids:
                actions.service_open(service=service, actor=actor)
            elif request.POST.get("do") == "receipt":
                signature = actions.service_receipt_request(service=service, actor=actor)
                return redirect("signing:request", signature.pk)
            elif request.POST.get("do") == "paper":
                actions.service_paper_request(service=service, actor=actor)
                messages.success(request, _("已申请纸质文书，法院将邮寄给您"))
            elif request.POST.get("do") == "postal" and viewer.court:
                at = parse_datetime(request.POST.get("at", ""))
                if at is not None and timezone.is_naive(at):
                    at = timezone.make_aware(at)
                actions.service_postal_result(
                    service=service,
                    actor=actor,
                    signed=request.POST.get("signed") == "yes",
                    at=at,
                    reason=request.POST.get("reason", ""),
                )
            else:
                raise Http404
        except DomainError as exc:
            error = _errors(exc)
        else:
            return redirect("service:detail", case.pk, service.pk)
        service = _service(case, viewer, service_id)
    mine = service.recipient_id in viewer.party_ids
    return render(
        request,
        "service/detail.html",
        {
            "case": case,
            "viewer": viewer,
            "service": service,
            "mine": mine,
            "can_read": viewer.court or (mine and service.opened_at is not None),
            "documents": list(service.documents.all()),
            "deliveries": [
                (d, selectors.shown(d.channel, d.address)) for d in service.deliveries.all()
            ],
            "error": error,
            "needs_paper_offer": mine
            and any(d.kind in CONSENT_REQUIRED for d in service.documents.all()),
        },
    )


@login_required
@require_GET
def document(request, case_id: int, service_id: int, position: int):
    _actor, case, viewer = _ctx(request, case_id)
    service = _service(case, viewer, service_id)
    if not viewer.court and service.opened_at is None:
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
    _actor, case, viewer = _ctx(request, case_id)
    service = _service(case, viewer, service_id)
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
        service = actions.service_for_link(token)
    except NotFound:
        raise Http404 from None
    if not request.user.is_authenticated:
        return redirect(f"/accounts/login/?next={request.path}")
    error = None
    if request.method == "POST":
        try:
            service = actions.service_open_link(token=token, actor=Actor.citizen(request.user))
        except DomainError as exc:
            error = _errors(exc)
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
    )


@login_required
@require_GET
def mine(request):
    return render(
        request,
        "service/mine.html",
        {"services": list(selectors.services_of_user(request.user)[:200])},
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
    """The clerk's desk: what is not yet served, and batch serving across cases."""
    courts = court_selectors.court_ids_for_roles(request.user.pk, COURT_ROLES)
    if not courts.exists():
        raise Http404
    error, problems = None, {}
    if request.method == "POST":
        try:
            served, problems = actions.services_serve_cases(
                user=request.user,
                case_ids=request.POST.getlist("cases"),
                document=request.POST.get("document", ""),
                recipients=request.POST.get("recipients", "other_side"),
            )
        except DomainError as exc:
            error = _errors(exc)
        else:
            if served:
                messages.success(request, _("已向%(n)s位受送达人发出送达") % {"n": len(served)})
            if not problems:
                return redirect("service:desk")
    return render(
        request,
        "service/desk.html",
        {
            "services": list(selectors.desk(courts)[:500]),
            "cases": list(selectors.batch_cases(request.user)[:200]),
            "documents": [(k, label) for k, (_m, label) in selectors.BATCH_DOCUMENTS.items()],
            "error": error,
            "problems": problems,
        },
    )


@login_required
@require_POST
def settle(request, case_id: int, service_id: int):
    """The court asks again now (rather than waiting for the sweep)."""
    _actor, case, viewer = _ctx(request, case_id)
    if not viewer.court:
        raise Http404
    service = _service(case, viewer, service_id)
    actions.service_settle(service_id=service.pk)
    return redirect("service:detail", case.pk, service.pk)

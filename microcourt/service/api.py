"""送达 API: /api/v1/cases/{case_id}/service…, /api/v1/service/mine and the SMS link. Every
case route answers 404 to anyone who is neither a party nor the case's court staff."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Router, Status

from microcourt.cases import selectors as case_selectors
from microcourt.core.actor import actor_of
from microcourt.core.errors import NotFound

from . import actions, selectors
from .schemas import AddressIn, AddressOut, ServableOut, ServeIn, ServiceOut

router = Router(tags=["service"])


def _ctx(request, case_id: int):
    actor = actor_of(request)
    case, viewer = selectors.service_case(actor, case_id)
    return case_selectors.acting_as(actor, case), case, viewer


def service_out(s) -> dict:
    return {
        "id": s.pk,
        "case_id": s.case_id,
        "recipient_id": s.recipient_id,
        "recipient": s.recipient.display_name,
        "method": s.method,
        "status": s.status,
        "effective_at": s.effective_at,
        "basis": s.basis,
        "effective_channel": s.effective_channel,
        "opened_at": s.opened_at,
        "paper_requested_at": s.paper_requested_at,
        "tracking_number": s.tracking_number,
        "documents": [
            {"title": d.title, "kind": d.kind, "sha256": d.sha256} for d in s.documents.all()
        ],
        "deliveries": [
            {
                "channel": d.channel,
                "address": selectors.shown(d.channel, d.address),
                "confirmed": d.confirmed,
                "reached_at": d.reached_at,
                "delivered_at": d.delivered_at,
                "read_at": d.read_at,
                "outcome": d.outcome,
            }
            for d in s.deliveries.all()
        ],
        "certificate_url": reverse("service:certificate", args=[s.case_id, s.pk])
        if s.certificate_path
        else None,
        "created_at": s.created_at,
    }


@router.get("/cases/{case_id}/service", response=list[ServiceOut])
def services(request, case_id: int):
    actor, case, _viewer = _ctx(request, case_id)
    return [service_out(s) for s in selectors.services_for(actor, case)]


@router.get("/cases/{case_id}/service/documents", response=list[ServableOut])
def servable(request, case_id: int):
    _actor, case, viewer = _ctx(request, case_id)
    if not viewer.court:
        raise NotFound(_("没有找到该案件"))  # what a party may not list, it does not see
    return selectors.documents_to_serve(case)


@router.post("/cases/{case_id}/service", response={201: list[ServiceOut]})
def serve(request, case_id: int, payload: ServeIn):
    actor, case, _viewer = _ctx(request, case_id)
    made = actions.services_serve_by(
        case=case,
        actor=actor,
        method=payload.method,
        recipient_ids=payload.recipients,
        document_keys=payload.documents,
        carrier=payload.carrier,
        tracking_number=payload.tracking_number,
        address=payload.address,
        notice_text=payload.notice_text,
    )
    return Status(201, [service_out(s) for s in made])


@router.post("/cases/{case_id}/service/address", response={201: AddressOut})
def address(request, case_id: int, payload: AddressIn):
    actor, case, viewer = _ctx(request, case_id)
    party = next(
        (p for p in viewer.parties if payload.party_id in (None, p.pk)),
        None,
    )
    if party is None:
        raise NotFound(_("没有找到该当事人"))
    row = actions.address_confirm(
        case=case, participant=party, actor=actor, channels=payload.channels,
        phone=payload.phone, email=payload.email, postal_address=payload.postal_address,
        postal_recipient=payload.postal_recipient, consent=payload.consent,
        includes_judgments=payload.includes_judgments,
    )  # fmt: skip
    return Status(
        201,
        {
            "id": row.pk,
            "party_id": party.pk,
            "consent": row.consent,
            "channels": row.channels,
            "includes_judgments": row.includes_judgments,
            "method": row.method,
            "created_at": row.created_at,
        },
    )


@router.get("/cases/{case_id}/service/{service_id}", response=ServiceOut)
def service(request, case_id: int, service_id: int):
    actor, case, _viewer = _ctx(request, case_id)
    return service_out(selectors.service_for(actor, case, service_id))


@router.post("/cases/{case_id}/service/{service_id}/open", response=ServiceOut)
def service_open(request, case_id: int, service_id: int):
    actor, case, _viewer = _ctx(request, case_id)
    found = selectors.service_for(actor, case, service_id)
    actions.service_open(service=found, actor=actor)
    return service_out(selectors.service_for(actor, case, service_id))


@router.post("/cases/{case_id}/service/{service_id}/paper", response=ServiceOut)
def paper(request, case_id: int, service_id: int):
    """民诉法第九十条: the recipient asks for the paper copy of a judgment, ruling or 调解书."""
    actor, case, _viewer = _ctx(request, case_id)
    found = selectors.service_for(actor, case, service_id)
    actions.service_paper_request(service=found, actor=actor)
    return service_out(selectors.service_for(actor, case, service_id))


@router.get("/service/mine", response=list[ServiceOut])
def mine(request):
    return [service_out(s) for s in selectors.services_of(actor_of(request))[:200]]


@router.post("/service/links/{token}/open", response=ServiceOut)
def link_open(request, token: str):
    return service_out(actions.service_open_link(token=token, actor=actor_of(request)))

"""Reads of 送达, scoped to the actor (``policies``): the court side of a case sees every
service on it; a party (or its representative) sees the services on itself; anyone else finds
nothing."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from microcourt.cases import selectors as case_selectors
from microcourt.cases.models import PARTY_ROLES, Case, CaseParticipant, Stage
from microcourt.cases.selectors import Viewer, viewer_of
from microcourt.core.actor import Actor
from microcourt.core.crypto import mask
from microcourt.core.errors import NotFound
from microcourt.filing import selectors as filing_selectors

from . import policies
from .models import AddressConfirmation, Channel, DocumentKind, Method, Service, Status


def service_case(actor: Actor, case_id: int) -> tuple[Case, Viewer]:
    """The case and the actor's standing; ``NotFound`` unless a party or the court side."""
    case = case_selectors.case_for(actor, case_id)
    policies.require_see_case(actor, case)
    return case, viewer_of(actor, case)


def services_for(actor: Actor, case: Case) -> QuerySet[Service]:
    return (
        Service.objects.filter(policies.services_q(actor, case))
        .select_related("case", "recipient", "served_by", "receipt_request")
        .prefetch_related("documents", "deliveries")
    )


def service_for(actor: Actor, case: Case, service_id: int) -> Service:
    found = services_for(actor, case).filter(pk=service_id).first()
    if found is None:
        raise NotFound(_("没有找到该送达记录"))
    return found


def token_digest(token: str) -> str:
    """What is kept of an SMS link's token: its hash."""
    return hashlib.sha256(str(token or "").encode("utf-8")).hexdigest()


def service_by_link(token: str) -> Service:
    """The service an SMS link names."""
    found = (
        Service.objects.select_related("case", "recipient")
        .filter(token_hash=token_digest(token))
        .first()
    )
    if found is None:
        raise NotFound(_("链接无效，请核对短信中的链接"))
    return found


def services_of(actor: Actor) -> QuerySet[Service]:
    """我的送达: every service on a party the actor is, or acts for."""
    mine = CaseParticipant.objects.filter(user_id=actor.user_id, active=True)
    party_ids = set(mine.filter(role__in=PARTY_ROLES).values_list("pk", flat=True))
    party_ids |= set(mine.exclude(represents__isnull=True).values_list("represents_id", flat=True))
    return (
        Service.objects.filter(recipient_id__in=party_ids)
        .select_related("case", "recipient")
        .prefetch_related("documents")
    )


def recipients(case: Case) -> list[CaseParticipant]:
    """Who can be served: the case's active parties."""
    return list(
        CaseParticipant.objects.filter(case=case, role__in=PARTY_ROLES, active=True)
        .select_related("user")
        .order_by("pk")
    )


def confirmation_of(participant: CaseParticipant) -> AddressConfirmation | None:
    """The party's current 送达地址确认书 (the latest statement counts)."""
    return participant.address_confirmations.order_by("-created_at", "-pk").first()


@dataclass(frozen=True)
class Address:
    channel: str
    address: str  # the phone, e-mail or openid holder; "" for the platform account
    confirmed: bool


def shown(channel: str, address: str) -> str:
    """An address as pages, the API and the certificate show it: masked (personal data)."""
    if channel == Channel.PLATFORM:
        return str(_("平台账号"))
    if channel == Channel.EMAIL:
        name, _at, domain = address.partition("@")
        return f"{name[:1]}***@{domain}"
    return mask(address.removeprefix("+86"))


def addresses_for(participant: CaseParticipant) -> list[Address]:
    """Where electronic service can go, and whether the recipient provided or confirmed each
    address (在线诉讼规则第二十九条): by a 送达地址确认书, by consenting to online service on
    the platform, or by giving it in their own pleading."""
    confirmation = confirmation_of(participant)
    user = participant.user
    if confirmation is not None and confirmation.consent:
        found = []
        for channel in confirmation.channels:
            if channel == Channel.PLATFORM and user is not None:
                found.append(Address(Channel.PLATFORM, "", True))
            elif channel == Channel.SMS and confirmation.phone:
                found.append(Address(Channel.SMS, confirmation.phone, True))
            elif channel == Channel.EMAIL and confirmation.email:
                found.append(Address(Channel.EMAIL, confirmation.email, True))
            elif channel == Channel.WECHAT and user is not None:
                found.append(Address(Channel.WECHAT, "", True))
        return found
    if confirmation is not None:  # refused electronic service: paper only
        return []
    stated = case_selectors.consent_for(participant, Stage.SERVICE)
    if stated is False:  # chose offline service when linking to the case
        return []
    consented = stated is True
    party = filing_selectors.party_of(participant)
    # A party's own complaint gives its address (第二十九条: 在诉状中提供电子地址).
    own_pleading = bool(party and party.user_id and party.service_address_confirmed)
    found = []
    if user is not None:
        found.append(Address(Channel.PLATFORM, "", consented))
    phone = (party.phone if party else "") or (user.phone if user is not None else "")
    if phone:
        found.append(Address(Channel.SMS, phone, consented or own_pleading))
    email = (party.email if party else "") or (user.email if user is not None else "")
    if email:
        found.append(Address(Channel.EMAIL, email, consented or own_pleading))
    return found


def _serve_kind(item: dict) -> str:
    """What a filing material is when served (the court's rulings need consent)."""
    if item["material_kind"] == "complaint":
        return DocumentKind.COMPLAINT_COPY
    if item["material_kind"] == "evidence":
        return DocumentKind.EVIDENCE
    if item["material_kind"] == "court_document":
        return DocumentKind.RULING if item["document_kind"] == "ruling" else DocumentKind.NOTICE
    return DocumentKind.OTHER


def documents_to_serve(case: Case) -> list[dict]:
    """The case's documents a clerk may serve: the filing's materials and court documents,
    each with the kind it is served as."""
    return [
        {**item, "key": f"filing:{item['sha256']}", "serve_kind": _serve_kind(item)}
        for item in filing_selectors.dossier_items(case)
        # A party's identity papers and authorisations are never served on the other side.
        if item["mime"] == "application/pdf" and not item["court_only"]
    ]


def desk(actor: Actor) -> QuerySet[Service]:
    """The clerk's desk: in the cases the actor serves, services not yet effective, failed
    ones, and paper requests."""
    return (
        Service.objects.filter(case__in=_serving_cases(actor))
        .filter(Q(status__in=[Status.PENDING, Status.FAILED]) | Q(paper_requested_at__isnull=False))
        .select_related("case", "recipient")
        .prefetch_related("documents", "deliveries")
        .order_by("created_at", "pk")
    )


def public_notices() -> QuerySet[Service]:
    """公告: what is being served by public notice (public by law, 民诉法第九十五条)."""
    return (
        Service.objects.filter(method=Method.PUBLIC_NOTICE, notice_published_at__isnull=False)
        .select_related("case", "case__court", "recipient")
        .order_by("-notice_published_at")
    )


def unsettled() -> QuerySet[Service]:
    """What the sweep settles again (a postal service waits for the post office)."""
    return Service.objects.filter(status=Status.PENDING).exclude(method=Method.POSTAL)


def dossier_items(case: Case) -> list[dict]:
    """The service part of the e-dossier: each 电子送达凭证 and each signed 送达回证 (在线诉讼
    规则第三十一条; 流程公开规定第十四条: the receipt goes into the e-dossier)."""
    items = []
    rows = Service.objects.filter(case=case).select_related("recipient", "receipt_request")
    for s in rows.order_by("pk"):
        if s.certificate_path:
            items.append(
                {
                    "title": f"{_('送达凭证')}：{s.recipient.display_name}",
                    "category": str(_("送达凭证")),
                    "path": s.certificate_path,
                    "mime": "application/pdf",
                    "sha256": s.certificate_sha256,
                    "court_only": False,
                    "created_at": s.updated_at,
                }
            )
        signed = s.receipt_request
        if signed is not None and signed.status == "signed":
            items.append(
                {
                    "title": f"{_('送达回证')}：{s.recipient.display_name}",
                    "category": str(_("送达回证")),
                    "path": signed.signed_path,
                    "mime": "application/pdf",
                    "sha256": signed.signed_sha256,
                    "court_only": False,
                    "created_at": signed.signed_at,
                }
            )
    return items


# The documents a clerk serves across cases in one go: (filing material kind, court
# document kind) → label.
BATCH_DOCUMENTS = {
    "complaint": (("complaint", ""), _("起诉状副本")),
    "acceptance": (("court_document", "acceptance"), _("受理案件通知书")),
    "evidence": (("court_document", "evidence"), _("举证通知书")),
}


def batch_document(case: Case, document: str) -> dict | None:
    """The case's own copy of a batch document (the latest, if issued again)."""
    wanted = BATCH_DOCUMENTS[document][0]
    found = [
        d
        for d in documents_to_serve(case)
        if (d["material_kind"], d["document_kind"] or "") == wanted
    ]
    return found[-1] if found else None


# Who gets them: the side answering the claim, or every party.
OTHER_SIDE = frozenset({"defendant", "respondent", "appellee"})


def _serving_cases(actor: Actor) -> QuerySet[Case]:
    return Case.objects.filter(policies.serving_cases_q(actor)).values("pk")


def batch_cases(actor: Actor) -> QuerySet[Case]:
    """The open cases the actor serves in (``policies.serving_cases_q``)."""
    return (
        Case.objects.filter(pk__in=_serving_cases(actor), status__in=["accepted", "in_trial"])
        .select_related("court")
        .order_by("-accepted_at", "-pk")
    )

"""The recipient's acts on a service: opening it (by the SMS link or on the case), asking for
the paper copy, signing the 送达回证."""

from __future__ import annotations

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from microcourt.cases import policies as case_policies
from microcourt.core.actor import Actor
from microcourt.core.effects import on_commit
from microcourt.core.errors import Conflict
from microcourt.filing import invitations as filing_invitations
from microcourt.ledger import actions as ledger
from microcourt.notifications import actions as notifications

from .. import policies, selectors
from ..events import LedgerEvent
from ..models import Channel, Service
from .common import digest, docs_of, enqueue_settle


def _locked(service: Service) -> Service:
    return (
        Service.objects.select_for_update(of=("self",))
        .select_related("case", "case__court", "recipient", "receipt_request")
        .get(pk=service.pk)
    )


def service_open_link(*, token: str, actor: Actor) -> Service:
    """The SMS link: a valid, unexpired token, then the recipient's identity check."""
    service = selectors.service_by_link(token)
    if service.link_expires_at and timezone.now() > service.link_expires_at:
        raise Conflict(
            _("链接已过期（有效期至%(until)s）。请登录后在「我的送达」中查看文书，或联系法院。")
            % {"until": timezone.localtime(service.link_expires_at).strftime("%Y-%m-%d %H:%M")},
            code="link_expired",
        )
    return service_open(service=service, actor=actor)


@transaction.atomic
def service_open(*, service: Service, actor: Actor) -> Service:
    """The recipient opens what was served, after proving who they are: the party's own
    account or its agent's, or — for a party not yet on the platform — a verified identity
    matching the complaint (which links the account to the party). Opening is acting on the
    service (在线诉讼规则第三十一条第二款第一项)."""
    service = _locked(service)
    if not policies.opens_as_recipient(actor, service):
        filing_invitations.participant_link_verified(participant=service.recipient, actor=actor)
    actor = case_policies.on_case(actor, service.case)
    if service.opened_at is None:
        now = timezone.now()
        Service.objects.filter(pk=service.pk).update(opened_at=now, updated_at=now)
        service.opened_at = now
        ledger.record(
            code=LedgerEvent.OPENED,
            actor=actor,
            case_id=service.case_id,
            subject_digest=digest(docs_of(service)),
            data={"service": service.pk},
        )
        platform = service.deliveries.filter(channel=Channel.PLATFORM).first()
        if platform is not None and platform.notification_id and actor.user is not None:
            notifications.notification_mark_read(
                user=actor.user, notification_id=platform.notification_id
            )
        on_commit(enqueue_settle, service.pk)
    return service


@transaction.atomic
def service_paper_request(*, service: Service, actor: Actor) -> Service:
    """民诉法第九十条: a party served electronically with a judgment, ruling or 调解书 may ask
    for the paper copy, and the court provides it; the clerk sees the request on the desk.
    Only the recipient's side asks, and only for such documents served electronically
    (``policies.require_paper_request``); asking twice records it once."""
    service = _locked(service)
    policies.require_paper_request(actor, service)
    actor = case_policies.on_case(actor, service.case)
    if service.paper_requested_at is None:
        now = timezone.now()
        Service.objects.filter(pk=service.pk).update(paper_requested_at=now, updated_at=now)
        service.paper_requested_at = now
        ledger.record(
            code=LedgerEvent.PAPER_REQUESTED,
            actor=actor,
            case_id=service.case_id,
            data={"service": service.pk},
        )
        if service.served_by_id:
            notifications.notify(
                event="service.paper_requested",
                params={"no": service.case.number, "name": service.recipient.display_name},
                idempotency_key=f"service.paper:{service.pk}",
                recipient=service.served_by,
                url=reverse("service:detail", args=[service.case_id, service.pk]),
            )
    return service


@transaction.atomic
def service_receipt_request(*, service: Service, actor: Actor):
    """The recipient signs the 送达回证 (在线诉讼规则第三十三条: an e-signature satisfies the
    signature on a service receipt): a PDF naming the documents and when they were opened,
    signed with a handwritten signature after a fresh face check (signing app). Asking
    again returns the same request."""
    from microcourt.signing import actions as signing

    from .. import certificate

    service = _locked(service)
    policies.require_recipient(actor, service)
    actor = case_policies.on_case(actor, service.case)
    if service.opened_at is None:
        raise Conflict(_("请先核验身份并查看文书，再签署送达回证"), code="not_opened")
    existing = service.receipt_request
    if existing is not None and existing.status != "cancelled":
        return existing
    request = signing.signature_request_create(
        pdf=certificate.render_receipt(service),
        title=_("送达回证"),
        purpose="signature",
        signer=actor.user,
        case_id=service.case_id,
        actor=actor,
    )
    Service.objects.filter(pk=service.pk).update(receipt_request=request, updated_at=timezone.now())
    return request

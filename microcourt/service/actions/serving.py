"""Serving: electronically on any number of recipients at once, by post, or by public notice
— always by the court's people on the case (``policies.require_serve``)."""

from __future__ import annotations

import datetime as dt
import re
import secrets
import uuid

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from microcourt.cases import policies as case_policies
from microcourt.cases.models import Case
from microcourt.core.actor import Actor
from microcourt.core.effects import on_commit
from microcourt.core.errors import Conflict, InvalidInput
from microcourt.notifications import actions as notifications

from .. import policies, selectors
from ..events import LedgerEvent
from ..models import CONSENT_REQUIRED, Channel, Delivery, DocumentKind, Method, Service
from .common import (
    NOTICE_PERIOD,
    Doc,
    check_documents,
    enqueue_settle,
    link_url,
    new_service,
    recipient_of,
)
from .documents import document_of_case, document_upload

EVENT = "service.served"
# The notification channel each service channel goes out on.
NOTIFY_CHANNEL = {
    Channel.PLATFORM: "inapp",
    Channel.SMS: "sms",
    Channel.EMAIL: "email",
    Channel.WECHAT: "wechat",
}
TRACKING = re.compile(r"^(?:[A-Z]{2}\d{9}[A-Z]{2}|\d{10,20})$")
# A case that has ended takes no more electronic service.
FINAL_CASE = ("closed", "withdrawn")


def _guard(actor: Actor, case: Case, documents: list[Doc]) -> Actor:
    """Who serves, before anything else is looked at; the actor bound to the case (the
    ledger records the role it served in)."""
    policies.require_serve(actor, case, {d.kind for d in documents})
    return case_policies.on_case(actor, case)


def _consent_problem(recipient, documents: list[Doc]) -> str | None:
    """民诉法第九十条; 流程公开规定第十四条: judgments, rulings and 调解书 go electronically
    only to a recipient who expressly agreed in its 送达地址确认书."""
    if not any(d.kind in CONSENT_REQUIRED for d in documents):
        return None
    confirmation = selectors.confirmation_of(recipient)
    if confirmation and confirmation.includes_judgments:
        return None
    return _(
        "判决书、裁定书、调解书须经%(name)s同意方可电子送达（民事诉讼法第九十条），请邮寄送达"
    ) % {"name": recipient.display_name}


@transaction.atomic
def service_serve(
    *, case: Case, actor: Actor, recipient_ids: list, documents: list[Doc]
) -> list[Service]:
    """Serve the documents electronically on each recipient, on all their addresses at once
    (在线诉讼规则第二十九条至第三十一条). Judgments, rulings and 调解书 only to a party who
    expressly agreed (民诉法第九十条; 流程公开规定第十四条). Every recipient is checked
    before anything is sent: one bad recipient and nobody is served."""
    actor = _guard(actor, case, documents)
    check_documents(documents)
    if not recipient_ids:
        raise InvalidInput(_("请选择受送达人"), fields={"recipients": _("请至少选择一位受送达人")})
    if case.status in FINAL_CASE:
        raise Conflict(_("案件已结束，不能再送达"))
    plan = []
    for recipient_id in dict.fromkeys(recipient_ids):
        recipient = recipient_of(case, recipient_id)
        addresses = selectors.addresses_for(recipient)
        if not addresses:
            raise InvalidInput(
                _("无法电子送达"),
                fields={
                    "recipients": _(
                        "%(name)s没有可用的电子送达地址（或不同意电子送达），请邮寄送达或公告送达"
                    )
                    % {"name": recipient.display_name}
                },
            )
        problem = _consent_problem(recipient, documents)
        if problem:
            raise InvalidInput(_("裁判文书须经同意方可电子送达"), fields={"documents": problem})
        plan.append((recipient, addresses))
    batch = uuid.uuid4().hex
    now = timezone.now()
    expires = now + dt.timedelta(days=settings.SERVICE_LINK_DAYS)
    titles = "、".join(d.title for d in documents)
    services = []
    for recipient, addresses in plan:
        token = secrets.token_urlsafe(24)
        service = new_service(
            case,
            recipient,
            actor,
            Method.ELECTRONIC,
            documents,
            code=LedgerEvent.SERVED,
            batch=batch,
            data={"channels": [a.channel for a in addresses]},
            token_hash=selectors.token_digest(token),
            link_expires_at=expires,
        )
        for address in addresses:
            rows = notifications.notify(
                event=EVENT,
                params={
                    "case_number": case.number,
                    "document_title": titles,
                    "url": link_url(token),
                },
                idempotency_key=f"service:{service.pk}",
                recipient=recipient.user,
                address=address.address,
                url=reverse("service:detail", args=[case.pk, service.pk]),
                channels=[NOTIFY_CHANNEL[address.channel]],
            )
            Delivery.objects.create(
                service=service,
                channel=address.channel,
                address=address.address,
                confirmed=address.confirmed,
                notification_id=rows[0].pk,
                # The platform inbox is the recipient's system itself.
                reached_at=now if address.channel == Channel.PLATFORM else None,
            )
        on_commit(enqueue_settle, service.pk)
        services.append(service)
    return services


@transaction.atomic
def service_postal(
    *,
    case: Case,
    actor: Actor,
    recipient_id,
    documents: list[Doc],
    carrier: str,
    tracking_number: str,
    address: str = "",
) -> Service:
    """邮寄送达 (民诉法第九十一条), recorded with its tracking number; effective when signed
    for. The paper way for whatever may not go electronically."""
    actor = _guard(actor, case, documents)
    check_documents(documents)
    recipient = recipient_of(case, recipient_id)
    tracking_number = (tracking_number or "").strip().upper().replace(" ", "")
    fields = {}
    if not TRACKING.match(tracking_number):
        fields["tracking_number"] = _("邮件号格式不正确（如 EA123456789CN 或 10–20 位数字）")
    carrier = (carrier or "").strip() or _("中国邮政EMS")
    confirmation = selectors.confirmation_of(recipient)
    address = (address or "").strip() or (confirmation.postal_address if confirmation else "")
    if not address:
        fields["address"] = _("请填写邮寄地址")
    if fields:
        raise InvalidInput(_("邮寄送达信息有误"), fields=fields)
    return new_service(
        case,
        recipient,
        actor,
        Method.POSTAL,
        documents,
        code=LedgerEvent.POSTAL_SENT,
        data={"tracking": tracking_number},
        carrier=carrier[:50],
        tracking_number=tracking_number,
        postal_address=address,
    )


@transaction.atomic
def service_public_notice(
    *, case: Case, actor: Actor, recipient_id, documents: list[Doc], text: str
) -> Service:
    """公告送达 (民诉法第九十五条): published now, deemed served thirty days later."""
    actor = _guard(actor, case, documents)
    check_documents(documents)
    recipient = recipient_of(case, recipient_id)
    text = (text or "").strip()
    if len(text) < 10:
        raise InvalidInput(_("请填写公告内容"), fields={"text": _("请填写公告内容（不少于10字）")})
    now = timezone.now()
    return new_service(
        case,
        recipient,
        actor,
        Method.PUBLIC_NOTICE,
        documents,
        code=LedgerEvent.NOTICE_PUBLISHED,
        data={"deemed": (now + NOTICE_PERIOD).isoformat()},
        notice_text=text[:5000],
        notice_published_at=now,
    )


def services_serve_by(
    *,
    case: Case,
    actor: Actor,
    method: str,
    recipient_ids: list,
    document_keys: list[str] = (),
    upload=None,
    upload_title: str = "",
    upload_kind: str = "",
    carrier: str = "",
    tracking_number: str = "",
    address: str = "",
    notice_text: str = "",
) -> list[Service]:
    """Serve by the chosen method (the page's and the API's one entry): the case's own
    documents by key, and an uploaded PDF, electronically on any number of recipients; by
    post or public notice on one at a time (each letter and each notice names one person).
    Who may serve is checked before the upload is stored."""
    # The upload's kind counts only once it is a kind (else document_upload names the field).
    kinds = {upload_kind} if upload is not None and upload_kind in DocumentKind.values else set()
    policies.require_serve(actor, case, kinds)
    documents = [document_of_case(case=case, key=key) for key in document_keys]
    if upload is not None:
        documents.append(document_upload(upload=upload, title=upload_title, kind=upload_kind))
    if method == Method.ELECTRONIC:
        return service_serve(
            case=case, actor=actor, recipient_ids=recipient_ids, documents=documents
        )
    if method not in (Method.POSTAL, Method.PUBLIC_NOTICE):
        raise InvalidInput(_("请选择送达方式"), fields={"method": _("请选择送达方式")})
    if len(recipient_ids) != 1:
        raise InvalidInput(
            _("请选择一位受送达人"), fields={"recipients": _("邮寄和公告送达每次一位受送达人")}
        )
    if method == Method.POSTAL:
        return [
            service_postal(
                case=case, actor=actor, recipient_id=recipient_ids[0], documents=documents,
                carrier=carrier, tracking_number=tracking_number, address=address,
            )
        ]  # fmt: skip
    return [
        service_public_notice(
            case=case, actor=actor, recipient_id=recipient_ids[0], documents=documents,
            text=notice_text,
        )
    ]  # fmt: skip

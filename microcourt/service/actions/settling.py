"""When service took effect: the receipt engine over what the channels reported, the post
office's answer, the end of a public notice. Every outcome is applied by the system through
the declared machine (``states.SERVICE``); nothing is marked served that was not."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from microcourt.cases import policies as case_policies
from microcourt.core.actor import Actor
from microcourt.core.errors import Conflict, InvalidInput
from microcourt.ledger import actions as ledger
from microcourt.notifications import selectors as notification_selectors
from microcourt.notifications.models import Status as NotificationStatus

from .. import policies, receipts, selectors
from ..events import LedgerEvent
from ..models import Basis, Channel, Delivery, Method, Service, Status
from .common import NOTICE_PERIOD, fail, take_effect


def _refresh_deliveries(service: Service) -> tuple[list[Delivery], bool]:
    """Copy what each channel reported onto the service's log; and whether every outside
    channel has failed for good."""
    deliveries = list(service.deliveries.all())
    facts = notification_selectors.delivery_facts(
        [d.notification_id for d in deliveries if d.notification_id]
    )
    failed = []
    for delivery in deliveries:
        fact = facts.get(delivery.notification_id)
        if fact is None:
            continue
        failed.append(fact["status"] == NotificationStatus.FAILED)
        label = str(NotificationStatus(fact["status"]).label)
        if fact.get("delivery_reason") or fact.get("last_error"):
            label += f"：{fact.get('delivery_reason') or fact.get('last_error')}"
        changed = {
            "reached_at": delivery.reached_at
            if delivery.channel == Channel.PLATFORM
            else fact.get("sent_at"),
            "delivered_at": fact.get("delivered_at"),
            "read_at": fact.get("read_at"),
            "outcome": label[:200],
        }
        if any(getattr(delivery, k) != v for k, v in changed.items()):
            for k, v in changed.items():
                setattr(delivery, k, v)
            delivery.save(update_fields=list(changed))
    outside = [d for d in deliveries if d.channel != Channel.PLATFORM]
    all_failed = bool(outside) and len(outside) == len(deliveries) and all(failed)
    return deliveries, all_failed


@transaction.atomic
def service_settle(*, service_id: int, now: dt.datetime | None = None) -> Service:
    """Decide from the recorded facts whether (and when) service took effect (在线诉讼规则
    第三十一条; 民诉法第九十五条); once it has, the certificate is made. Run again, it
    changes nothing."""
    now = now or timezone.now()
    service = (
        Service.objects.select_for_update(of=("self",))
        .select_related("case", "recipient")
        .get(pk=service_id)
    )
    if service.status != Status.PENDING:
        return service
    effect = None
    if service.method == Method.ELECTRONIC:
        deliveries, all_failed = _refresh_deliveries(service)
        effect = receipts.effect_of(
            [
                receipts.ChannelFact(d.channel, d.confirmed, d.reached_at, d.read_at)
                for d in deliveries
            ],
            acted_at=service.opened_at,
        )
        if effect is None and all_failed:
            return fail(service, _("所有渠道均发送失败"))
    elif service.method == Method.PUBLIC_NOTICE and service.notice_published_at:
        deemed = service.notice_published_at + NOTICE_PERIOD
        if now >= deemed:
            effect = receipts.Effect(deemed, Basis.NOTICE, "notice")
    if effect is None:
        return service
    return take_effect(service, effect)


def services_settle_due(*, now: dt.datetime | None = None) -> int:
    """The periodic sweep: every pending service is settled again (a receipt, a read mark
    or a public notice's thirty days may have arrived). Returns how many took effect or
    failed."""
    ids = list(selectors.unsettled().values_list("pk", flat=True)[:1000])
    settled = [service_settle(service_id=pk, now=now) for pk in ids]
    return sum(s.status != Status.PENDING for s in settled)


def service_settle_now(*, service: Service, actor: Actor) -> Service:
    """The court side asks the receipt engine again now, rather than wait for the sweep."""
    policies.require_settle(actor, service.case)
    return service_settle(service_id=service.pk)


@transaction.atomic
def service_postal_result(
    *, service: Service, actor: Actor, signed: bool, at: dt.datetime, reason: str = ""
) -> Service:
    """The post office's answer, recorded by the court (民诉法第九十一条): signed for
    (effective that moment) or returned (failed). The clerk records the fact; the system
    applies its effect."""
    service = (
        Service.objects.select_for_update(of=("self",))
        .select_related("case", "recipient")
        .get(pk=service.pk)
    )
    policies.require_record_result(actor, service)
    actor = case_policies.on_case(actor, service.case)
    if service.method != Method.POSTAL:
        raise Conflict(_("这不是邮寄送达"))
    if service.status != Status.PENDING:
        raise Conflict(_("该邮件的结果已经登记"))
    if at is None or at > timezone.now() or at < service.created_at:
        raise InvalidInput(_("签收或退回时间有误"), fields={"at": _("时间须在寄出之后、现在之前")})
    if signed:
        ledger.record(
            code=LedgerEvent.POSTAL_SIGNED,
            actor=actor,
            case_id=service.case_id,
            data={"service": service.pk, "at": at.isoformat()},
        )
        return take_effect(service, receipts.Effect(at, Basis.POSTAL, "postal"))
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(_("请填写退回原因"), fields={"reason": _("请填写退回原因")})
    ledger.record(
        code=LedgerEvent.POSTAL_RETURNED,
        actor=actor,
        case_id=service.case_id,
        data={"service": service.pk, "at": at.isoformat(), "reason": reason[:300]},
    )
    return fail(service, _("邮件退回：%(reason)s") % {"reason": reason})

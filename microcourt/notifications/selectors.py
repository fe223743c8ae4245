"""Reads of the notifications app. ``delivery_facts`` is what other apps (service of
documents, 送达) use to decide when a notice took effect."""

from __future__ import annotations

from django.db.models import QuerySet

from microcourt.core.actor import Actor
from microcourt.core.crypto import mask

from . import policies, templates
from .actions.people import SWITCHABLE
from .backends import national
from .models import Channel, LocalGatewayMessage, Notification, Preference, Status, WechatBinding


def inbox(actor: Actor) -> QuerySet[Notification]:
    """The actor's own in-app messages (``policies.own_q``; scheduled ones appear when their
    time comes)."""
    return Notification.objects.filter(
        policies.own_q(actor), channel=Channel.INAPP, status=Status.SENT
    ).order_by("-created_at", "-pk")


def _masked_address(row: Notification, openids: dict[int, str]) -> str:
    user = row.recipient
    if row.channel == Channel.INAPP:
        return ""
    address = row.address
    if not address and user is not None:
        address = {
            Channel.SMS: user.phone,
            Channel.EMAIL: user.email,
            Channel.WECHAT: openids.get(row.recipient_id, ""),
        }.get(row.channel, "")
    if not address:
        return ""
    if row.channel == Channel.SMS:
        return mask(national(address))
    if row.channel == Channel.EMAIL:
        name, _, domain = address.partition("@")
        return f"{mask(name, keep_start=1, keep_end=0)}@{domain}"
    return mask(address, keep_start=4, keep_end=4)


def openids_for(user_ids) -> dict[int, str]:
    """The WeChat openid of each user bound to this platform's mini-program (one query)."""
    from .actions.delivery import wechat_appid

    user_ids = {u for u in user_ids if u}
    if not user_ids:
        return {}
    return dict(
        WechatBinding.objects.filter(user_id__in=user_ids, appid=wechat_appid()).values_list(
            "user_id", "openid"
        )
    )


def delivery_facts(ids: list[int]) -> dict[int, dict]:
    """What happened to each outbox row, for deciding when a notice took effect:

    ``{id: {"channel", "event", "status", "sent_at" (the gateway accepted it: 民诉解释第一百三十五条
    "the date the court's system shows successful sending"), "delivered_at" (the gateway
    reported it on the handset / WeChat pushed it to the user), "delivery" ("delivered",
    "undelivered" or ""), "delivery_reason", "read_at" (in-app: opened), "provider_ref",
    "last_error", "attempts", "address" (masked)}}``. Unknown ids are absent."""
    rows = list(Notification.objects.select_related("recipient").filter(pk__in=list(ids)))
    openids = openids_for(
        {r.recipient_id for r in rows if r.channel == Channel.WECHAT and not r.address}
    )
    return {
        row.pk: {
            "channel": row.channel,
            "event": row.event,
            "status": row.status,
            "sent_at": row.sent_at,
            "delivered_at": row.delivered_at,
            "delivery": row.delivery,
            "delivery_reason": row.delivery_reason,
            "read_at": row.read_at,
            "provider_ref": row.provider_ref,
            "last_error": row.last_error,
            "attempts": row.attempts,
            "address": _masked_address(row, openids),
        }
        for row in rows
    }


def preferences_for(user) -> list[dict]:
    """The preferences page and API: every category with its switches; mandatory ones
    locked with the reason."""
    off = {
        (p.category, p.channel): p.enabled
        for p in Preference.objects.filter(user=user).only("category", "channel", "enabled")
    }
    mandatory_events = {e.category for e in templates.EVENTS.values() if e.is_mandatory}
    result = []
    for category in templates.CATEGORIES.values():
        result.append(
            {
                "category": category.code,
                "label": str(category.label),
                "mandatory": category.mandatory,
                "reason": str(category.reason) if category.mandatory else "",
                # Some notices in an optional category are still required (a court's
                # strong reminder): the switches leave them alone.
                "has_required": not category.mandatory and category.code in mandatory_events,
                "channels": [
                    {
                        "channel": str(channel),
                        "label": str(Channel(channel).label),
                        "enabled": True
                        if category.mandatory
                        else off.get((category.code, str(channel)), True),
                        "locked": category.mandatory,
                    }
                    for channel in SWITCHABLE
                ],
            }
        )
    return result


def wechat_binding(user):
    from .actions.delivery import wechat_appid

    return WechatBinding.objects.filter(user=user, appid=wechat_appid()).first()


def local_outbox(limit: int = 100) -> QuerySet[LocalGatewayMessage]:
    """The local gateway's latest messages (the development "phone")."""
    return LocalGatewayMessage.objects.order_by("-created_at", "-pk")[:limit]

"""Delivery status from the gateways: Aliyun's SmsReport push and WeChat's
``subscribe_msg_sent_event``. A report is proof the gateway accepted the message, so a row
whose sending was never recorded (its worker died) is recorded as sent by the report."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Q
from django.utils import timezone

from ..models import Channel, Delivery, Notification, Status, WechatSentEvent

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _shanghai(text: Any) -> dt.datetime | None:
    if not text:
        return None
    try:
        return dt.datetime.strptime(str(text), "%Y-%m-%d %H:%M:%S").replace(tzinfo=SHANGHAI)
    except ValueError:
        return None


def _truthy(value: Any) -> bool:
    return value is True or str(value).lower() in {"true", "1"}


def _record(
    row_filter: Q,
    *,
    channel: str,
    ref: str,
    delivered: bool,
    reason: str,
    at: dt.datetime | None,
    sent_at: dt.datetime | None,
) -> int:
    at = at or timezone.now()
    rows = Notification.objects.filter(row_filter, channel=channel)
    updated = 0
    for row in rows.only("id", "status", "provider_ref", "sent_at"):
        changes: dict[str, Any] = {
            "delivered_at": at,
            "delivery": Delivery.DELIVERED if delivered else Delivery.UNDELIVERED,
            "delivery_reason": "" if delivered else reason[:200],
        }
        if ref and (not row.provider_ref or row.provider_ref.startswith("out:")):
            changes["provider_ref"] = ref[:128]
        if row.status != Status.SENT:
            # The gateway has it: whatever the outbox believed (a dead worker's claim, a
            # lost answer), it was sent; recovery must not send it again.
            changes.update(
                status=Status.SENT,
                sent_at=row.sent_at or sent_at or at,
                claim="",
                claimed_at=None,
                uncertain=False,
                next_attempt_at=None,
                last_error="",
            )
        updated += Notification.objects.filter(pk=row.pk).update(**changes)
    return updated


def sms_reports_receive(*, reports: Iterable[Mapping[str, Any]]) -> int:
    """Aliyun SmsReport items: phone_number, success, err_code, err_msg, biz_id, out_id,
    send_time, report_time (Asia/Shanghai). A report may arrive twice; recording it again
    changes nothing. Returns the rows updated."""
    updated = 0
    for report in reports:
        out_id, biz_id = str(report.get("out_id") or ""), str(report.get("biz_id") or "")
        if not out_id and not biz_id:
            continue
        delivered = _truthy(report.get("success"))
        reason = f"{report.get('err_code', '')} {report.get('err_msg', '')}".strip()
        updated += _record(
            Q(out_id=out_id) if out_id else Q(provider_ref=biz_id),
            channel=Channel.SMS,
            ref=biz_id,
            delivered=delivered,
            reason=reason,
            at=_shanghai(report.get("report_time")),
            sent_at=_shanghai(report.get("send_time")),
        )
    return updated


def wechat_sent_events_receive(*, openid: str, created_at: dt.datetime, items) -> int:
    """``subscribe_msg_sent_event``: per message TemplateId, MsgID, ErrorCode (0: it reached
    the user), ErrorStatus. Kept for the lookup after a crash; the row with that msgid gets
    its delivery status."""
    updated = 0
    for item in items:
        msgid = str(item.get("MsgID") or item.get("MsgId") or "")
        if not msgid:
            continue
        try:
            code = int(item.get("ErrorCode") or 0)
        except (TypeError, ValueError):
            code = -1
        status = str(item.get("ErrorStatus") or "")[:100]
        WechatSentEvent.objects.get_or_create(
            msgid=msgid,
            defaults={
                "openid": openid[:64],
                "template_id": str(item.get("TemplateId") or "")[:128],
                "error_code": code,
                "error_status": status,
                "created_at": created_at,
            },
        )
        updated += _record(
            Q(provider_ref=msgid),
            channel=Channel.WECHAT,
            ref="",
            delivered=code == 0,
            reason=f"{code} {status}",
            at=created_at,
            sent_at=None,
        )
    return updated

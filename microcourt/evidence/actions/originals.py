"""Originals (在线诉讼规则第十二条、第十三条): the other side's objection to a copy, the court
requiring the original, and the court recording the copy verified or deemed original. The
status moves only through ``states.ORIGINAL``."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from microcourt.cases import policies as case_policies
from microcourt.core.actor import Actor
from microcourt.core.errors import InvalidInput
from microcourt.ledger import actions as ledger
from microcourt.notifications.actions import notify
from microcourt.notifications.models import Channel

from .. import policies
from ..events import LedgerEvent as E
from ..models import DeemedGround, Exhibit, Objection, RequireReason
from ..states import ORIGINAL
from ._common import exhibit_url, text


@transaction.atomic
def objection_raise(
    *, exhibit: Exhibit, actor: Actor, reasons: str, party_id: int | None = None
) -> Objection:
    """An opposing party objects, with reasons, that the copy does not match the original
    (在线诉讼规则第十二条第二款第一项). A copy, or one deemed original, becomes 对方有异议; one
    already required or verified keeps its status, the objection is on the record."""
    exhibit = Exhibit.objects.select_for_update().get(pk=exhibit.pk)
    party = policies.require_object(actor, exhibit, party_id)
    actor = case_policies.on_case(actor, exhibit.case)
    reasons = text(reasons, "reasons", _("理由和依据"), 2000)
    objection = Objection.objects.create(
        exhibit=exhibit, participant=party, raised_by=actor.user, reasons=reasons
    )
    source = exhibit.original_status
    if source in ORIGINAL["object"].sources:
        ORIGINAL.apply(exhibit, "object", actor=actor, updates={"deemed_ground": ""})
    ledger.record(
        code=E.OBJECTION_RAISED,
        actor=actor,
        case_id=exhibit.case_id,
        subject_digest=f"sha256:{exhibit.sha256}",
        data={
            "exhibit": exhibit.pk,
            "objection": objection.pk,
            "party": party.pk,
            "from": source,
            "to": exhibit.original_status,
        },
    )
    return objection


@transaction.atomic
def original_require(*, exhibit: Exhibit, actor: Actor, reason: str) -> Exhibit:
    """The court requires the original (在线诉讼规则第十二条第二款): status 需核对原件; the
    submitting party is told in-app and by SMS."""
    exhibit = Exhibit.objects.select_for_update().get(pk=exhibit.pk)
    policies.require_decide_original(actor, exhibit)
    actor = case_policies.on_case(actor, exhibit.case)
    if reason not in RequireReason.values:
        raise InvalidInput(_("请选择要求原件的情形"), fields={"reason": _("请选择")})
    if reason == RequireReason.OBJECTION and not exhibit.objections.exists():
        raise InvalidInput(_("对方当事人尚未提出异议"), fields={"reason": _("没有异议")})
    ORIGINAL.apply(
        exhibit,
        "require",
        actor=actor,
        updates={"required_reason": reason, "deemed_ground": ""},
    )
    if exhibit.party.user_id:
        notify(
            event="evidence.original_required",
            recipient=exhibit.party.user,
            params={"n": exhibit.number, "name": exhibit.name},
            url=exhibit_url(exhibit),
            idempotency_key=f"evidence.original_required:{exhibit.pk}:{exhibit.updated_at:%s%f}",
            channels=[Channel.INAPP, Channel.SMS],
        )
    return exhibit


@transaction.atomic
def original_confirm(*, exhibit: Exhibit, actor: Actor, ground: str, note: str = "") -> Exhibit:
    """The court records the copy as verified against the original (compared) or deemed to
    meet the original-form rule on one of the five grounds of 在线诉讼规则第十三条."""
    exhibit = Exhibit.objects.select_for_update().get(pk=exhibit.pk)
    policies.require_decide_original(actor, exhibit)
    actor = case_policies.on_case(actor, exhibit.case)
    if ground not in DeemedGround.values:
        raise InvalidInput(_("请选择认定依据"), fields={"ground": _("请选择")})
    if ground == DeemedGround.NO_OBJECTION and exhibit.objections.exists():
        raise InvalidInput(
            _("对方当事人已提出异议，不能以“未提出异议”认定"), fields={"ground": _("已有异议")}
        )
    verified = ground == DeemedGround.COMPARED
    ORIGINAL.apply(
        exhibit,
        "verify" if verified else "deem",
        actor=actor,
        note=note,
        updates={"deemed_ground": ground},
    )
    return exhibit

"""Submission: what still stops a filing, the snapshot of what was submitted and its digest,
the court's review clock, and the applicant's notifications (登记立案规定第二条: every
complaint is received with a dated receipt; 在线诉讼规则第九条)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from microcourt.core.actor import Actor
from microcourt.core.errors import InvalidInput
from microcourt.courts import selectors as court_selectors
from microcourt.notifications import actions as notifications
from microcourt.notifications.models import Channel

from . import rules
from .actions import EDITABLE, _editable, _mine
from .models import (
    CaseKind,
    CauseCategory,
    DecisionKind,
    FilerCapacity,
    Filing,
    FilingDecision,
    FilingStatus,
    MaterialKind,
    PartySide,
)
from .states import FILING

S = FilingStatus


def problems(filing: Filing) -> dict[str, str]:
    """What still stops a filing from being submitted, per field, in the user's language
    (民诉法第一百二十二条、第一百二十四条: parties, claims, facts and reasons, the court)."""
    found: dict[str, Any] = {}
    if filing.court_id is None:
        found["court"] = _("请选择受诉法院")
    if filing.kind == CaseKind.APPEAL and filing.appeal_of_id is None:
        found["appeal_of"] = _("请填写原审案件的案号")
    if filing.cause_id is None and filing.kind in (CaseKind.CIVIL_FIRST, CaseKind.APPEAL):
        found["cause"] = _("请选择案由")
    if (
        filing.cause_id
        and filing.kind == CaseKind.ADMIN_FIRST
        and filing.cause.category != CauseCategory.ADMINISTRATIVE
    ):
        found["cause"] = _("行政案件请选择行政案由")
    parties = list(filing.parties.all())
    claimants = [p for p in parties if p.side == PartySide.CLAIMANT]
    respondents = [p for p in parties if p.side == PartySide.RESPONDENT]
    if not claimants:
        found["parties"] = _("请添加原告（申请人）")
    elif not respondents and filing.kind != CaseKind.JUDICIAL_CONFIRMATION:
        found["parties"] = _("请添加被告（被申请人），起诉须有明确的被告")
    elif filing.kind == CaseKind.JUDICIAL_CONFIRMATION and len(claimants) + len(respondents) < 2:
        found["parties"] = _("司法确认须由调解协议双方共同申请")
    if any(p.side == PartySide.CLAIMANT and not p.service_address_confirmed for p in parties):
        found["service_address_confirmed"] = _("请确认原告方的送达地址")
    if not filing.claims.exists():
        found["claims"] = _("请填写至少一项诉讼请求")
    if not filing.facts.strip():
        found["facts"] = _("请填写事实与理由")
    materials = filing.materials.filter(removed=False)
    if not materials.filter(kind=MaterialKind.COMPLAINT).exists():
        found["materials"] = _("请上传起诉状（申请书），或用诉状助手生成")
    if (
        filing.capacity == FilerCapacity.AGENT
        and filing.authorisation_id is None
        and not materials.filter(kind=MaterialKind.AUTHORISATION).exists()
    ):
        found["authorisation"] = _("代理人起诉须提交授权委托书")
    if filing.capacity == FilerCapacity.LEGAL_REPRESENTATIVE and filing.organisation_id is None:
        found["organisation"] = _("请选择您代表的单位")
    if filing.receiving_court_id and filing.receiving_court_id == filing.court_id:
        found["receiving_court"] = _("协作法院与受诉法院相同，无需跨域立案")
    return found


def snapshot(filing: Filing) -> dict[str, Any]:
    """The content as submitted, in a canonical form whose SHA-256 goes into the ledger."""
    return {
        "number": filing.number,
        "court": filing.court.code if filing.court_id else None,
        "receiving_court": filing.receiving_court.code if filing.receiving_court_id else None,
        "kind": filing.kind,
        "cause": filing.cause.name if filing.cause_id else None,
        "capacity": filing.capacity,
        "appeal_of": filing.appeal_of.number if filing.appeal_of_id else None,
        "parties": [
            {
                "side": p.side,
                "kind": p.kind,
                "name": p.name,
                "id_number": p.id_number,
                "uscc": p.uscc,
                "legal_representative": p.legal_representative,
                "phone": p.phone,
                "address": p.address,
                "service_address": p.service_address,
                "service_address_confirmed": p.service_address_confirmed,
            }
            for p in filing.parties.all()
        ],
        "claims": [
            {"text": c.text, "amount": None if c.amount is None else str(c.amount)}
            for c in filing.claims.all()
        ],
        "facts": filing.facts,
        "materials": [
            {"kind": m.kind, "name": m.name, "sha256": m.sha256, "size": m.size}
            for m in filing.materials.filter(removed=False)
        ],
        "consent": filing.consent,
    }


def content_digest(content: dict[str, Any]) -> str:
    raw = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return "sha256:" + hashlib.sha256(raw.encode("utf-8")).hexdigest()


def start_clock(filing: Filing, *, at: dt.datetime) -> dict[str, Any]:
    """The field values that (re)start the court's review clock at ``at``."""
    calendar = court_selectors.court_calendar(filing.court)
    clock = rules.review_clock(filing.kind, at, calendar)
    return {
        "clock_started_at": clock.started_at,
        "review_due_at": clock.due_at,
        "review_basis": clock.basis,
        "review_provisional": clock.provisional,
    }


def notify_applicant(filing: Filing, *, event: str, title, body, key: str) -> None:
    notifications.notify(
        recipient=filing.applicant,
        event=f"filing.{event}",
        title=str(title),
        body=str(body),
        url=reverse("filing:detail", args=[filing.number]),
        params={"n": filing.number},  # for the approved SMS template of each event
        idempotency_key=f"filing.{event}:{filing.number}:{key}",
        channels=[Channel.INAPP, Channel.SMS],
    )


@transaction.atomic
def filing_submit(*, filing: Filing, actor: Actor) -> Filing:
    """Submit to the court (or, for 跨域立案, to the receiving court's centre): every problem
    is listed at once; the content is frozen in a snapshot whose digest is recorded; the
    court's clock starts; the applicant gets a dated receipt (收件凭证)."""
    from . import documents

    filing = _mine(filing, actor)
    resubmission = filing.status == S.CORRECTION_REQUESTED
    if filing.status not in EDITABLE:
        _editable(filing)
    found = problems(filing)
    if found:
        raise InvalidInput(_("立案申请还不完整，请补充标出的项目。"), fields=found)
    now = timezone.now()
    content = snapshot(filing)
    digest = content_digest(content)
    forwarded = filing.decisions.filter(kind=DecisionKind.FORWARDED).exists()
    cross_region = filing.receiving_court_id is not None and not forwarded
    updates: dict[str, Any] = {"content_digest": digest, "submitted_at": now, "step": "review"}
    if not cross_region:
        updates.update(start_clock(filing, at=now))
    filing.content_digest = digest
    name = ("resubmit" if resubmission else "submit") + ("_cross_region" if cross_region else "")
    FILING.apply(filing, name, actor=actor, updates=updates)
    decision = FilingDecision.objects.create(
        filing=filing,
        kind=DecisionKind.CORRECTED if resubmission else DecisionKind.SUBMITTED,
        actor=actor.user,
        court=filing.receiving_court if cross_region else filing.court,
        snapshot={**content, "digest": digest},
    )
    documents.issue_later(decision, "receipt")
    if cross_region:
        body = _("您的立案申请 %(n)s 已由%(r)s收取，核对身份和材料后将转交%(c)s。") % {
            "n": filing.number,
            "r": filing.receiving_court.name,
            "c": filing.court.name,
        }
    else:
        body = _("%(c)s已收到您的立案申请 %(n)s，将于 %(due)s 前作出是否立案的决定。") % {
            "c": filing.court.name,
            "n": filing.number,
            "due": timezone.localtime(filing.review_due_at).date().isoformat(),
        }
    notify_applicant(
        filing,
        event="corrected" if resubmission else "submitted",
        title=_("立案申请已提交"),
        body=body,
        key=str(decision.pk),
    )
    return filing


@transaction.atomic
def filing_withdraw(*, filing: Filing, actor: Actor, reason: str = "") -> Filing:
    """The applicant withdraws a draft or a pending filing (before the court decides)."""
    filing = _mine(filing, actor)
    reason = str(reason or "").strip()
    FILING.apply(filing, "withdraw", actor=actor, note=reason[:500])
    FilingDecision.objects.create(
        filing=filing, kind=DecisionKind.WITHDRAWN, actor=actor.user, reasons=reason[:2000]
    )
    return filing

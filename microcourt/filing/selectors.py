"""Reads of filings, scoped to the actor with ``policies`` (ARCHITECTURE §4.4): the applicant
sees their own, a court's officers what was submitted to their court (never drafts), a
receiving court the cross-region filings handed in at its centre, the panel of the case a
filing became. Anything else is "not found"."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from microcourt.core.actor import Actor
from microcourt.core.errors import NotFound
from microcourt.courts import selectors as court_selectors
from microcourt.courts.models import Court
from microcourt.payments import fees

from . import policies, rules
from .models import (
    CaseInvitation,
    CaseKind,
    CauseCategory,
    CauseOfAction,
    FilerCapacity,
    Filing,
    FilingMaterial,
    FilingParty,
    FilingStatus,
    MaterialKind,
    PartySide,
)

S = FilingStatus


def filings_for(actor: Actor) -> QuerySet[Filing]:
    qs = Filing.objects.select_related("court", "receiving_court", "cause", "case")
    if actor.is_system:
        return qs
    # The panel's part of the filter joins participants: select by key so no row repeats.
    return qs.filter(pk__in=Filing.objects.filter(policies.visible_q(actor)).values("pk"))


def filing_for(actor: Actor, number: str) -> Filing:
    filing = filings_for(actor).filter(number=number).first()
    if filing is None:
        raise NotFound(policies.NOT_FOUND)
    return filing


def drafts_of(user) -> QuerySet[Filing]:
    return (
        Filing.objects.filter(applicant=user)
        .exclude(status=S.ACCEPTED)
        .select_related("court", "cause")
        .order_by("-updated_at", "-pk")
    )


def side_labels(kind: str) -> dict[str, str]:
    """What each side is called in a case of this kind (原告/申请人/上诉人 …): the label of the
    case role it becomes (``rules.rule_for(kind).sides``)."""
    from microcourt.cases.models import ParticipantRole

    return {
        side: str(ParticipantRole(role).label) for side, role in rules.rule_for(kind).sides.items()
    }


def causes(*, q: str = "", category: str = "") -> QuerySet[CauseOfAction]:
    qs = CauseOfAction.objects.filter(active=True)
    if category:
        qs = qs.filter(category=category)
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(keywords__icontains=q))
    return qs


@dataclass(frozen=True)
class QueueItem:
    filing: Filing
    days_left: int  # court working days to the due day; negative when overdue
    at_risk: bool
    overdue: bool


# A filing is at risk when one working day or less is left to decide it.
AT_RISK_DAYS = 1


def _pending_at(court: Court) -> QuerySet[Filing]:
    # Parties and claims come in one query each, whatever the length of the queue (the desk
    # shows both for every filing).
    return (
        Filing.objects.filter(court=court, status__in=(S.SUBMITTED, S.CORRECTION_REQUESTED))
        .select_related("cause", "applicant", "receiving_court")
        .prefetch_related("parties", "claims")
        .order_by("status", "review_due_at", "pk")
    )


def _queue(court: Court, now: dt.datetime) -> list[QueueItem]:
    calendar = court_selectors.court_calendar(court)
    items = []
    for filing in _pending_at(court):
        if filing.status == S.CORRECTION_REQUESTED or filing.review_due_at is None:
            items.append(QueueItem(filing, 0, False, False))
            continue
        left = rules.working_days_left(filing.review_due_at, calendar, now)
        overdue = now > filing.review_due_at
        items.append(QueueItem(filing, left, not overdue and left <= AT_RISK_DAYS, overdue))
    pending = [i for i in items if i.filing.status == S.SUBMITTED]
    waiting = [i for i in items if i.filing.status != S.SUBMITTED]
    return pending + waiting


def review_queue(actor: Actor, court: Court, *, now: dt.datetime | None = None) -> list[QueueItem]:
    """The filing officer's desk: pending filings at ``court`` ordered by the legal clock,
    the most urgent first. Corrections awaited from applicants come after, by their due day.
    Only the court's deciding officers (``policies.require_desk``)."""
    policies.require_desk(actor, court.pk)
    return _queue(court, now or timezone.now())


def _awaiting_forward(court: Court) -> QuerySet[Filing]:
    return (
        Filing.objects.filter(receiving_court=court, status=S.AWAITING_FORWARD)
        .select_related("court", "applicant", "cause")
        .order_by("submitted_at", "pk")
    )


def forward_queue(actor: Actor, court: Court) -> QuerySet[Filing]:
    """Cross-region filings handed in at ``court`` for another court, to check and forward."""
    policies.require_forward_desk(actor, court.pk)
    return _awaiting_forward(court)


@dataclass
class DeskCourt:
    """One court's part of the filing desk: its queue if the actor decides there, the
    cross-region filings to forward if it receives there."""

    court: Court
    officer: bool
    queue: list[QueueItem] = field(default_factory=list)
    forward: list[Filing] = field(default_factory=list)


def desk(actor: Actor, *, now: dt.datetime | None = None) -> list[DeskCourt]:
    """立案审查: every court whose desk the actor sits at. The number of queries does not grow
    with the number of filings (pinned in the tests)."""
    now = now or timezone.now()
    found = []
    for court in Court.objects.filter(pk__in=policies.desk_courts(actor)).order_by("code"):
        officer = policies.officer_at(actor, court.pk) is not None
        receiving = policies.receiving_at(actor, court.pk) is not None
        found.append(
            DeskCourt(
                court=court,
                officer=officer,
                queue=_queue(court, now) if officer else [],
                forward=list(_awaiting_forward(court)) if receiving else [],
            )
        )
    if not found:
        raise NotFound(_("没有找到该法院的立案审查任务"))
    return found


def officer_courts(user) -> list[Court]:
    """The courts where the user decides filings or receives cross-region ones."""
    roles = policies.OFFICER_ROLES | policies.RECEIVING_ROLES
    ids = court_selectors.court_ids_for_roles(user.pk, roles)
    return list(Court.objects.filter(pk__in=ids).order_by("code"))


def decision_entry(filing: Filing, codes):
    """The newest ledger entry recording one of these decisions on the filing, or None."""
    from microcourt.ledger import selectors as ledger_selectors

    label = f"{Filing._meta.label}:{filing.pk}"
    entries = [ledger_selectors.entry_for(code=code, object_label=label) for code in codes]
    entries = [e for e in entries if e is not None]
    return max(entries, key=lambda e: e.pk) if entries else None


def submission_ledger_index(filing: Filing) -> int | None:
    """The ledger leaf recording the filing's (latest) submission, once in the tree: its
    receipt proves to anyone what was submitted and when."""
    from .events import LedgerEvent

    entry = decision_entry(filing, (LedgerEvent.SUBMITTED, LedgerEvent.CORRECTED))
    return entry.leaf.index if entry is not None and hasattr(entry, "leaf") else None


@dataclass(frozen=True)
class JurisdictionHint:
    court: Court
    reason: str  # why this court: whose address, and the article


def jurisdiction_hints(filing: Filing) -> list[JurisdictionHint]:
    """Courts the respondents' addresses point to: 民事诉讼法第二十二条 (a suit goes to the
    court where the defendant is domiciled). A hint only: contracts, torts and agreed courts
    (第二十四条至第三十五条) may point elsewhere, and the filing officer decides."""
    hints: dict[int, JurisdictionHint] = {}
    basic = {c.pk: c for c in Court.objects.filter(active=True, level="basic").exclude(district="")}
    for party in filing.parties.filter(side=PartySide.RESPONDENT):
        address = party.address or ""
        for court in basic.values():
            # District names repeat across cities (宁波 and 重庆 both have a 江北区): the
            # city must be named too.
            if court.district in address and court.city.removesuffix("市") in address:
                hints.setdefault(
                    court.pk,
                    JurisdictionHint(
                        court=court,
                        reason=str(
                            _("被告%(name)s的住所在%(district)s（《民事诉讼法》第二十二条）")
                            % {"name": party.name, "district": court.district}
                        ),
                    ),
                )
    return list(hints.values())


def dossier_items(case) -> list[dict]:
    """The filing's part of a case's e-dossier, in the order a court files it: what the
    applicant submitted (complaint first), then the court's own documents."""
    order = {
        MaterialKind.COMPLAINT: 0,
        MaterialKind.IDENTITY: 1,
        MaterialKind.AUTHORISATION: 2,
        MaterialKind.EVIDENCE: 3,
        MaterialKind.CORRECTION: 4,
        MaterialKind.OTHER: 5,
        MaterialKind.COURT_DOCUMENT: 6,
    }
    materials = FilingMaterial.objects.filter(filing__case=case, removed=False).order_by(
        "created_at", "pk"
    )
    rows = sorted(materials, key=lambda m: (order.get(m.kind, 9), m.created_at, m.pk))
    return [
        {
            "title": m.name,
            "category": str(MaterialKind(m.kind).label),
            "path": m.path,
            "mime": m.mime,
            "sha256": m.sha256,
            "size": m.size,
            "material_kind": m.kind,
            "document_kind": m.document_kind,
            # A party's identity papers stay with the court (policies.PRIVATE_KINDS).
            "court_only": m.kind in policies.PRIVATE_KINDS,
            "created_at": m.created_at,
        }
        for m in rows
        # A Word copy of a generated complaint duplicates its PDF.
        if not (m.generated and m.mime != "application/pdf")
    ]


def fee_quote(filing: Filing, total: Decimal | None):
    """The fee due on filing as ``(fee kind, quote)`` (《诉讼费用交纳办法》第十三条、第十四条、
    第二十条), or None when the kind carries none. The wizard shows it as an estimate; the
    acceptance issues it. Bad figures raise ``InvalidInput`` naming the field."""
    case_type = rules.rule_for(filing.kind).fee_case_type
    province = filing.court.code[:1]
    if province not in fees.PROVINCES:
        province = "京"  # the SPC sits in Beijing
    cause = filing.cause.name if filing.cause_id else ""
    if case_type in ("property", "appeal"):
        if "离婚" in cause:
            category = "divorce"
        elif filing.cause_id and filing.cause.assistant == "labour":
            category = "labour"
        else:
            category = "property" if total else "other"
        quote = fees.quote(
            kind="acceptance",
            category=category,
            amount=total if category in ("property", "divorce") else None,
            province=province,
            appeal=case_type == "appeal",
        )
        return ("appeal" if case_type == "appeal" else "acceptance"), quote
    if case_type == "administrative":
        return "acceptance", fees.quote(
            kind="acceptance", category="administrative", province=province
        )
    if case_type in ("preservation", "payment_order") and total:
        return case_type, fees.quote(kind=case_type, amount=total, province=province)
    return None  # enforcement fees are paid after enforcement (第二十条); others carry none


def party_of(participant):
    """The filing's record of a case party (name, numbers, contact details the complaint
    gave), or None for a party added after filing."""
    invitation = CaseInvitation.objects.filter(participant=participant).select_related("party")
    found = invitation.order_by("-pk").first()
    if found is not None:
        return found.party
    parties = FilingParty.objects.filter(filing__case_id=participant.case_id)
    if participant.user_id:
        own = parties.filter(user_id=participant.user_id).first()
        if own is not None:
            return own
    return parties.filter(name=participant.display_name).order_by("pk").first()


def invitation_for(token: str) -> CaseInvitation:
    """The invitation behind an SMS link; a wrong token is "not found". Only the token's
    SHA-256 is stored, so a database read yields no working links."""
    digest = hashlib.sha256(str(token or "").encode("utf-8")).hexdigest()
    invitation = (
        CaseInvitation.objects.select_related("case", "case__court", "party", "participant")
        .filter(token_hash=digest)
        .first()
    )
    if invitation is None:
        raise NotFound(_("链接无效，请核对短信中的链接"))
    return invitation


# --- materials ----------------------------------------------------------------------------


def material_for(actor: Actor, number: str, material_id: int) -> FilingMaterial:
    """One material of a filing for download, if the actor may read it
    (``policies.may_read_material``): the filer's side and the court read all, the other
    side of the accepted case what is served on it. "Not found" otherwise."""
    filing = (
        Filing.objects.select_related("case").filter(number=str(number or "")).first()
        if number
        else None
    )
    material = (
        None if filing is None else filing.materials.filter(pk=material_id, removed=False).first()
    )
    if material is None:
        raise NotFound(_("没有找到该材料"))
    policies.require_read_material(actor, filing, material)
    return material


def materials_for(
    actor: Actor, filing: Filing, *, generated: bool | None = None
) -> list[FilingMaterial]:
    """The filing's materials the actor may read, oldest first (for lists that link to them:
    the case page, the filing's page)."""
    reach = policies.material_reach(actor, filing)
    if reach is None:
        return []
    qs = filing.materials.filter(removed=False).order_by("created_at", "pk")
    if generated is not None:
        qs = qs.filter(generated=generated)
    return [m for m in qs if policies.may_read_material(actor, filing, m, reach=reach)]


# --- what submission needs ----------------------------------------------------------------


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
    """The content as submitted, in a canonical form whose SHA-256 goes into the ledger
    (``rules.content_digest``)."""
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

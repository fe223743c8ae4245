"""Reads of filings, scoped to the actor (ARCHITECTURE §4.4): the applicant sees their own,
a court's filing officers see what was submitted to their court (never drafts), a receiving
court sees the cross-region filings handed in at its centre. Anything else is "not found"."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from microcourt.core.actor import Actor
from microcourt.core.errors import NotFound
from microcourt.courts import selectors as court_selectors
from microcourt.courts.models import Court
from microcourt.payments import fees

from . import rules
from .models import CauseOfAction, Filing, FilingStatus

APPLICANT = "applicant"
RECEIVING = "receiving_officer"
OFFICER_ROLES = ("filing_officer", "court_admin")
RECEIVING_ROLES = ("filing_officer", "court_admin", "shared_court_staff")
S = FilingStatus


def filings_for(actor: Actor) -> QuerySet[Filing]:
    qs = Filing.objects.select_related("court", "receiving_court", "cause", "case")
    if actor.is_system:
        return qs
    visible = Q(applicant_id=actor.user_id)
    if actor.user is not None and getattr(actor.user, "is_court_staff", False):
        visible |= Q(court_id__in=court_selectors.docket_court_ids(actor.user_id)) & ~Q(
            status__in=(S.DRAFT, S.AWAITING_FORWARD)
        )
        visible |= Q(
            receiving_court_id__in=court_selectors.court_ids_for_roles(
                actor.user_id, RECEIVING_ROLES
            )
        ) & ~Q(status=S.DRAFT)
    return qs.filter(visible)


def filing_for(actor: Actor, number: str) -> Filing:
    filing = filings_for(actor).filter(number=number).first()
    if filing is None:
        raise NotFound(_("没有找到该立案申请"))
    return filing


def drafts_of(user) -> QuerySet[Filing]:
    return (
        Filing.objects.filter(applicant=user)
        .exclude(status=S.ACCEPTED)
        .select_related("court", "cause")
        .order_by("-updated_at", "-pk")
    )


def roles_of(actor: Actor, filing: Filing) -> set[str]:
    if actor.is_system:
        return {actor.role}
    roles: set[str] = set()
    if actor.user_id is not None and actor.user_id == filing.applicant_id:
        roles.add(APPLICANT)
    if (
        actor.role in OFFICER_ROLES
        and filing.court_id
        and court_selectors.holds_role(actor.user_id, court_id=filing.court_id, role=actor.role)
    ):
        roles.add(actor.role)
    if (
        actor.role in RECEIVING_ROLES
        and filing.receiving_court_id
        and court_selectors.holds_role(
            actor.user_id, court_id=filing.receiving_court_id, role=actor.role
        )
    ):
        roles.add(RECEIVING)
    return roles


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


def review_queue(actor: Actor, court: Court, *, now: dt.datetime | None = None) -> list[QueueItem]:
    """The filing officer's desk: pending filings at ``court`` ordered by the legal clock,
    the most urgent first. Corrections awaited from applicants come after, by their due day."""
    if not court_selectors.holds_role(actor.user_id, court_id=court.pk, role=actor.role) or (
        actor.role not in OFFICER_ROLES
    ):
        raise NotFound(_("没有找到该法院的立案审查任务"))
    now = now or timezone.now()
    calendar = court_selectors.court_calendar(court)
    filings = (
        Filing.objects.filter(court=court, status__in=(S.SUBMITTED, S.CORRECTION_REQUESTED))
        .select_related("cause", "applicant", "receiving_court")
        .prefetch_related("parties")
        .order_by("status", "review_due_at", "pk")
    )
    items = []
    for filing in filings:
        if filing.status == S.CORRECTION_REQUESTED or filing.review_due_at is None:
            items.append(QueueItem(filing, 0, False, False))
            continue
        left = rules.working_days_left(filing.review_due_at, calendar, now)
        overdue = now > filing.review_due_at
        items.append(QueueItem(filing, left, not overdue and left <= AT_RISK_DAYS, overdue))
    pending = [i for i in items if i.filing.status == S.SUBMITTED]
    waiting = [i for i in items if i.filing.status != S.SUBMITTED]
    return pending + waiting


def forward_queue(actor: Actor, court: Court) -> QuerySet[Filing]:
    """Cross-region filings handed in at ``court`` for another court, to check and forward."""
    if actor.role not in RECEIVING_ROLES or not court_selectors.holds_role(
        actor.user_id, court_id=court.pk, role=actor.role
    ):
        raise NotFound(_("没有找到该法院的跨域立案任务"))
    return (
        Filing.objects.filter(receiving_court=court, status=S.AWAITING_FORWARD)
        .select_related("court", "applicant", "cause")
        .order_by("submitted_at", "pk")
    )


def officer_courts(user) -> list[Court]:
    """The courts where the user decides filings or receives cross-region ones."""
    ids = court_selectors.court_ids_for_roles(user.pk, RECEIVING_ROLES)
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
    from .models import PartySide

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
    from .models import FilingMaterial, MaterialKind

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
            "court_only": False,
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
    from .models import CaseInvitation, FilingParty

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

"""The court's side of a filing: forwarding (跨域立案), the one-time correction notice,
acceptance with its 案号, fee notice and notices, the ruling not to accept, and transfer
to the competent court (民诉法第一百二十六条; 登记立案规定第七条、第八条; 在线诉讼规则第九条)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from microcourt.cases import actions as case_actions
from microcourt.cases import selectors as case_selectors
from microcourt.core.actor import Actor
from microcourt.core.calendar import SHANGHAI
from microcourt.core.errors import Conflict, InvalidInput, NotFound
from microcourt.core.money import display, in_words
from microcourt.courts import selectors as court_selectors
from microcourt.identity import parties as identity_parties
from microcourt.identity import selectors as identity_selectors
from microcourt.ledger import actions as ledger
from microcourt.payments import actions as payment_actions

from . import documents, rules, selectors
from .events import LedgerEvent
from .models import (
    DecisionKind,
    FilerCapacity,
    Filing,
    FilingDecision,
    FilingStatus,
    PartyKind,
    PartySide,
)
from .states import FILING
from .submission import notify_applicant, start_clock

S = FilingStatus
MAX_ITEMS = 30
# 登记立案规定第七条 leaves the correction period to the court; 15 days is the common default.
DEFAULT_CORRECTION_DAYS = 15
MAX_CORRECTION_DAYS = 60


def _locked(filing: Filing, actor: Actor) -> Filing:
    """The filing, locked, if the actor may see it at all (else "not found")."""
    if not selectors.filings_for(actor).filter(pk=filing.pk).exists():
        raise NotFound(_("没有找到该立案申请"))
    return (
        Filing.objects.select_for_update(of=("self",))
        .select_related("court", "cause")
        .get(pk=filing.pk)
    )


def _reasons(text: Any, *, required: bool, field: str = "reasons") -> str:
    value = str(text or "").strip()
    if required and not value:
        raise InvalidInput(_("请写明理由"), fields={field: _("请写明理由")})
    if len(value) > 5000:
        raise InvalidInput(_("理由过长"), fields={field: _("不能超过5000字")})
    return value


@transaction.atomic
def filing_forward(*, filing: Filing, actor: Actor, note: str = "") -> Filing:
    """跨域立案: the receiving court has checked the applicant's identity and materials and
    hands the filing to the competent court, whose clock starts now."""
    filing = _locked(filing, actor)
    now = timezone.now()
    FILING.apply(
        filing, "forward", actor=actor, note=note[:500], updates=start_clock(filing, at=now)
    )
    FilingDecision.objects.create(
        filing=filing,
        kind=DecisionKind.FORWARDED,
        actor=actor.user,
        court=filing.receiving_court,
        target_court=filing.court,
        reasons=_reasons(note, required=False),
    )
    notify_applicant(
        filing,
        event="forwarded",
        title=_("立案申请已转交受诉法院"),
        body=_("%(r)s已将您的立案申请 %(n)s 转交%(c)s，该院将于 %(due)s 前作出是否立案的决定。")
        % {
            "r": filing.receiving_court.name,
            "n": filing.number,
            "c": filing.court.name,
            "due": timezone.localtime(filing.review_due_at, SHANGHAI).date().isoformat(),
        },
        key="forwarded",
    )
    return filing


@transaction.atomic
def filing_request_correction(
    *, filing: Filing, actor: Actor, items: list[str], deadline: dt.date | None = None
) -> Filing:
    """The one-time correction notice: every item at once, with a deadline
    (登记立案规定第七条; 在线诉讼规则第九条). A second notice is refused."""
    filing = _locked(filing, actor)
    cleaned = [str(i).strip() for i in (items or []) if str(i).strip()]
    if not cleaned:
        raise InvalidInput(_("请列明需要补正的事项"), fields={"items": _("至少一项")})
    if len(cleaned) > MAX_ITEMS or any(len(i) > 500 for i in cleaned):
        raise InvalidInput(_("补正事项过多或过长"), fields={"items": _("最多30项，每项500字以内")})
    if filing.decisions.filter(kind=DecisionKind.CORRECTION).exists():
        raise Conflict(
            _("补正通知应当一次性告知，本案已发出过补正通知，不能再次要求补正。"),
            code="correction_already_requested",
        )
    today = timezone.localdate()
    if deadline is None:
        calendar = court_selectors.court_calendar(filing.court)
        deadline = calendar.next_working_day(today + dt.timedelta(days=DEFAULT_CORRECTION_DAYS))
    if deadline <= today or deadline > today + dt.timedelta(days=MAX_CORRECTION_DAYS):
        raise InvalidInput(
            _("补正期限不正确"),
            fields={"deadline": _("补正期限应在今天之后的60日以内")},
        )
    FILING.apply(
        filing,
        "request_correction",
        actor=actor,
        note="；".join(cleaned)[:500],
        updates={"correction_due": deadline, "review_due_at": None},
    )
    decision = FilingDecision.objects.create(
        filing=filing,
        kind=DecisionKind.CORRECTION,
        actor=actor.user,
        court=filing.court,
        items=cleaned,
        deadline=deadline,
    )
    documents.issue_later(decision, "correction")
    notify_applicant(
        filing,
        event="correction",
        title=_("请补正立案材料"),
        body=_("您的立案申请 %(n)s 需要补正 %(k)s 项内容，请于 %(d)s 前一次性补正。")
        % {"n": filing.number, "k": len(cleaned), "d": deadline.isoformat()},
        key=str(decision.pk),
    )
    return filing


@transaction.atomic
def filing_reject(*, filing: Filing, actor: Actor, reasons: str) -> Filing:
    """不予受理: a written ruling with reasons, appealable within 10 days
    (民诉法第一百二十六条、第一百七十一条)."""
    filing = _locked(filing, actor)
    text = _reasons(reasons, required=True)
    FILING.apply(
        filing, "reject", actor=actor, note=text[:500], updates={"decided_at": timezone.now()}
    )
    decision = FilingDecision.objects.create(
        filing=filing,
        kind=DecisionKind.REJECTED,
        actor=actor.user,
        court=filing.court,
        reasons=text,
    )
    documents.issue_later(decision, "ruling")
    notify_applicant(
        filing,
        event="rejected",
        title=_("立案申请不予受理"),
        body=_("%(c)s裁定对您的起诉（%(n)s）不予受理。可在裁定书送达之日起十日内上诉。")
        % {"c": filing.court.name, "n": filing.number},
        key="rejected",
    )
    return filing


@transaction.atomic
def filing_transfer(
    *, filing: Filing, actor: Actor, target_court_code: str, reasons: str
) -> Filing:
    """移送: the filing goes to the competent court's queue and its clock starts there anew."""
    filing = _locked(filing, actor)
    text = _reasons(reasons, required=True)
    try:
        target = court_selectors.court(str(target_court_code or "").strip())
    except NotFound:
        raise InvalidInput(
            _("没有找到该法院"), fields={"target_court": _("请选择有管辖权的法院")}
        ) from None
    if target.pk == filing.court_id:
        raise InvalidInput(_("不能移送本院"), fields={"target_court": _("请选择其他法院")})
    source = filing.court
    clock = rules.review_clock(filing.kind, timezone.now(), court_selectors.court_calendar(target))
    # The officer's authority is checked against the court that has the filing now.
    FILING.apply(
        filing,
        "transfer",
        actor=actor,
        note=text[:500],
        updates={
            "court": target,
            "clock_started_at": clock.started_at,
            "review_due_at": clock.due_at,
            "review_basis": clock.basis,
            "review_provisional": clock.provisional,
        },
    )
    decision = FilingDecision.objects.create(
        filing=filing,
        kind=DecisionKind.TRANSFERRED,
        actor=actor.user,
        court=source,
        target_court=target,
        reasons=text,
    )
    documents.issue_later(decision, "transfer")
    notify_applicant(
        filing,
        event="transferred",
        title=_("立案申请已移送"),
        body=_("您的立案申请 %(n)s 已由%(s)s移送%(t)s审查。")
        % {"n": filing.number, "s": source.name, "t": target.name},
        key=str(decision.pk),
    )
    return filing


# --- acceptance ---------------------------------------------------------------------------


def _title(filing: Filing, parties) -> str:
    claimants = "、".join(p.name for p in parties if p.side == PartySide.CLAIMANT)
    respondents = "、".join(p.name for p in parties if p.side == PartySide.RESPONDENT)
    subject = filing.cause.name if filing.cause_id else filing.get_kind_display()
    joined = f"{claimants}诉{respondents}" if respondents else claimants
    return f"{joined}{subject}"[:200]


def _participants(filing: Filing, case, parties, actor: Actor) -> dict[int, Any]:
    """Every party with its case role, and the applicant in the capacity they filed in."""
    rule = rules.rule_for(filing.kind)
    created = {}
    applicant = filing.applicant
    # The claimant's own account: the applicant filing for themself, or the principal of the
    # authorisation an agent filed under, when the verified identity is the party named.
    own = applicant if filing.capacity == FilerCapacity.SELF else None
    if filing.capacity == FilerCapacity.AGENT and filing.authorisation_id:
        own = filing.authorisation.principal
    organisation = filing.organisation
    if filing.authorisation_id and filing.authorisation.principal_organisation_id:
        organisation = filing.authorisation.principal_organisation
    for party in parties:
        user = party.user
        if (
            user is None
            and own is not None
            and party.side == PartySide.CLAIMANT
            and party.kind == PartyKind.NATURAL
            and identity_selectors.identity_matches(own, name=party.name, id_number=party.id_number)
        ):
            user = own
        participant = case_actions.participant_add(
            case=case,
            actor=actor,
            role=rule.sides[party.side],
            display_name=party.name,
            user=user,
            organisation=organisation
            if (
                party.side == PartySide.CLAIMANT
                and party.kind != PartyKind.NATURAL
                and organisation is not None
                and organisation.uscc == party.uscc
            )
            else None,
        )
        created[party.pk] = participant
    claimants = [created[p.pk] for p in parties if p.side == PartySide.CLAIMANT]
    if filing.capacity in (FilerCapacity.AGENT, FilerCapacity.LEGAL_REPRESENTATIVE):
        role = "agent" if filing.capacity == FilerCapacity.AGENT else "legal_representative"
        for claimant in claimants:
            if (
                filing.capacity == FilerCapacity.LEGAL_REPRESENTATIVE
                and claimant.organisation_id is None
            ):
                continue
            case_actions.participant_add(
                case=case,
                actor=actor,
                role=role,
                display_name=applicant.display_name or applicant.username,
                user=applicant,
                represents=claimant,
            )
    # 在线诉讼规则第四条: filing online is consent to filing online; the other stages are
    # what the applicant stated in the wizard, each on its own.
    for claimant in claimants:
        case_actions.consent_record(
            participant=claimant, stage="filing", online=True, actor=actor, source="filed_online"
        )
        for stage, online in sorted(filing.consent.items()):
            case_actions.consent_record(
                participant=claimant, stage=stage, online=online, actor=actor, source="platform"
            )
    return created


@transaction.atomic
def filing_accept(*, filing: Filing, actor: Actor, note: str = "") -> Filing:
    """登记立案: the case is created with its participants, case roles and 案号 (案号规定第三条、
    第九条、第十条), the fee order is issued (due in 7 days), the acceptance and evidence
    notices are issued, and the other side is told to link to the case within 3 days
    (在线诉讼规则第九条、第十条)."""
    from . import invitations

    filing = _locked(filing, actor)
    parties = list(filing.parties.all())
    claims = list(filing.claims.all())
    amounts = [c.amount for c in claims if c.amount is not None]
    total = sum(amounts, start=Decimal("0.00")) if amounts else None
    now = timezone.now()
    FILING.apply(filing, "accept", actor=actor, note=note[:500], updates={"decided_at": now})
    case = case_actions.case_open(
        court=filing.court,
        case_type=case_selectors.case_type(rules.rule_for(filing.kind).type_code),
        title=_title(filing, parties),
        cause=filing.cause.name if filing.cause_id else str(filing.get_kind_display()),
        actor=actor,
        filed_at=filing.submitted_at or now,
        amount_claimed=total,
        filed_by=filing.applicant,
    )
    case_actions.case_accept(case=case, actor=actor, note=note[:500])
    Filing.objects.filter(pk=filing.pk).update(case=case)
    filing.case = case
    if filing.authorisation_id is not None:
        identity_parties.authorisation_attach_case(
            authorisation=filing.authorisation, case_id=case.pk
        )
    created = _participants(filing, case, parties, actor)
    decision = FilingDecision.objects.create(
        filing=filing,
        kind=DecisionKind.ACCEPTED,
        actor=actor.user,
        court=filing.court,
        reasons=note[:2000],
    )
    fee = selectors.fee_quote(filing, total)
    if fee is not None:
        kind, quote = fee
        payment_actions.order_create(
            payer=filing.applicant,
            kind=kind,
            amount=quote.amount,
            description=f"{case.number} {_title(filing, parties)}"[:200],
            actor=actor,
            case_id=case.pk,
            court=filing.court,
            breakdown=[{"label": str(x.label), "amount": str(x.amount)} for x in quote.breakdown],
            basis=[str(b) for b in quote.basis],
        )
    documents.issue_later(decision, "acceptance", "evidence")
    notify_applicant(
        filing,
        event="accepted",
        title=_("已立案"),
        body=_("%(c)s已受理您的起诉，案号 %(no)s。%(fee)s")
        % {
            "c": filing.court.name,
            "no": case.number,
            "fee": (
                _("请于7日内预交诉讼费 %(a)s（%(w)s）。")
                % {"a": display(fee[1].amount), "w": in_words(fee[1].amount)}
                if fee is not None and fee[1].amount > 0
                else ""
            ),
        },
        key="accepted",
    )
    for party in parties:
        if party.side != PartySide.CLAIMANT:
            invitations.invitation_send(
                case=case, participant=created[party.pk], party=party, actor=actor
            )
    return filing


def cases_deem_withdrawn(*, today: dt.date | None = None) -> list[int]:
    """按撤诉处理: an accepted case whose acceptance fee is overdue, with no relief application
    pending, is deemed withdrawn; the order is closed and the applicant told why
    (《诉讼费用交纳办法》第二十二条; 民诉解释第二百一十三条). Safe to run again."""
    from microcourt.payments import selectors as payment_selectors

    today = today or timezone.localdate()
    done = []
    for order in payment_selectors.overdue_case_fees(today):
        with transaction.atomic():
            system = Actor.system(reason="fee_unpaid")
            case = (
                case_selectors.cases_for(system)
                .select_for_update()
                .filter(pk=order.case_id, status__in=("accepted", "in_trial"))
                .first()
            )
            if case is None:
                continue
            note = f"fee order {order.number} unpaid after {order.due_date.isoformat()}"
            case_actions.case_withdraw(case=case, actor=system, note=note)
            payment_actions.order_close(order=order, actor=system, note="case deemed withdrawn")
            ledger.record(
                code=LedgerEvent.DEEMED_WITHDRAWN,
                actor=system,
                case_id=case.pk,
                data={"order": order.number, "due_date": order.due_date.isoformat()},
            )
            filing = Filing.objects.filter(case=case).first()
            if filing is not None:
                notify_applicant(
                    filing,
                    event="deemed_withdrawn",
                    title=_("案件按撤诉处理"),
                    body=_(
                        "%(no)s：您未在 %(due)s 前预交案件受理费，也未申请缓交、减交或免交，"
                        "本案按撤诉处理（《诉讼费用交纳办法》第二十二条）。"
                    )
                    % {"no": case.number, "due": order.due_date.isoformat()},
                    key="deemed_withdrawn",
                )
            done.append(case.pk)
    return done

"""Acceptance (登记立案): the case is opened with its participants, case roles and 案号, the
fee order and the notices are issued, and the other side is invited to link to the case
(民诉法第一百二十六条; 案号规定第三条、第九条、第十条; 在线诉讼规则第九条、第十条). And its
undoing when the fee goes unpaid (《诉讼费用交纳办法》第二十二条)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from microcourt.cases import actions as case_actions
from microcourt.cases import selectors as case_selectors
from microcourt.core.actor import Actor
from microcourt.identity import parties as identity_parties
from microcourt.identity import selectors as identity_selectors
from microcourt.ledger import actions as ledger
from microcourt.payments import actions as payment_actions

from .. import rules, selectors
from ..events import LedgerEvent
from ..models import DecisionKind, FilerCapacity, Filing, FilingDecision, PartyKind, PartySide
from ..states import FILING
from . import documents
from ._common import notify_applicant
from .decisions import decided_by
from .invitations import invitation_send


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
    第九条、第十条) and assigned to a judge (分案, ``cases.actions.case_assign``), the fee
    order is issued (due in 7 days), the acceptance and evidence
    notices are issued, and the other side is told to link to the case within 3 days
    (在线诉讼规则第九条、第十条)."""
    filing, actor = decided_by(filing, actor, "accept")
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
    # 分案: once its parties are known (none of them may sit on it), the case goes to a judge
    # of its division by the division's rule, or waits in the division head's queue.
    case_actions.case_assign(case=case, actor=actor)
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
    # The fee itself is notified with its order (payments.order_created: amount, due day).
    notify_applicant(filing, event="accepted", key="accepted", c=filing.court.name, no=case.number)
    for party in parties:
        if party.side != PartySide.CLAIMANT:
            invitation_send(case=case, participant=created[party.pk], party=party, actor=actor)
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
                    key="deemed_withdrawn",
                    no=case.number,
                    due=order.due_date.isoformat(),
                )
            done.append(case.pk)
    return done

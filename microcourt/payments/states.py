"""The payments app's declared states (ARCHITECTURE §4.3): fee orders, refunds, relief
applications, payout batches and payouts. Every change of a ``status`` goes through
``<MACHINE>.apply`` (a conditional UPDATE: of two deciders or two workers one wins) and is
written to the ledger by the machine's hook, in the same transaction.

Who holds which role on an object is decided in ``policies``; the system moves what only
the system sees happen (a provider's answer, a bank transfer, a worker's claim).
"""

from __future__ import annotations

from typing import Any

from microcourt.core.actor import SYSTEM, Actor
from microcourt.core.transitions import StateMachine, Transition
from microcourt.ledger import actions as ledger

from . import policies
from .events import LedgerEvent
from .models import (
    DuplicatePayment,
    DuplicateStatus,
    OrderStatus,
    PaymentOrder,
    Payout,
    PayoutBatch,
    PayoutBatchStatus,
    PayoutStatus,
    Refund,
    RefundStatus,
    ReliefApplication,
    ReliefStatus,
)

ONLY_SYSTEM = frozenset({SYSTEM})


def _system_only(actor: Actor, _obj: Any) -> set[str]:
    return {SYSTEM} if actor.is_system else set()


# --------------------------------------------------------------------------- fee orders

S = OrderStatus

ORDER = StateMachine(
    model=PaymentOrder,
    field="status",
    states=S,
    initial=S.PENDING,
    transitions=[
        # Settled by a verified provider callback or by reconciliation (第二十条).
        Transition(
            "pay",
            (S.PENDING, S.FAILED, S.CLOSED),
            S.PAID,
            ONLY_SYSTEM,
            event=LedgerEvent.ORDER_PAID,
        ),
        Transition("fail", (S.PENDING,), S.FAILED, ONLY_SYSTEM, event=LedgerEvent.ORDER_FAILED),
        Transition(
            "retry",
            (S.FAILED,),
            S.PENDING,
            frozenset({policies.PAYER, SYSTEM}),
            event=LedgerEvent.ORDER_RETRY,
        ),
        # An approved exemption (第四十五条) or a case deemed withdrawn (第二十二条).
        Transition(
            "close",
            (S.PENDING, S.FAILED),
            S.CLOSED,
            policies.ORDER_CLOSE_ROLES,
            event=LedgerEvent.ORDER_CLOSED,
        ),
    ],
    roles_of=lambda actor, order: set(policies.order_roles(actor, order)),
    on_applied=ledger.transition_recorder(case_id_of=lambda order: order.case_id),
)


# --------------------------------------------------------------------------- refunds

R = RefundStatus

REFUND = StateMachine(
    model=Refund,
    field="status",
    states=R,
    initial=R.PENDING,
    transitions=[
        # The task sends it to the order's provider; a refund is decided there.
        Transition("send", (R.PENDING,), R.PROCESSING, ONLY_SYSTEM, event=LedgerEvent.REFUND_SENT),
        Transition(
            "succeed",
            (R.PROCESSING,),
            R.SUCCEEDED,
            ONLY_SYSTEM,
            event=LedgerEvent.REFUND_SUCCEEDED,
        ),
        Transition("fail", (R.PROCESSING,), R.FAILED, ONLY_SYSTEM, event=LedgerEvent.REFUND_FAILED),
    ],
    roles_of=_system_only,
    on_applied=ledger.transition_recorder(
        case_id_of=lambda refund: refund.order.case_id,
        details_of=lambda refund: {
            "order": refund.order.number,
            "refund": refund.refund_no,
            "amount": str(refund.amount),
            "provider_refund_no": refund.provider_refund_no,
        },
    ),
)


# --------------------------------------------------------------------------- duplicates

D = DuplicateStatus

DUPLICATE = StateMachine(
    model=DuplicatePayment,
    field="status",
    states=D,
    initial=D.REFUNDING,
    transitions=[
        # Its refund succeeded at the provider that took the second payment.
        Transition(
            "refunded",
            (D.REFUNDING,),
            D.REFUNDED,
            ONLY_SYSTEM,
            event=LedgerEvent.DUPLICATE_REFUNDED,
        ),
        # The provider refused it (or is no longer configured): queued for finance staff.
        Transition(
            "handover", (D.REFUNDING,), D.MANUAL, ONLY_SYSTEM, event=LedgerEvent.DUPLICATE_MANUAL
        ),
        # Finance staff returned the money by hand and record it.
        Transition(
            "settle",
            (D.MANUAL,),
            D.REFUNDED,
            policies.REFUND_ROLES,
            event=LedgerEvent.DUPLICATE_REFUNDED,
        ),
    ],
    roles_of=lambda actor, duplicate: set(policies.duplicate_roles(actor, duplicate)),
    on_applied=ledger.transition_recorder(
        case_id_of=lambda duplicate: duplicate.order.case_id,
        details_of=lambda duplicate: {
            "order": duplicate.order.number,
            "provider": duplicate.provider,
            "trade": duplicate.provider_trade_no,
            "amount": str(duplicate.amount),
            "note": duplicate.note,
        },
    ),
)


# --------------------------------------------------------------------------- relief


def _relief_details(application: ReliefApplication) -> dict:
    details: dict = {"order": application.order.number, "application": application.pk}
    details["approve"] = application.status == ReliefStatus.APPROVED
    if application.new_due_date is not None:
        details["new_due_date"] = application.new_due_date.isoformat()
    if application.approved_amount is not None:
        details.update(
            amount=str(application.original_amount),
            approved_amount=str(application.approved_amount),
        )
    return details


F = ReliefStatus

RELIEF = StateMachine(
    model=ReliefApplication,
    field="status",
    states=F,
    initial=F.PENDING,
    transitions=[
        # 《诉讼费用交纳办法》第四十四条至第四十九条: the court grants deferral, reduction or
        # exemption; 第四十八条: a refusal is explained in writing.
        Transition(
            "approve",
            (F.PENDING,),
            F.APPROVED,
            policies.RELIEF_ROLES,
            event=LedgerEvent.RELIEF_DECIDED,
        ),
        Transition(
            "reject",
            (F.PENDING,),
            F.REJECTED,
            policies.RELIEF_ROLES,
            event=LedgerEvent.RELIEF_DECIDED,
        ),
    ],
    roles_of=lambda actor, application: set(policies.relief_roles(actor, application)),
    on_applied=ledger.transition_recorder(
        case_id_of=lambda a: a.order.case_id, details_of=_relief_details
    ),
)


# --------------------------------------------------------------------------- payouts

B = PayoutBatchStatus

PAYOUT_BATCH = StateMachine(
    model=PayoutBatch,
    field="status",
    states=B,
    initial=B.OPEN,
    transitions=[
        Transition(
            "start", (B.OPEN,), B.RUNNING, ONLY_SYSTEM, event=LedgerEvent.PAYOUT_BATCH_STARTED
        ),
        # Every payout of the batch is sent or failed.
        Transition(
            "finish", (B.RUNNING,), B.DONE, ONLY_SYSTEM, event=LedgerEvent.PAYOUT_BATCH_DONE
        ),
    ],
    roles_of=_system_only,
    on_applied=ledger.transition_recorder(),
)

P = PayoutStatus

PAYOUT = StateMachine(
    model=Payout,
    field="status",
    states=P,
    initial=P.PENDING,
    transitions=[
        # A worker claims the payout before it calls the bank; a claim older than
        # ``actions.payouts.STALE_CLAIM`` belongs to a dead worker and is claimed again
        # (sending → sending), the bank's idempotency key keeping the money paid once.
        Transition(
            "claim",
            (P.PENDING, P.SENDING),
            P.SENDING,
            ONLY_SYSTEM,
            event=LedgerEvent.PAYOUT_CLAIMED,
        ),
        Transition("sent", (P.SENDING,), P.SENT, ONLY_SYSTEM, event=LedgerEvent.PAYOUT_SENT),
        Transition("fail", (P.SENDING,), P.FAILED, ONLY_SYSTEM, event=LedgerEvent.PAYOUT_FAILED),
    ],
    roles_of=_system_only,
    on_applied=ledger.transition_recorder(
        case_id_of=lambda payout: payout.case_id,
        details_of=lambda payout: {
            "payout": payout.pk,
            "batch": payout.batch_id,
            "amount": str(payout.amount),
            "reference": payout.provider_ref,
            "account": payout.payee.masked_number,
            "attempt": payout.attempts,
            "reason": payout.failure,
        },
    ),
)

MACHINES = (ORDER, REFUND, DUPLICATE, RELIEF, PAYOUT_BATCH, PAYOUT)

"""The payment order's declared states (ARCHITECTURE §4.3)."""

from __future__ import annotations

from microcourt.core.actor import SYSTEM
from microcourt.core.transitions import StateMachine, Transition
from microcourt.ledger import actions as ledger

from .events import LedgerEvent
from .models import OrderStatus, PaymentOrder

S = OrderStatus
STAFF = frozenset({"clerk", "filing_officer", "judge", "court_admin"})


def roles_of(actor, order) -> set[str]:
    roles = {actor.role}
    if actor.user_id is not None and actor.user_id == order.payer_id:
        roles.add("payer")
    return roles


ORDER = StateMachine(
    model=PaymentOrder,
    field="status",
    states=S,
    initial=S.PENDING,
    transitions=[
        # Settled by a verified provider callback or by reconciliation.
        Transition(
            "pay",
            (S.PENDING, S.FAILED, S.CLOSED),
            S.PAID,
            frozenset({SYSTEM}),
            event=LedgerEvent.ORDER_PAID,
        ),
        Transition(
            "fail", (S.PENDING,), S.FAILED, frozenset({SYSTEM}), event=LedgerEvent.ORDER_FAILED
        ),
        Transition(
            "retry",
            (S.FAILED,),
            S.PENDING,
            frozenset({"payer", SYSTEM}),
            event=LedgerEvent.ORDER_RETRY,
        ),
        Transition(
            "close",
            (S.PENDING, S.FAILED),
            S.CLOSED,
            STAFF | {SYSTEM},
            event=LedgerEvent.ORDER_CLOSED,
        ),
    ],
    roles_of=roles_of,
    on_applied=ledger.transition_recorder(case_id_of=lambda order: order.case_id),
)

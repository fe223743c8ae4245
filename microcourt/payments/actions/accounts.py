"""The court account of a case (案件款项): every movement of money for the case, appended in
the order it happened (issue 5 item 4). What the court holds is read by
``selectors.case_account``.

Lines are written by the actions that move money, inside their own transactions: a charge
when a fee order is created, a payment when it is settled, relief when a reduction or
exemption is approved, a refund or a payout when the provider or bank confirmed it. The
ledger entry is the moving action's own; a line is part of that action, not an act.
"""

from __future__ import annotations

from decimal import Decimal

from microcourt.core.money import fen

from ..models import AccountMovement, MovementKind, PaymentOrder

# The sign of each kind's amount: what was owed or received is positive.
SIGNS = {
    MovementKind.CHARGE: 1,
    MovementKind.PAYMENT: 1,
    MovementKind.RELIEF: -1,
    MovementKind.REFUND: -1,
    MovementKind.PAYOUT: -1,
    MovementKind.OVERPAYMENT: 1,
}


def movement_record(
    *,
    kind: str,
    amount: Decimal,
    case_id: int | None = None,
    order: PaymentOrder | None = None,
    note: str = "",
) -> AccountMovement:
    """Append one line; ``amount`` is given positive and signed here by its kind. Call it
    inside the action's transaction so the line commits with the money event."""
    if kind not in MovementKind.values:
        raise ValueError(f"unknown movement kind {kind!r}")
    value = fen(amount)
    if value <= 0:
        raise ValueError("a movement's amount is given as a positive Decimal")
    if case_id is None and order is not None:
        case_id = order.case_id
    return AccountMovement.objects.create(
        case_id=case_id,
        order=order,
        kind=kind,
        amount=value * SIGNS[MovementKind(kind)],
        note=note[:200],
    )

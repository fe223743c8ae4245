"""The case's declared states (ARCHITECTURE §4.3)."""

from __future__ import annotations

from microcourt.core.actor import SYSTEM
from microcourt.core.transitions import StateMachine, Transition
from microcourt.ledger import actions as ledger

from . import selectors
from .events import LedgerEvent
from .models import Case, CaseStatus

S = CaseStatus
FILING_OFFICER, JUDGE, CLERK, COURT_ADMIN = "filing_officer", "judge", "clerk", "court_admin"

CASE = StateMachine(
    model=Case,
    field="status",
    states=S,
    initial=S.FILED,
    transitions=[
        # 民诉法第一百二十六条: the court accepts (立案) a case that meets the conditions.
        Transition(
            "accept",
            (S.FILED,),
            S.ACCEPTED,
            frozenset({FILING_OFFICER, JUDGE, COURT_ADMIN}),
            event=LedgerEvent.CASE_ACCEPTED,
        ),
        Transition(
            "start_trial",
            (S.ACCEPTED,),
            S.IN_TRIAL,
            frozenset({JUDGE, CLERK, COURT_ADMIN}),
            event=LedgerEvent.CASE_TRIAL_STARTED,
        ),
        # A case may end before trial (e.g. mediated), hence from accepted too.
        Transition(
            "close",
            (S.ACCEPTED, S.IN_TRIAL),
            S.CLOSED,
            frozenset({JUDGE, COURT_ADMIN}),
            event=LedgerEvent.CASE_CLOSED,
        ),
        # Withdrawal is ruled by the court, or deemed by the system (按撤诉处理, unpaid fees).
        Transition(
            "withdraw",
            (S.FILED, S.ACCEPTED, S.IN_TRIAL),
            S.WITHDRAWN,
            frozenset({FILING_OFFICER, JUDGE, COURT_ADMIN, SYSTEM}),
            event=LedgerEvent.CASE_WITHDRAWN,
        ),
    ],
    roles_of=selectors.roles_of,
    on_applied=ledger.transition_recorder(case_id_of=lambda case: case.pk),
)

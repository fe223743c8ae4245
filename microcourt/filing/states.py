"""The filing application's declared states (ARCHITECTURE §4.3)."""

from __future__ import annotations

from microcourt.core.transitions import StateMachine, Transition
from microcourt.ledger import actions as ledger

from . import selectors
from .events import LedgerEvent
from .models import Filing, FilingStatus

S = FilingStatus
APPLICANT = selectors.APPLICANT  # the account that files (or its agent)
OFFICER = frozenset({"filing_officer", "court_admin"})  # at the filing's court
RECEIVING = selectors.RECEIVING  # a filing officer or shared-court staff at the receiving court
PENDING = (S.SUBMITTED, S.CORRECTION_REQUESTED, S.AWAITING_FORWARD)

FILING = StateMachine(
    model=Filing,
    field="status",
    states=S,
    initial=S.DRAFT,
    transitions=[
        # 登记立案规定第二条: the court receives every complaint and gives a dated receipt.
        Transition(
            "submit", (S.DRAFT,), S.SUBMITTED, frozenset({APPLICANT}), event=LedgerEvent.SUBMITTED
        ),
        # 跨域立案: handed in at another court's service centre (or a shared court).
        Transition(
            "submit_cross_region",
            (S.DRAFT,),
            S.AWAITING_FORWARD,
            frozenset({APPLICANT}),
            event=LedgerEvent.SUBMITTED,
        ),
        Transition(
            "forward",
            (S.AWAITING_FORWARD,),
            S.SUBMITTED,
            frozenset({RECEIVING}),
            event=LedgerEvent.FORWARDED,
        ),
        # 登记立案规定第七条; 在线诉讼规则第九条: one notice listing every correction.
        Transition(
            "request_correction",
            (S.SUBMITTED, S.AWAITING_FORWARD),
            S.CORRECTION_REQUESTED,
            OFFICER | {RECEIVING},
            event=LedgerEvent.CORRECTION_REQUESTED,
        ),
        Transition(
            "resubmit",
            (S.CORRECTION_REQUESTED,),
            S.SUBMITTED,
            frozenset({APPLICANT}),
            event=LedgerEvent.CORRECTED,
        ),
        Transition(
            "resubmit_cross_region",
            (S.CORRECTION_REQUESTED,),
            S.AWAITING_FORWARD,
            frozenset({APPLICANT}),
            event=LedgerEvent.CORRECTED,
        ),
        # 民诉法第一百二十六条: file and notify, or rule inadmissible, within the period.
        Transition("accept", (S.SUBMITTED,), S.ACCEPTED, OFFICER, event=LedgerEvent.ACCEPTED),
        Transition(
            "reject",
            (S.SUBMITTED, S.CORRECTION_REQUESTED),
            S.REJECTED,
            OFFICER,
            event=LedgerEvent.REJECTED,
        ),
        # The filing moves to the competent court's queue; its clock starts there anew.
        Transition("transfer", (S.SUBMITTED,), S.SUBMITTED, OFFICER, event=LedgerEvent.TRANSFERRED),
        Transition(
            "withdraw",
            (S.DRAFT, *PENDING),
            S.WITHDRAWN,
            frozenset({APPLICANT}),
            event=LedgerEvent.WITHDRAWN,
        ),
    ],
    roles_of=selectors.roles_of,
    on_applied=ledger.transition_recorder(
        case_id_of=lambda filing: filing.case_id,
        digest_of=lambda filing: filing.content_digest,
    ),
)

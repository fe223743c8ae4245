"""The exhibit's declared states (ARCHITECTURE §4.3).

``ORIGINAL``: whether an electronic copy stands for the original (在线诉讼规则第十二条、第十
三条). The other side's objection moves a copy (or one deemed original) to 对方有异议; the
court requires the original, or records the copy verified against it (compared) or deemed to
meet the original-form rule on one of the five grounds.

``PREVIEW``: the worker's thumbnail or excerpt. Only the system moves it; a failed preview may
be tried again. A preview is derived from the stored file and decides nothing, so it is not a
ledger entry (the exhibit's submission is).
"""

from __future__ import annotations

from microcourt.cases import policies as case_policies
from microcourt.core.actor import SYSTEM, Actor
from microcourt.core.transitions import StateMachine, Transition
from microcourt.ledger import actions as ledger

from .events import LedgerEvent
from .models import Exhibit, OriginalStatus, PreviewStatus
from .policies import ORIGINAL_DECIDERS, PARTY_SIDE

S = OriginalStatus
P = PreviewStatus


def roles_of(actor: Actor, exhibit: Exhibit) -> set[str]:
    """The roles the actor holds on the exhibit's case (``cases.policies.case_roles``)."""
    if actor.is_system:
        return {SYSTEM}
    return set(case_policies.case_roles(actor, exhibit.case))


def _record(*, obj: Exhibit, transition: Transition, actor: Actor, source: str, note: str):
    """The transition's ledger entry, with what it decided (the reason or the ground)."""
    if transition.event is None:
        return  # recorded by the act that moved it (an objection), or not a legal act
    data = {"exhibit": obj.pk, "transition": transition.name, "from": source}
    data["to"] = transition.target
    if transition.target == S.REQUIRED:
        data["reason"] = obj.required_reason
    else:
        data["ground"] = obj.deemed_ground
    if note:
        data["note"] = note[:500]
    ledger.record(
        code=transition.event,
        actor=actor,
        case_id=obj.case_id,
        subject_digest=f"sha256:{obj.sha256}",
        data=data,
    )


ORIGINAL = StateMachine(
    model=Exhibit,
    field="original_status",
    states=S,
    initial=S.COPY,
    transitions=[
        # 第十二条第二款第一项: the other side objects with reasons. The objection's own
        # ledger entry records the move (an objection to a copy already required or verified
        # is recorded without one).
        Transition("object", (S.COPY, S.DEEMED), S.OBJECTED, PARTY_SIDE),
        # 第十二条第二款: one of the four cases in which the court asks for the original.
        Transition(
            "require",
            (S.COPY, S.OBJECTED, S.DEEMED),
            S.REQUIRED,
            ORIGINAL_DECIDERS,
            event=LedgerEvent.ORIGINAL_REQUIRED,
        ),
        # 第十三条 (compared online or offline with the original).
        Transition(
            "verify",
            (S.COPY, S.OBJECTED, S.REQUIRED, S.DEEMED),
            S.VERIFIED,
            ORIGINAL_DECIDERS,
            event=LedgerEvent.ORIGINAL_VERIFIED,
        ),
        # 第十三条: no objection, notarised, used before, other proof.
        Transition(
            "deem",
            (S.COPY, S.OBJECTED, S.REQUIRED),
            S.DEEMED,
            ORIGINAL_DECIDERS,
            event=LedgerEvent.ORIGINAL_DEEMED,
        ),
    ],
    roles_of=roles_of,
    on_applied=_record,
)

_WORKER = frozenset({SYSTEM})
_RETRIABLE = (P.PENDING, P.FAILED)

PREVIEW = StateMachine(
    model=Exhibit,
    field="preview_status",
    states=P,
    initial=P.PENDING,
    transitions=[
        Transition("ready", _RETRIABLE, P.READY, _WORKER),
        Transition("none", _RETRIABLE, P.NONE, _WORKER),  # a kind that has no preview
        Transition("fail", _RETRIABLE, P.FAILED, _WORKER),
    ],
    roles_of=roles_of,
)

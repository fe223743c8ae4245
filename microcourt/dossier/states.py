"""The e-dossier's declared states (ARCHITECTURE §4.3): one request to bind a dossier.

The worker claims a queued job (the engine's conditional UPDATE is the claim: two runs of
the same task never both build), renders outside any transaction, then finishes it with the
build or fails it with the reason the reader is shown. A job left "building" by a worker
that died is taken up again once its render budget has surely passed.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from microcourt.core import pdf
from microcourt.core.actor import SYSTEM, Actor
from microcourt.core.errors import Conflict
from microcourt.core.transitions import StateMachine, Transition
from microcourt.ledger import actions as ledger

from .events import LedgerEvent
from .models import DossierJob, JobStatus

S = JobStatus
# Past the budget, the child process of a live run has been killed: a job still "building"
# after this long lost its worker.
STALE_MARGIN = dt.timedelta(seconds=60)


def roles_of(actor: Actor, job: DossierJob) -> set[str]:
    return {SYSTEM} if actor.is_system else set()


def _abandoned(job: DossierJob, actor: Actor) -> None:
    limit = dt.timedelta(seconds=pdf.budget_seconds()) + STALE_MARGIN
    if job.started_at is not None and timezone.now() - job.started_at < limit:
        raise Conflict(_("卷宗正在装订中"), code="building")


def _record(*, obj: DossierJob, transition: Transition, actor: Actor, source: str, note: str):
    if transition.event is None:
        return
    ledger.record(
        code=transition.event,
        actor=actor,
        case_id=obj.case_id,
        data={"job": obj.pk, "audience": obj.audience, "failure": obj.failure, "note": note},
    )


JOB = StateMachine(
    model=DossierJob,
    field="status",
    states=S,
    initial=S.QUEUED,
    transitions=[
        Transition("start", (S.QUEUED,), S.BUILDING, frozenset({SYSTEM})),
        # The worker that started it died (no finish, no failure): run it again.
        Transition("restart", (S.BUILDING,), S.BUILDING, frozenset({SYSTEM}), check=_abandoned),
        Transition("finish", (S.BUILDING,), S.DONE, frozenset({SYSTEM})),
        # Over the render budget, an error, or the reader no longer reads the dossier.
        Transition(
            "fail",
            (S.QUEUED, S.BUILDING),
            S.FAILED,
            frozenset({SYSTEM}),
            event=LedgerEvent.FAILED,
        ),
    ],
    roles_of=roles_of,
    on_applied=_record,
)

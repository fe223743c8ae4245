"""The recording's reads, scoped to the actor (they belong with ``selectors.py``; kept here
beside the recording's other parts): the recording of a session, who has confirmed its hash,
whether one may download the raw file, and the state of a viewer's watermarked copy."""

from __future__ import annotations

from django.core.files.storage import default_storage

from microcourt.core.actor import Actor

from .. import policies
from ..models import COURT_SEATS, Recording, SeatRole, Session

COPIES_PREFIX = "hearing-recordings/copies"
# Who confirms the recording's hash (录音录像规定第九条): the parties, their agents, and the
# court's people on the panel. Witnesses and the public do not.
CONFIRMING_ROLES = frozenset(
    {SeatRole.PLAINTIFF, SeatRole.DEFENDANT, SeatRole.THIRD_PARTY, SeatRole.AGENT}
) | frozenset(COURT_SEATS - {SeatRole.MEDIATOR, SeatRole.COURTROOM})


def recording_for(actor: Actor, session: Session) -> Recording:
    """The session's recording for a person of its case (before the first opening: an
    unsaved PENDING one); NotFound for anyone else."""
    policies.require_visible(actor, session)
    recording = Recording.objects.filter(session=session).first()
    return recording if recording is not None else Recording(session=session)


def confirmations_of(recording: Recording) -> list[dict]:
    """Each person asked to confirm the hash, and whether they have (signature requests)."""
    from microcourt.signing.models import SignatureRequest

    if not recording.sha256:
        return []
    session = recording.session
    names = {
        s.user_id: s.label
        for s in session.seats.filter(user__isnull=False).order_by("pk")
        if s.role in CONFIRMING_ROLES
    }
    rows = (
        SignatureRequest.objects.filter(
            case_id=session.case_id, title__endswith=f"SHA-256 {recording.sha256[:16]}"
        )
        .exclude(status="cancelled")
        .order_by("pk")
    )
    return [
        {
            "request_id": r.pk,
            "user_id": r.signer_id,
            "name": names.get(r.signer_id, ""),
            "status": r.status,
            "status_label": str(r.get_status_display()),
            "signed_at": r.signed_at,
        }
        for r in rows
    ]


def may_download(actor: Actor, recording: Recording) -> bool:
    return actor.user_id is not None and actor.user_id in (recording.download_allowed or [])


def copy_path(recording: Recording, user_id: int) -> str:
    return f"{COPIES_PREFIX}/{recording.sha256[:2]}/{recording.sha256}/{user_id}.mp4"


def copy_ready(recording: Recording, user_id: int) -> bool:
    return bool(recording.sha256) and default_storage.exists(copy_path(recording, user_id))


def copy_progress(recording: Recording, user_id: int) -> int | None:
    """The percent done of this viewer's copy while the worker makes it; None when none is
    being made."""
    from django_tasks_db.compat import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    from ..tasks import recording as tasks

    row = (
        DBTaskResult.objects.filter(
            task_path=tasks.COPY_TASK_PATH,
            status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING],
            args_kwargs__args=[recording.pk, user_id],
        )
        .order_by("-enqueued_at")
        .first()
    )
    if row is None:
        return None
    value = row.return_value if isinstance(row.return_value, dict) else {}
    return int(value.get("progress", 0))

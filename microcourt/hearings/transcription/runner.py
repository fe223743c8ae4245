"""The worker's side: one long-running task per open stretch of a session (opened, or
resumed after a recess) follows the room's audio files until the session leaves OPEN, then
reads them to their end and stops.

- **Where it runs.** On the ``transcription`` queue, which the general worker leaves alone
  (a hearing lasts hours; notices and log-in codes must not wait for it): ``microcourt
  serve`` starts a worker for that queue, production runs one per hearing that may be open
  at once (docs/hearings.md, "实时转写"). A session that finds no free worker waits; its audio
  waits in the recording and is transcribed, late, when a worker takes it.
- **One at a time.** Two tasks of one session (opened, recessed and resumed quickly) do not
  both transcribe: the running task with the smallest id holds the session, a later one
  returns at once, and the holder stops when the job system takes its task back (its worker
  stopped beating: ``core.jobs`` lease), so a replacement does not run beside it.
- **Restartable.** A worker that dies loses nothing: its task is taken back and run again,
  every file is read again from the end of what the transcript already has
  (``committed_end_ms``), and a line written twice is the same line (``source``,
  ``source_ms``).
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

from django.conf import settings

from microcourt.core.effects import on_commit

from ..models import Session, SessionStatus
from . import wiring

log = logging.getLogger("microcourt.hearings.transcription")

TASK_PATH = "microcourt.hearings.tasks.transcription.transcribe_session"


def start_after_commit(session_id: int) -> None:
    """Called by opening and resuming: the session's transcription task, once they commit
    (none when TRANSCRIBE_LIVE is off, or one is already waiting or running)."""
    if settings.TRANSCRIBE_LIVE:
        on_commit(_enqueue, session_id)


def _enqueue(session_id: int) -> None:
    from django_tasks_db.compat import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    from ..tasks import transcription as tasks

    # One waiting is enough (it takes every stretch from where the transcript ends); a
    # running one may be finishing the stretch a recess ended, so it does not count.
    waiting = DBTaskResult.objects.filter(task_path=TASK_PATH, status=TaskResultStatus.READY)
    if any(r.args_kwargs["args"] == [session_id] for r in waiting):
        return
    tasks.transcribe_session.enqueue(session_id)


def _running(session_id: int) -> list:
    """This session's running transcription tasks, oldest first."""
    from django_tasks_db.compat import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    rows = DBTaskResult.objects.filter(task_path=TASK_PATH, status=TaskResultStatus.RUNNING)
    mine = [r for r in rows if r.args_kwargs["args"] == [session_id]]
    return sorted(mine, key=lambda r: (r.enqueued_at, str(r.pk)))


def _older_running(session_id: int, task_id) -> bool:
    running = _running(session_id)
    return bool(running) and str(running[0].pk) != str(task_id)


def _status(session_id: int) -> str | None:
    return Session.objects.filter(pk=session_id).values_list("status", flat=True).first()


def session_transcribe(
    *, session_id: int, task_id=None, stop_after: float | None = None, transcriber=None
) -> dict:
    """Follow the session's audio while it is open, then read it to its end; counts for
    the task's result. ``task_id``: this run's task row (one at a time, and the lease);
    ``stop_after``: seconds (tests, benchmarks); ``transcriber``: an injected one (tests)."""
    session = Session.objects.filter(pk=session_id).first()
    if session is None or session.room is None:
        return {"lines": 0, "stopped": "no room"}
    started_at = None
    if task_id is not None:
        started_at = _wait_turn(session_id, task_id)
        if started_at is None:
            return {"lines": 0, "stopped": "taken back"}
    if _status(session_id) != SessionStatus.OPEN:
        return {"lines": 0, "stopped": str(_status(session_id))}
    transcriber = transcriber or wiring.transcriber_for(session)
    poll = settings.TRANSCRIBE_POLL_MS / 1000
    begun = checked = time.monotonic()
    lines = 0
    why = ""
    while not why:
        lines += transcriber.step()
        time.sleep(poll)
        now = time.monotonic()
        if stop_after is not None and now - begun >= stop_after:
            why = "time"
        elif now - checked >= STATUS_EVERY:
            checked = now
            status = _status(session_id)
            if status != SessionStatus.OPEN:
                why = f"session {status}"
            elif task_id is not None and not _held(task_id, started_at):
                log.warning("session %s: transcription task %s taken back", session_id, task_id)
                return {"lines": lines, "stopped": "taken back"}
            elif task_id is not None and _older_running(session_id, task_id):
                # An older task of the session is running again (its worker was thought
                # dead and came back): it holds the session; this one gives way.
                return {"lines": lines, "stopped": "gave way"}
    lines += transcriber.finish()
    log.info("session %s: live transcription stopped (%s), %d lines", session_id, why, lines)
    return {"lines": lines, "stopped": why}


# How often the loop asks whether the session is still open and its task still held.
STATUS_EVERY = 1.0


def _wait_turn(session_id: int, task_id):
    """Wait while an older task of the session still runs (finishing the stretch before a
    recess); this run's start time once it holds the session, None if taken back."""
    from django_tasks_db.models import DBTaskResult

    row = DBTaskResult.objects.filter(pk=task_id)
    started_at = row.values_list("started_at", flat=True).first()
    while True:
        running = _running(session_id)
        if not running or str(running[0].pk) == str(task_id):
            return started_at
        if not _held(task_id, started_at):
            return None
        time.sleep(STATUS_EVERY)


def _held(task_id, started_at) -> bool:
    """Whether this run still holds its task (not taken back by the lease)."""
    from django_tasks_db.compat import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(
        pk=task_id, status=TaskResultStatus.RUNNING, started_at=started_at
    ).exists()


def rec_dir_of(session: Session) -> Path:
    from ..models import Recording

    recorded = Recording.objects.filter(session=session).values_list("rec_dir", flat=True).first()
    return Path(recorded) if recorded else Path(settings.JANUS_REC_DIR) / f"room-{session.room}"

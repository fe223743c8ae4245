"""The recording's work in the worker: building the hearing's one video after closing, and a
viewer's watermarked copy. Both are idempotent (a READY recording, an existing copy is
left alone) and do their media work with no transaction open; a failed build is FAILED
with its reason and raises, so the job system (core/jobs.py) retries it with backoff and,
out of attempts, makes it a dead letter and alerts the operators."""

from __future__ import annotations

from django_tasks import task
from django_tasks.base import TaskContext

from ..actions import recording as actions

COPY_TASK_PATH = f"{__name__}.recording_copy"


@task()
def recording_build(recording_id: int) -> str | None:
    built = actions.recording_build(recording_id=recording_id)
    return built.sha256 if built is not None and built.sha256 else None


@task(takes_context=True)
def recording_copy(context: TaskContext, recording_id: int, user_id: int) -> str | None:
    """The progress goes on the task's own row while ffmpeg runs (the page reads it); the
    final return value replaces it."""
    from django_tasks_db.models import DBTaskResult

    row_id = context.task_result.id

    def progress(percent: int) -> None:
        DBTaskResult.objects.filter(pk=row_id).update(return_value={"progress": percent})

    return actions.recording_copy_make(
        recording_id=recording_id, user_id=user_id, progress=progress
    )

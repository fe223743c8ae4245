"""Live transcription in the worker: one long-running task per open stretch of a session,
on the ``transcription`` queue (its own worker: a hearing lasts hours). The loop, the lease
and the restart are in ``transcription/runner.py``; docs/hearings.md, "实时转写"."""

from __future__ import annotations

from django.conf import settings
from django_tasks import task
from django_tasks.base import TaskContext

from ..transcription import runner


@task(takes_context=True, queue_name=settings.TRANSCRIBE_QUEUE)
def transcribe_session(context: TaskContext, session_id: int) -> dict:
    return runner.session_transcribe(session_id=session_id, task_id=context.task_result.id)

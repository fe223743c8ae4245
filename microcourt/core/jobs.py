"""Background work that cannot be lost (issue 14), around django-tasks-db's ``DBTaskResult``.

- **Retries.** A task that raises runs again after an exponential backoff (5 s, 10 s, 20 s …
  with some jitter), up to ``TASK_MAX_ATTEMPTS`` runs. Each claim of the row is one run: the
  row's ``worker_ids`` grows by one, so the count survives a worker's death. Tasks are
  idempotent (ARCHITECTURE §4.5): a second run of one that half-happened is safe.
- **Lease.** A worker holds a RUNNING task while its heartbeat (``WorkerHeartbeat``, every
  5 s) is fresh and names that task. Past ``TASK_LEASE_SECONDS`` without that,
  ``reclaim_expired`` puts the task back to READY and another worker runs it. Outcomes are
  written with a conditional update on the claim's start time, so a worker that was taken
  over and wakes up later cannot overwrite the new run's result.
- **Dead letters.** A task out of attempts is FAILED, copied to ``DeadLetter`` with its
  error, logged at ERROR, and the platform operators are notified; they run it again (or
  mark it handled) from the admin. /healthz is degraded while one is open.

The worker loop that uses this is ``core/management/commands/worker.py``.
"""

from __future__ import annotations

import datetime as dt
import logging
import random
import time
from collections.abc import Callable
from traceback import format_exception
from typing import Any, TypeVar

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import SuspiciousOperation
from django.db import OperationalError, transaction
from django.db.models import Count, Min, QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks_db.compat import TaskContext, TaskResultStatus, task_finished, task_started
from django_tasks_db.models import DBTaskResult, get_date_max
from django_tasks_db.utils import is_locked_database_exception

from .models import DeadLetter, WorkerHeartbeat

log = logging.getLogger("microcourt.jobs")

DEFAULT = "default"
# Log-in codes and strong reminders: their own queue and worker, so heavy work never delays
# them (``microcourt serve`` starts a worker for it; production runs one, docs/deploy.md).
URGENT = "urgent"
# A dead worker's heartbeat rows are kept this long (for the admin), then removed.
HEARTBEAT_KEPT = dt.timedelta(days=1)

T = TypeVar("T")


class WorkerLost(RuntimeError):
    """The worker running the task stopped (killed, out of memory, machine lost)."""


def attempts_of(result: DBTaskResult) -> int:
    return len(result.worker_ids or [])


def backoff(attempt: int) -> dt.timedelta:
    """The wait before run ``attempt + 1``: doubling from the base, capped, with up to 20 %
    jitter so tasks that failed together (a locked database) do not all come back at once."""
    seconds = min(
        settings.TASK_RETRY_MAX_SECONDS, settings.TASK_RETRY_BASE_SECONDS * 2 ** (attempt - 1)
    )
    return dt.timedelta(seconds=seconds * random.uniform(1.0, 1.2))  # noqa: S311


def outlast_locks(write: Callable[[], T]) -> T:
    """Run a short write (outside any transaction) again while the database says it is
    locked, for ~8 s before giving up: a task's bookkeeping (the lease then recovers the
    task), a public viewer's heartbeat. SQLite refuses a write at once, without waiting, when
    another connection of a shared-cache database holds the table."""
    for pause in (0.2, 0.5, 1.0, 2.0, 4.0):
        try:
            return write()
        except OperationalError as exc:
            if not is_locked_database_exception(exc):
                raise
            time.sleep(pause)
    return write()


def _held(result: DBTaskResult) -> QuerySet[DBTaskResult]:
    """The row, if this claim still holds it (not taken back and claimed again since)."""
    return DBTaskResult.objects.filter(
        pk=result.pk, status=TaskResultStatus.RUNNING, started_at=result.started_at
    )


def _name(task_path: str) -> str:
    return task_path.rsplit(".", 1)[-1]


# -- running one claimed task ----------------------------------------------------------------


def run(result: DBTaskResult) -> str:
    """Run a task this worker has claimed and record what came of it: "successful", "retry",
    "dead" (out of attempts), "released" (the worker is stopping) or "lost" (taken back
    while it ran; nothing recorded)."""
    try:
        task = result.task
    except (ImportError, SuspiciousOperation) as exc:  # its code is gone: no retry helps
        return fail(result, exc, final=True)
    task_result = result.task_result
    task_started.send(sender=type(task.get_backend()), task_result=task_result)
    args, kwargs = result.args_kwargs["args"], result.args_kwargs["kwargs"]
    if task.takes_context:
        args = [TaskContext(task_result=task_result), *args]
    try:
        value = task.call(*args, **kwargs)
    except (KeyboardInterrupt, SystemExit):
        release(result)
        raise
    except Exception as exc:
        return fail(result, exc)
    try:
        return succeed(result, value)
    except OperationalError:
        raise  # the database, not the task: the worker waits and the lease recovers the row
    except Exception as exc:  # e.g. a return value that is not JSON
        return fail(result, exc)


def succeed(result: DBTaskResult, value: Any) -> str:
    now = timezone.now()
    updated = outlast_locks(
        lambda: _held(result).update(
            status=TaskResultStatus.SUCCESSFUL,
            finished_at=now,
            return_value=value,
            exception_class_path="",
            traceback="",
        )
    )
    if not updated:
        log.warning("task %s (%s) finished after it was taken back", result.pk, result.task_path)
        return "lost"
    result.refresh_from_db()
    task_finished.send(sender=type(result.task.get_backend()), task_result=result.task_result)
    return "successful"


def fail(result: DBTaskResult, exc: BaseException, *, final: bool = False) -> str:
    """Schedule the next run after a backoff, or, out of attempts, make it a dead letter."""
    now = timezone.now()
    attempt, limit = attempts_of(result), settings.TASK_MAX_ATTEMPTS
    error = {
        "exception_class_path": f"{type(exc).__module__}.{type(exc).__qualname__}",
        "traceback": "".join(format_exception(exc)),
    }
    if not final and attempt < limit:
        at = now + backoff(attempt)
        updated = outlast_locks(
            lambda: _held(result).update(status=TaskResultStatus.READY, run_after=at, **error)
        )
        if updated:
            log.warning(
                "task %s (%s) failed on attempt %d of %d (%s: %s); it runs again at %s",
                result.pk,
                result.task_path,
                attempt,
                limit,
                type(exc).__name__,
                str(exc)[:200],
                at.isoformat(timespec="seconds"),
            )
        return "retry" if updated else "lost"
    updated = outlast_locks(
        lambda: _held(result).update(
            status=TaskResultStatus.FAILED, finished_at=now, return_value=None, **error
        )
    )
    if not updated:
        return "lost"
    bury(result, attempts=attempt, exc=exc, traceback=error["traceback"])
    return "dead"


def release(result: DBTaskResult) -> None:
    """The worker is stopping mid-task: back to READY at once, the run not counted."""
    _held(result).update(status=TaskResultStatus.READY, worker_ids=result.worker_ids[:-1])
    log.warning("task %s (%s) given back: the worker is stopping", result.pk, result.task_path)


# -- the lease -----------------------------------------------------------------------------


def reclaim_expired(now: dt.datetime | None = None) -> list[str]:
    """Take back RUNNING tasks whose worker has not said, within the lease, that it runs
    them (it died, hung, or lost its outcome to the database). Each goes back to READY for
    another worker, or, if it has used its attempts (a task that kills its worker each time),
    to the dead letters. Returns the ids taken back."""
    now = now or timezone.now()
    lease = dt.timedelta(seconds=settings.TASK_LEASE_SECONDS)
    running = list(
        DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING, started_at__lt=now - lease)
    )
    if not running:
        return []
    owners = {r.worker_ids[-1] for r in running if r.worker_ids}
    beats = {b.worker_id: b for b in WorkerHeartbeat.objects.filter(worker_id__in=owners)}
    taken = []
    for result in running:
        owner = result.worker_ids[-1] if result.worker_ids else ""
        beat = beats.get(owner)
        if beat and beat.last_seen >= now - lease and beat.current_task == str(result.pk):
            continue  # a long task, still held
        silent = beat.last_seen.isoformat(timespec="seconds") if beat else "never heard of"
        if attempts_of(result) >= settings.TASK_MAX_ATTEMPTS:
            lost = WorkerLost(f"worker {owner} stopped while running it (last heard {silent})")
            outcome = fail(result, lost, final=True)
        else:
            updated = _held(result).update(status=TaskResultStatus.READY, run_after=now)
            outcome = "retry" if updated else "lost"
            if updated:
                log.warning(
                    "task %s (%s) taken back from worker %s (last heard %s)",
                    result.pk,
                    result.task_path,
                    owner,
                    silent,
                )
        if outcome != "lost":
            taken.append(str(result.pk))
    return taken


def housekeeping(now: dt.datetime | None = None) -> list[str]:
    """What every worker does on its heartbeat: the lease, and old heartbeat rows removed."""
    now = now or timezone.now()
    taken = reclaim_expired(now)
    WorkerHeartbeat.objects.filter(last_seen__lt=now - HEARTBEAT_KEPT).delete()
    return taken


# -- dead letters --------------------------------------------------------------------------


def bury(result: DBTaskResult, *, attempts: int, exc: BaseException, traceback: str) -> DeadLetter:
    error = f"{type(exc).__name__}: {exc}"[:2000]
    letter, _ = DeadLetter.objects.update_or_create(
        task_id=str(result.pk),
        defaults={
            "task_path": result.task_path[:255],
            "queue_name": result.queue_name,
            "args_kwargs": result.args_kwargs,
            "attempts": attempts,
            "exception_class_path": f"{type(exc).__module__}.{type(exc).__qualname__}"[:255],
            "error": error,
            "traceback": traceback,
            "failed_at": timezone.now(),
            "resolved_at": None,
            "resolution": "",
        },
    )
    log.error(
        "task %s (%s) failed %d times and is now a dead letter (%s): %s",
        result.pk,
        result.task_path,
        attempts,
        letter.pk,
        error[:300],
    )
    try:
        alert(letter)
    except Exception:  # the letter and the log line stand; the alert is best effort
        log.exception("operators could not be alerted of dead letter %s", letter.pk)
    return letter


def operators():
    return get_user_model().objects.filter(is_active=True, is_superuser=True).order_by("pk")


@transaction.atomic
def alert(letter: DeadLetter) -> int:
    """Tell each platform operator, in-app and by e-mail; at most once an hour per task
    kind, so an outage that kills a hundred tasks sends a handful of messages."""
    notify = import_string(settings.TASK_ALERT_NOTIFY)
    hour = timezone.localtime().strftime("%Y%m%d%H")
    try:
        url = reverse("admin:core_deadletter_change", args=[letter.pk])
    except NoReverseMatch:
        url = ""
    count = 0
    for user in operators():
        notify(
            recipient=user,
            event="core.task_failed",  # its text: notifications/templates_account.py
            params={
                "task": _name(letter.task_path),
                "attempts": letter.attempts,
                "error": letter.error[:300],
            },
            url=url,
            idempotency_key=f"core.task_failed:{letter.task_path}:{hour}:{user.pk}",
            channels=("inapp", "email"),
        )
        count += 1
    return count


def open_dead_letters() -> QuerySet[DeadLetter]:
    return DeadLetter.objects.filter(resolved_at__isnull=True)


@transaction.atomic
def dead_letter_requeue(letter: DeadLetter, *, by: str) -> DBTaskResult:
    """Run a dead letter again, with fresh attempts: the same task row if it is still
    there, else a new one with the same task and arguments."""
    result = DBTaskResult.objects.select_for_update().filter(pk=letter.task_id).first()
    if result is not None and result.status == TaskResultStatus.FAILED:
        DBTaskResult.objects.filter(pk=result.pk).update(
            status=TaskResultStatus.READY,
            worker_ids=[],
            run_after=get_date_max(),
            started_at=None,
            finished_at=None,
        )
        result.refresh_from_db()
    else:
        task = import_string(letter.task_path).using(queue_name=letter.queue_name)
        args = letter.args_kwargs
        result = DBTaskResult.objects.get(pk=task.enqueue(*args["args"], **args["kwargs"]).id)
    _resolve(letter, f"requeued by {by}")
    log.warning("dead letter %s (%s) requeued by %s", letter.pk, letter.task_path, by)
    return result


def dead_letter_dismiss(letter: DeadLetter, *, by: str) -> None:
    _resolve(letter, f"marked handled by {by}")


def _resolve(letter: DeadLetter, resolution: str) -> None:
    letter.resolved_at = timezone.now()
    letter.resolution = resolution[:200]
    letter.save(update_fields=["resolved_at", "resolution"])


# -- what /healthz reads -------------------------------------------------------------------


def queue_state(now: dt.datetime | None = None) -> dict[str, Any]:
    """Due tasks per queue with how long the oldest has waited (since it was enqueued, or
    since its retry came due), open dead letters, and running tasks."""
    now = now or timezone.now()
    ready = DBTaskResult.objects.ready()
    never = get_date_max()
    queues: dict[str, dict[str, Any]] = {}
    fresh = (
        ready.filter(run_after=never)
        .values("queue_name")
        .annotate(n=Count("id"), since=Min("enqueued_at"))
        .order_by()
    )
    retried = (
        ready.exclude(run_after=never)
        .values("queue_name")
        .annotate(n=Count("id"), since=Min("run_after"))
        .order_by()
    )
    for row in [*fresh, *retried]:
        entry = queues.setdefault(row["queue_name"], {"ready": 0, "since": row["since"]})
        entry["ready"] += row["n"]
        entry["since"] = min(entry["since"], row["since"])
    return {
        "queues": {
            name: {
                "ready": q["ready"],
                "oldest_ready_seconds": round(max(0.0, (now - q["since"]).total_seconds()), 1),
            }
            for name, q in sorted(queues.items())
        },
        "running": DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING).count(),
        "dead_letters": open_dead_letters().count(),
    }

"""``microcourt worker``: the background task worker (django-tasks-db), with a heartbeat
that /healthz reads, the lease on the task it runs, retries and dead letters (``core.jobs``)
and the periodic-job scheduler.

``--queue-name urgent`` makes the dedicated worker of log-in codes and strong reminders;
``microcourt serve`` starts one beside the general worker and restarts either if it dies."""

from __future__ import annotations

import logging
import os
import random
import socket
import threading
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError
from django.utils import timezone
from django.utils.crypto import get_random_string
from django_tasks_db.management.commands import db_worker
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction

from microcourt.core import jobs, periodic
from microcourt.core.models import WorkerHeartbeat

HEARTBEAT_SECONDS = 5
# After a database error outside any task (the queue itself unreadable), wait this long at
# first, doubling up to the cap: the worker waits the outage out instead of dying.
OUTAGE_PAUSE, OUTAGE_PAUSE_MAX = 0.5, 30.0

log = logging.getLogger("microcourt.worker")


def close_old_connections() -> None:
    # Looked up on django-tasks-db's module at each call: the test fixture ``run_tasks``
    # patches it there, so a batch run inside a test keeps the test's own connection.
    db_worker.close_old_connections()


class Worker(db_worker.Worker):
    """django-tasks-db's worker, with its outcome handling replaced by ``core.jobs`` (retries,
    fenced results, dead letters) and a loop that survives database errors."""

    current_task = ""

    def run(self) -> None:
        log.info("worker %s taking tasks from %s", self.worker_id, ",".join(self.queue_names))
        if self.startup_delay and self.interval:
            time.sleep(random.random())  # noqa: S311 - no thundering herd after a restart
        outages = 0
        while self.running:
            try:
                ran = self.run_one()
                outages = 0
            except DatabaseError as exc:
                if self.batch:
                    raise
                outages += 1
                pause = min(OUTAGE_PAUSE_MAX, OUTAGE_PAUSE * 2 ** (outages - 1))
                log.warning("task queue unreadable (%s); trying again in %.1f s", exc, pause)
                close_old_connections()
                time.sleep(pause)
                continue
            if self.batch and not ran:
                return
            if self.max_tasks is not None and self._run_tasks >= self.max_tasks:
                return
            close_old_connections()
            if self.running and not ran:
                time.sleep(self.interval)

    def run_one(self) -> bool:
        """Claim the next due task and run it; False when none was due."""
        close_old_connections()
        tasks = DBTaskResult.objects.ready().filter(backend_name=self.backend_name)
        if not self.process_all_queues:
            tasks = tasks.filter(queue_name__in=self.queue_names)
        if self.excluded_queue_names:
            tasks = tasks.exclude(queue_name__in=self.excluded_queue_names)
        with exclusive_transaction(tasks.db):
            result = tasks.get_locked()
            if result is not None:
                result.claim(self.worker_id)
        if result is None:
            return False
        self.run_task(result)
        return True

    def run_task(self, db_task_result: DBTaskResult) -> None:
        self.running_task = True
        self.current_task = str(db_task_result.pk)
        try:
            jobs.run(db_task_result)
        finally:
            self.current_task = ""
            self.running_task = False
            self._run_tasks += 1


class Command(BaseCommand):
    help = "Run the background task worker (heartbeat, lease, retries and periodic jobs)."

    def add_arguments(self, parser):
        parser.add_argument("--queue-name", default="*", help="Queues to process (default: all)")
        parser.add_argument(
            "--exclude-queues", default="", help="Queues not to process (with --queue-name=*)"
        )
        parser.add_argument("--interval", type=float, default=0.5, help="Idle poll seconds")
        parser.add_argument("--batch", action="store_true", help="Run what is queued, then exit")

    def handle(
        self, *args, queue_name: str, exclude_queues: str, interval: float, batch: bool, **options
    ):
        queues = [q for q in queue_name.split(",") if q]
        excluded = [q for q in exclude_queues.split(",") if q]
        if excluded and "*" not in queues:
            raise CommandError("--exclude-queues needs --queue-name=*")
        worker_id = f"{socket.gethostname()[:40]}-{os.getpid()}-{get_random_string(6)}"
        worker = Worker(
            queue_names=queues,
            interval=interval,
            batch=batch,
            backend_name="default",
            startup_delay=not batch,
            max_tasks=None,
            worker_id=worker_id,
            excluded_queue_names=excluded,
        )
        stop = threading.Event()
        if batch:
            # A one-off run (cron, tests) has no heartbeat, but still takes back what dead
            # workers left running before it looks for work.
            jobs.reclaim_expired()
        else:
            started = timezone.now()
            label = ",".join(queues) + "".join(f",-{q}" for q in excluded)

            def beat() -> None:
                while not stop.is_set():
                    try:
                        now = timezone.now()
                        WorkerHeartbeat.objects.update_or_create(
                            worker_id=worker_id,
                            defaults={
                                "host": socket.gethostname()[:255],
                                "pid": os.getpid(),
                                "started_at": started,
                                "last_seen": now,
                                "queues": label[:200],
                                "current_task": worker.current_task,
                            },
                        )
                        periodic.enqueue_due(now)
                        jobs.housekeeping(now)
                    except Exception:  # a database hiccup must not kill the worker
                        log.warning("heartbeat failed; retrying", exc_info=True)
                    finally:
                        close_old_connections()
                    stop.wait(HEARTBEAT_SECONDS)

            threading.Thread(target=beat, name="heartbeat", daemon=True).start()
            self.stdout.write(f"worker {worker_id} started ({label})")
            worker.configure_signals()
        try:
            worker.run()
        finally:
            stop.set()

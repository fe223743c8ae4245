"""``microcourt worker``: the background task worker (django-tasks-db), with a heartbeat
that /healthz reads and the periodic-job scheduler."""

from __future__ import annotations

import os
import socket
import threading
import time

from django.core.management.base import BaseCommand
from django.db import close_old_connections
from django.utils import timezone
from django.utils.crypto import get_random_string
from django_tasks_db.management.commands.db_worker import Worker

from microcourt.core import periodic
from microcourt.core.models import WorkerHeartbeat

HEARTBEAT_SECONDS = 5


class Command(BaseCommand):
    help = "Run the background task worker (heartbeat and periodic jobs included)."

    def add_arguments(self, parser):
        parser.add_argument("--queue-name", default="*", help="Queues to process (default: all)")
        parser.add_argument("--interval", type=float, default=0.5, help="Idle poll seconds")
        parser.add_argument("--batch", action="store_true", help="Run what is queued, then exit")

    def handle(self, *args, queue_name: str, interval: float, batch: bool, **options):
        worker_id = f"{socket.gethostname()[:40]}-{os.getpid()}-{get_random_string(6)}"
        started = timezone.now()
        stop = threading.Event()

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
                        },
                    )
                    periodic.enqueue_due(now)
                except Exception:  # a database hiccup must not kill the worker
                    self.stderr.write("heartbeat failed; retrying")
                finally:
                    close_old_connections()
                stop.wait(HEARTBEAT_SECONDS)

        if not batch:
            threading.Thread(target=beat, name="heartbeat", daemon=True).start()
            self.stdout.write(f"worker {worker_id} started")
        worker = Worker(
            queue_names=queue_name.split(","),
            interval=interval,
            batch=batch,
            backend_name="default",
            startup_delay=not batch,
            max_tasks=None,
            worker_id=worker_id,
            excluded_queue_names=[],
        )
        if not batch:
            worker.configure_signals()
        try:
            worker.run()
        finally:
            stop.set()
            time.sleep(0)

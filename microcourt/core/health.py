"""What /healthz reports: each component's state, and whether the whole is up."""

from __future__ import annotations

import datetime as dt
import uuid

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.utils import timezone


def _database() -> dict:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {"ok": True, "engine": connection.vendor}


def _cache() -> dict:
    key = f"healthz:{uuid.uuid4().hex}"
    cache.set(key, "1", 10)
    ok = cache.get(key) == "1"
    cache.delete(key)
    backend = settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]
    return {"ok": ok, "backend": backend}


async def _layer_roundtrip(layer) -> bool:
    import asyncio

    channel = await layer.new_channel()
    await layer.send(channel, {"type": "health.ping"})
    message = await asyncio.wait_for(layer.receive(channel), timeout=3)
    return message.get("type") == "health.ping"


def _channel_layer() -> dict:
    layer = get_channel_layer()
    ok = async_to_sync(_layer_roundtrip)(layer)
    return {"ok": ok, "backend": type(layer).__name__}


def _worker() -> dict:
    from .models import WorkerHeartbeat

    now = timezone.now()
    latest = WorkerHeartbeat.objects.order_by("-last_seen").first()
    if latest is None:
        return {"ok": False, "error": "no task worker has reported a heartbeat"}
    age = (now - latest.last_seen).total_seconds()
    stale = dt.timedelta(seconds=settings.WORKER_HEARTBEAT_STALE_SECONDS)
    result = {
        "ok": age <= stale.total_seconds(),
        "last_heartbeat": latest.last_seen.isoformat(),
        "age_seconds": round(age, 1),
        "live": WorkerHeartbeat.objects.filter(last_seen__gte=now - stale).count(),
    }
    if not result["ok"]:
        result["error"] = f"last heartbeat {int(age)} s ago"
    return result


def _queue() -> dict:
    """Stalled when a due task has waited past TASK_QUEUE_STALL_SECONDS (no worker takes
    it, or one job holds the only worker) or a task used all its attempts (dead letters)."""
    from . import jobs

    state = jobs.queue_state()
    limit = settings.TASK_QUEUE_STALL_SECONDS
    problems = [
        f"queue {name!r}: a task has waited {int(q['oldest_ready_seconds'])} s"
        for name, q in state["queues"].items()
        if q["oldest_ready_seconds"] > limit
    ]
    if state["dead_letters"]:
        problems.append(f"{state['dead_letters']} failed tasks in the dead-letter list")
    result = {"ok": not problems, **state}
    if problems:
        result["error"] = "; ".join(problems)
    return result


CHECKS = {
    "database": _database,
    "cache": _cache,
    "channel_layer": _channel_layer,
    "worker": _worker,
    "queue": _queue,
}


def _optional_checks() -> dict:
    """Components reported but not counted in the whole's state (HEALTH_OPTIONAL_CHECKS:
    name → dotted path; a setting, because core may not import the apps): the hearings'
    media server, say, whose absence stops hearings but nothing else."""
    from django.utils.module_loading import import_string

    paths = getattr(settings, "HEALTH_OPTIONAL_CHECKS", {})
    return {name: import_string(path) for name, path in paths.items()}


def system_health() -> tuple[bool, dict[str, dict]]:
    components: dict[str, dict] = {}
    optional = _optional_checks()
    for name, check in {**CHECKS, **optional}.items():
        try:
            components[name] = check()
        except Exception as exc:  # report, never raise: this is the thing that says what is down
            components[name] = {"ok": False, "error": f"{type(exc).__name__}: {exc}"[:300]}
        if name in optional:
            components[name]["optional"] = True
    return all(c["ok"] for name, c in components.items() if name not in optional), components

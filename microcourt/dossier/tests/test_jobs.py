"""Binding the e-dossier as a job (issue 14): rendered with no transaction open, so the case
goes on meanwhile; over its time budget it fails alone, with the reason on the reader's page,
and the next build is made; run twice, it makes one dossier."""

import datetime as dt
import sys
import threading

import pytest
from django.utils import timezone

from microcourt.core import pdf
from microcourt.core.actor import Actor
from microcourt.core.errors import Conflict
from microcourt.dossier import actions, tasks
from microcourt.dossier.events import LedgerEvent
from microcourt.dossier.models import DossierBuild, DossierJob, Failure, JobStatus
from microcourt.dossier.states import JOB
from microcourt.ledger.models import Entry
from microcourt.spaces import actions as space_actions
from microcourt.spaces.models import Message

pytestmark = pytest.mark.django_db


@pytest.fixture
def endless_render(settings, monkeypatch):
    """A render that would never finish, in a real child process, and a 1 s budget."""
    settings.RENDER_BUDGET_SECONDS = 1
    monkeypatch.setattr(pdf, "_command", lambda: [sys.executable, "-c", "while True: pass"])
    return monkeypatch


def test_every_state_of_a_job_is_reachable():
    assert JOB.reachable() == set(JobStatus.values)


def test_a_build_over_its_budget_fails_with_the_reason_and_the_next_one_is_made(
    client,
    case,
    plaintiff_zhang,
    run_tasks,
    django_capture_on_commit_callbacks,
    endless_render,
    settings,
):
    space_actions.message_post(case=case, actor=Actor.citizen(plaintiff_zhang), text="借条在此")
    client.force_login(plaintiff_zhang)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/cases/{case.pk}/dossier/new/")
    run_tasks()  # the worker goes on: the failure is the job's, not the worker's

    job = DossierJob.objects.get()
    assert job.status == JobStatus.FAILED and job.failure == Failure.TIMEOUT
    assert not DossierBuild.objects.exists()
    assert Entry.objects.filter(code=LedgerEvent.FAILED, case_id=case.pk).exists()
    page = client.get(f"/cases/{case.pk}/dossier/").content.decode()
    assert "装订失败：生成 PDF 超过 1 秒仍未完成，已停止。" in page
    assert "正在装订" not in page
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    latest = client.get(f"/api/v1/cases/{case.pk}/dossier/job").json()
    assert latest["status"] == "failed" and latest["build"] is None
    assert latest["reason"].startswith("The PDF was not ready after 1 seconds")

    endless_render.undo()  # renders finish again
    settings.RENDER_BUDGET_SECONDS = 120
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/cases/{case.pk}/dossier/new/")
    run_tasks()
    latest = client.get(f"/api/v1/cases/{case.pk}/dossier/job").json()
    assert latest["status"] == "done" and latest["build"] == DossierBuild.objects.get().pk


def test_running_the_build_twice_makes_one_dossier(case, plaintiff_zhang):
    zhang = Actor.citizen(plaintiff_zhang)
    job = actions.dossier_request(case=case, actor=zhang)
    args = (case.pk, plaintiff_zhang.pk, zhang.role, None, job.pk)
    first = tasks.build.call(*args)
    second = tasks.build.call(*args)
    assert first == second == DossierBuild.objects.get().pk
    assert Entry.objects.filter(code=LedgerEvent.BUILT).count() == 1
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and job.build_id == first


def test_a_job_being_built_is_not_built_again_until_its_worker_is_surely_gone(
    case, plaintiff_zhang
):
    zhang = Actor.citizen(plaintiff_zhang)
    job = actions.dossier_request(case=case, actor=zhang)
    DossierJob.objects.filter(pk=job.pk).update(
        status=JobStatus.BUILDING, started_at=timezone.now()
    )
    job.refresh_from_db()
    assert actions.dossier_build(case=case, actor=zhang, job=job) is None
    assert not DossierBuild.objects.exists()
    with pytest.raises(Conflict):
        JOB.apply(job, "restart", actor=Actor.system("test"))
    # Its worker died long ago (past the budget): another run takes it up and binds it.
    DossierJob.objects.filter(pk=job.pk).update(started_at=timezone.now() - dt.timedelta(hours=1))
    job.refresh_from_db()
    built = actions.dossier_build(case=case, actor=zhang, job=job)
    assert built is not None and DossierJob.objects.get().status == JobStatus.DONE


@pytest.mark.django_db(transaction=True)
def test_the_case_goes_on_while_its_dossier_is_bound(case, plaintiff_zhang, defendant_wang):
    """On SQLite an open write transaction locks out every other writer: the build renders
    with none open, so a message sent meanwhile is stored."""
    zhang, wang = Actor.citizen(plaintiff_zhang), Actor.citizen(defendant_wang)
    space_actions.message_post(case=case, actor=zhang, text="已提交借条")
    run_child = pdf._run_child
    outcome: dict = {}

    def render_while_wang_posts(job: bytes, *, timeout: float) -> bytes:
        if "writer" not in outcome:

            def post() -> None:
                from django.db import connection

                try:
                    space_actions.message_post(case=case, actor=wang, text="我方申请延期举证")
                except BaseException as error:
                    outcome["error"] = error
                finally:
                    connection.close()

            outcome["writer"] = threading.Thread(target=post)
            outcome["writer"].start()
            outcome["writer"].join(timeout=15)
            outcome["waited"] = outcome["writer"].is_alive()
        return run_child(job, timeout=timeout)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(pdf, "_run_child", render_while_wang_posts)
        built = actions.dossier_build(case=case, actor=zhang)

    assert outcome.get("waited") is False and "error" not in outcome, outcome
    assert Message.objects.filter(text="我方申请延期举证").exists()
    assert built is not None and DossierJob.objects.get().status == JobStatus.DONE

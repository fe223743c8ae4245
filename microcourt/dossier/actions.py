"""Building and reading the e-dossier. Each build and each reading is a ledger entry; a
reading of court-only material is recorded with what was read (its private part)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from microcourt.cases import policies as case_policies
from microcourt.core import pdf, uploads
from microcourt.core.actor import Actor
from microcourt.core.effects import on_commit
from microcourt.core.errors import Conflict
from microcourt.ledger import actions as ledger

from . import builder, policies, selectors, tasks
from .events import LedgerEvent
from .models import Audience, DossierBuild, DossierJob, Failure, JobStatus
from .states import JOB

SYSTEM = Actor.system("e-dossier build (worker)")


@transaction.atomic
def dossier_request(*, case, actor: Actor) -> DossierJob:
    """Ask for the dossier the actor reads to be bound as the case is now (在线诉讼规则第三十五
    条); the worker binds it (``tasks.build``) and the page follows the job. A request while
    one for the same dossier is still queued is that one."""
    audience = policies.require_read(actor, case)
    actor = case_policies.on_case(actor, case)
    queued = DossierJob.objects.filter(case=case, audience=audience, status=JobStatus.QUEUED)
    job = queued.first()
    if job is not None:
        return job
    job = DossierJob.objects.create(case=case, audience=audience, requested_by=actor.user)
    ledger.record(
        code=LedgerEvent.REQUESTED,
        actor=actor,
        case_id=case.pk,
        data={"job": job.pk, "audience": audience},
    )
    on_commit(tasks.build.enqueue, case.pk, actor.user_id, actor.role, actor.court_id, job.pk)
    return job


def dossier_build(*, case, actor: Actor, job: DossierJob | None = None) -> DossierBuild | None:
    """Bind the case's documents as they are now into one PDF for the dossier the actor
    reads (在线诉讼规则第三十五条).

    Never inside one transaction: rendering a large case takes seconds, and on SQLite an
    open write transaction keeps every other writer waiting. The job is claimed in a short
    write, the documents read and rendered with no transaction open (each render in a child
    process, all within ``RENDER_BUDGET_SECONDS``), then the file stored and the build, its
    ledger entry and the job's end written together. Run twice, the second run finds the
    job claimed or done and makes nothing (``None``, or the build already made). Past the
    budget the job fails with the reason and ``RenderTimeout`` is raised."""
    audience = policies.require_read(actor, case)
    actor = case_policies.on_case(actor, case)
    if job is None:
        job = DossierJob.objects.create(case=case, audience=audience, requested_by=actor.user)
    if job.status == JobStatus.DONE:
        return job.build
    try:
        JOB.apply(
            job,
            "start" if job.status == JobStatus.QUEUED else "restart",
            actor=SYSTEM,
            updates={"started_at": timezone.now(), "budget_seconds": pdf.budget_seconds()},
        )
    except Conflict:
        return None  # another run has it (or it ended)
    try:
        with pdf.budget(job.budget_seconds):
            docs = selectors.documents(case, audience)
            built = builder.build(case, docs, audience_label=str(Audience(audience).label))
    except pdf.RenderTimeout:
        _fail(job, Failure.TIMEOUT)
        raise
    except Exception:
        _fail(job, Failure.ERROR)
        raise
    stored = uploads.store(built.pdf, mime="application/pdf", prefix="dossier")
    try:
        with transaction.atomic():
            JOB.apply(job, "finish", actor=SYSTEM, updates={"finished_at": timezone.now()})
            row = DossierBuild.objects.create(
                case=case,
                audience=audience,
                built_by=actor.user,
                sha256=stored.sha256,
                size=stored.size,
                path=stored.path,
                pages=built.pages,
                catalogue=built.catalogue,
            )
            DossierJob.objects.filter(pk=job.pk).update(build=row)
            ledger.record(
                code=LedgerEvent.BUILT,
                actor=actor,
                case_id=case.pk,
                subject_digest=stored.digest,
                data={"build": row.pk, "job": job.pk, "audience": audience, "documents": len(docs)},
            )
    except Conflict:
        job.refresh_from_db()
        return job.build  # a second run finished it first: that build stands
    job.build = row
    return row


def dossier_refuse(*, job: DossierJob) -> None:
    """The reader no longer reads this dossier (a court role revoked, a place on the panel
    lost, since the request): the job fails, nothing is built."""
    _fail(job, Failure.REFUSED)


def _fail(job: DossierJob, failure: str) -> None:
    """A job ends failed with its reason, in a short write of its own (the render's
    failure is not rolled back with anything)."""
    try:
        JOB.apply(
            job,
            "fail",
            actor=SYSTEM,
            note=failure,
            updates={"failure": failure, "finished_at": timezone.now()},
        )
    except Conflict:
        job.refresh_from_db()  # ended by another run meanwhile


@transaction.atomic
def dossier_read(*, build: DossierBuild, actor: Actor) -> DossierBuild:
    """Record that the actor opened this build (阅卷, 流程公开规定第十一条); court-only material
    is named."""
    policies.require_read_build(actor, build)
    actor = case_policies.on_case(actor, build.case)
    ledger.record(
        code=LedgerEvent.READ,
        actor=actor,
        case_id=build.case_id,
        subject_digest=build.digest,
        data={"build": build.pk},
    )
    court_only = [r for r in build.catalogue if r.get("court_only")]
    if court_only:
        ledger.record(
            code=LedgerEvent.COURT_ONLY_READ,
            actor=actor,
            case_id=build.case_id,
            data={
                "build": build.pk,
                "items": [{"title": r["title"], "sha256": r["sha256"]} for r in court_only],
                "note": _("仅法院可见的材料"),
            },
        )
    return build

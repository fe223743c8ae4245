"""The e-dossier API: the catalogue of the reader's latest builds, and a new build (made by
the worker). Whoever reads no dossier of the case (``policies.py``) gets 404."""

from django.http import HttpRequest
from ninja import Router, Schema, Status

from microcourt.core.actor import actor_of

from . import actions, selectors

router = Router(tags=["dossier"])


class BuildOut(Schema):
    id: int
    audience: str
    built_at: str
    pages: int
    sha256: str
    pdf: str
    catalogue: list[dict]


class QueuedOut(Schema):
    queued: bool
    job: int


class JobOut(Schema):
    id: int
    status: str  # queued, building, done, failed
    reason: str  # why it failed, in the reader's language
    requested_at: str
    build: int | None


@router.get("/cases/{case_id}/dossier", response=list[BuildOut])
def builds(request: HttpRequest, case_id: int):
    """The reader's dossiers of this case, newest first, each with its catalogue."""
    actor, case, _audience = selectors.dossier_case(actor_of(request), case_id)
    return [
        {
            "id": b.pk,
            "audience": b.audience,
            "built_at": b.built_at.isoformat(),
            "pages": b.pages,
            "sha256": b.sha256,
            "pdf": f"/cases/{case.pk}/dossier/{b.pk}.pdf",
            "catalogue": b.catalogue,
        }
        for b in selectors.builds_for(actor, case)
    ]


@router.post("/cases/{case_id}/dossier", response={202: QueuedOut})
def build(request: HttpRequest, case_id: int):
    """Bind the file as it is now; poll ``GET …/dossier/job`` (a large case takes seconds)."""
    actor, case, _audience = selectors.dossier_case(actor_of(request), case_id)
    job = actions.dossier_request(case=case, actor=actor)
    return Status(202, {"queued": True, "job": job.pk})


@router.get("/cases/{case_id}/dossier/job", response={200: JobOut, 204: None})
def job(request: HttpRequest, case_id: int):
    """The latest request to bind the reader's dossier: queued, building, done (``build``)
    or failed with the ``reason``; 204 when there has been none."""
    actor, case, _audience = selectors.dossier_case(actor_of(request), case_id)
    latest = selectors.latest_job(actor, case)
    if latest is None:
        return Status(204, None)
    return {
        "id": latest.pk,
        "status": latest.status,
        "reason": latest.reason,
        "requested_at": latest.requested_at.isoformat(),
        "build": latest.build_id,
    }

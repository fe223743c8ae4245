"""The e-dossier API: the catalogue of the reader's latest builds, and a new build (made by
the worker). Whoever reads no dossier of the case (``policies.py``) gets 404."""

from django.http import HttpRequest
from ninja import Router, Schema, Status

from microcourt.core.actor import actor_of
from microcourt.core.effects import on_commit

from . import selectors, tasks

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
    """Bind the file as it is now; poll GET for the result (a large case takes seconds)."""
    actor, case, _audience = selectors.dossier_case(actor_of(request), case_id)
    on_commit(tasks.build.enqueue, case.pk, actor.user_id, actor.role, actor.court_id)
    return Status(202, {"queued": True})

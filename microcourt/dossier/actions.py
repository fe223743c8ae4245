"""Building and reading the e-dossier. Each build and each reading is a ledger entry; a
reading of court-only material is recorded with what was read (its private part)."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from microcourt.cases import policies as case_policies
from microcourt.core import uploads
from microcourt.core.actor import Actor
from microcourt.ledger import actions as ledger

from . import builder, policies, selectors
from .events import LedgerEvent
from .models import Audience, DossierBuild


def dossier_build(*, case, actor: Actor) -> DossierBuild:
    """Bind the case's documents as they are now into one PDF for the dossier the actor
    reads (在线诉讼规则第三十五条). Rendering takes seconds for a large case, so it runs outside
    the transaction."""
    audience = policies.require_read(actor, case)
    actor = case_policies.on_case(actor, case)
    docs = selectors.documents(case, audience)
    built = builder.build(case, docs, audience_label=str(Audience(audience).label))
    stored = uploads.store(built.pdf, mime="application/pdf", prefix="dossier")
    with transaction.atomic():
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
        ledger.record(
            code=LedgerEvent.BUILT,
            actor=actor,
            case_id=case.pk,
            subject_digest=stored.digest,
            data={"build": row.pk, "audience": audience, "documents": len(docs)},
        )
    return row


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

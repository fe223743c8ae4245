"""Exhibits: submission with its evidence-list entry (在线诉讼规则第十一条、第十二条), the
court-only mark (第三十八条), logged looks at court-only material, and previews."""

from __future__ import annotations

import contextlib

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from microcourt.cases import policies as case_policies
from microcourt.cases.models import Case, CaseParticipant
from microcourt.core import uploads
from microcourt.core.actor import Actor
from microcourt.core.effects import on_commit
from microcourt.core.errors import Conflict, InvalidInput
from microcourt.ledger import actions as ledger
from microcourt.notifications.actions import notify

from .. import limits, policies, selectors
from ..events import LedgerEvent as E
from ..models import Exhibit, ExhibitCounter, PreviewStatus
from ..states import PREVIEW
from ._common import exhibit_url, text


def exhibit_submit(
    *,
    case: Case,
    actor: Actor,
    upload,
    name: str,
    source: str,
    purpose: str,
    pages: int | str | None = 1,
    party_id: int | None = None,
) -> Exhibit:
    """A party (or its agent, for the party it represents) submits one item of its evidence
    list (名称、来源、证明目的、页数) (在线诉讼规则第十一条、第十二条).

    The fields are checked, the file is sniffed, streamed to the storage within its kind's
    limit and hashed on the way, and stored under its SHA-256 before the row is written:
    nothing is stored for a refused upload, and nothing acknowledged is lost."""
    party = policies.require_submit(actor, case, party_id)
    actor = case_policies.on_case(actor, case)
    name = text(name, "name", _("名称"), 200)
    source = text(source, "source", _("来源"), 200)
    purpose = text(purpose, "purpose", _("证明目的"), 2000)
    try:
        pages = int(pages or 1)
        if pages < 1 or pages > 100000:
            raise ValueError
    except (TypeError, ValueError):
        raise InvalidInput(_("页数不正确"), fields={"pages": _("请填写正整数")}) from None
    mime, kind = limits.classify(upload)
    stored = uploads.store(
        upload,
        mime=mime,
        prefix="evidence",
        max_bytes=limits.limit_for(kind),
        extension=limits.EXTENSION.get(mime),
    )
    original_name = (getattr(upload, "name", "") or "")[:255]
    return _exhibit_create(
        case=case,
        actor=actor,
        party=party,
        stored=stored,
        kind=kind,
        fields={
            "name": name,
            "source": source,
            "purpose": purpose,
            "pages": pages,
            "original_name": original_name,
        },
    )


@transaction.atomic
def _exhibit_create(*, case, actor, party, stored, kind, fields) -> Exhibit:
    counter, _created = ExhibitCounter.objects.get_or_create(case=case)
    counter = ExhibitCounter.objects.select_for_update().get(pk=counter.pk)
    counter.last_number += 1
    counter.save(update_fields=["last_number"])
    own = CaseParticipant.objects.filter(case=case, user_id=actor.user_id, active=True)
    role = next(
        (p.role for p in own if p.pk == party.pk or p.represents_id == party.pk), party.role
    )
    exhibit = Exhibit.objects.create(
        case=case,
        party=party,
        submitted_by=actor.user,
        submitted_by_role=role,
        number=counter.last_number,
        kind=kind,
        sha256=stored.sha256,
        size=stored.size,
        mime=stored.mime,
        path=stored.path,
        **fields,
    )
    entry = ledger.record(
        code=E.EXHIBIT_SUBMITTED,
        actor=actor,
        case_id=case.pk,
        subject_digest=stored.digest,
        data={
            "exhibit": exhibit.pk,
            "number": exhibit.number,
            "party": party.pk,
            "mime": stored.mime,
        },
    )
    exhibit.ledger_entry_id = entry.pk
    exhibit.save(update_fields=["ledger_entry_id"])
    from .. import tasks

    on_commit(tasks.make_preview.enqueue, exhibit.pk)
    for other in selectors.opposing_parties(exhibit):
        if other.user_id:
            notify(
                event="evidence.submitted",
                recipient=other.user,
                params={"party": party.display_name, "n": exhibit.number, "name": exhibit.name},
                url=exhibit_url(exhibit),
                idempotency_key=f"evidence.submitted:{exhibit.pk}:{other.pk}",
            )
    return exhibit


@transaction.atomic
def exhibit_set_court_only(*, exhibit: Exhibit, actor: Actor, court_only: bool = True) -> Exhibit:
    """The judge limits an exhibit to the court (e.g. trade secrets, 在线诉讼规则第三十八条)."""
    exhibit = Exhibit.objects.select_for_update().get(pk=exhibit.pk)
    policies.require_set_court_only(actor, exhibit)
    actor = case_policies.on_case(actor, exhibit.case)
    exhibit.court_only = bool(court_only)
    exhibit.save(update_fields=["court_only", "updated_at"])
    ledger.record(
        code=E.COURT_ONLY_SET,
        actor=actor,
        case_id=exhibit.case_id,
        subject_digest=f"sha256:{exhibit.sha256}",
        data={"exhibit": exhibit.pk, "court_only": exhibit.court_only},
    )
    return exhibit


@transaction.atomic
def court_only_viewed(*, exhibit: Exhibit, actor: Actor, what: str = "page") -> None:
    """Every look at court-only material is in the ledger's private part (ARCHITECTURE §4.7)."""
    ledger.record(
        code=E.COURT_ONLY_VIEWED,
        actor=case_policies.on_case(actor, exhibit.case),
        case_id=exhibit.case_id,
        subject_digest=f"sha256:{exhibit.sha256}",
        data={"exhibit": exhibit.pk, "what": what},
    )


def log_view(exhibit: Exhibit, actor: Actor, viewer: selectors.Viewer, what: str = "page") -> None:
    if exhibit.court_only and viewer.court:
        court_only_viewed(exhibit=exhibit, actor=actor, what=what)


_PREVIEW_TRANSITION = {
    PreviewStatus.READY: "ready",
    PreviewStatus.NONE: "none",
    PreviewStatus.FAILED: "fail",
}


def preview_make(*, exhibit_id: int) -> Exhibit:
    """Make the exhibit's preview (idempotent: a finished preview is left alone; a failed one
    is tried again)."""
    from .. import previews

    exhibit = Exhibit.objects.get(pk=exhibit_id)
    if exhibit.preview_status in (PreviewStatus.READY, PreviewStatus.NONE):
        return exhibit
    status, path, excerpt, failure = previews.make(exhibit)
    # Another worker may finish it first (a conflict): its preview stands.
    with contextlib.suppress(Conflict):
        PREVIEW.apply(
            exhibit,
            _PREVIEW_TRANSITION[status],
            actor=Actor.system("exhibit preview"),
            updates={"preview_path": path, "preview_text": excerpt, "preview_failure": failure},
        )
    exhibit.refresh_from_db()
    return exhibit

"""A filing's materials: uploads read with a size limit, their type sniffed from the bytes,
stored content-addressed before they are acknowledged, each with a ledger entry carrying its
SHA-256 (ARCHITECTURE §5: nothing a user submitted is ever lost)."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from microcourt.core import uploads
from microcourt.core.actor import Actor
from microcourt.core.errors import Conflict, InvalidInput, NotFound
from microcourt.ledger import actions as ledger

from ..events import LedgerEvent
from ..models import Filing, FilingMaterial, MaterialKind
from ._common import MAX_MATERIALS, _editable, _mine, _text, _touch


def max_upload_bytes() -> int:
    return int(getattr(settings, "FILING_MAX_UPLOAD_BYTES", 20 * 1024 * 1024))


def material_store(
    *,
    filing: Filing,
    actor: Actor,
    kind: str,
    name: str,
    data,
    mime: str,
    generated: bool = False,
    max_bytes: int | None = None,
) -> FilingMaterial:
    """Store an upload (streamed and hashed on the way, stopped past ``max_bytes``) or bytes
    the platform generated, content-addressed, and attach it with a ledger entry carrying the
    SHA-256 (inside the caller's transaction)."""
    stored = uploads.store(data, mime=mime, prefix="filing", max_bytes=max_bytes)
    material = FilingMaterial.objects.create(
        filing=filing,
        kind=kind,
        name=name[:200],
        sha256=stored.sha256,
        size=stored.size,
        mime=stored.mime,
        path=stored.path,
        uploaded_by=actor.user,
        generated=generated,
    )
    ledger.record(
        code=LedgerEvent.COMPLAINT_GENERATED
        if generated and kind == MaterialKind.COMPLAINT
        else LedgerEvent.DOCUMENT_ISSUED
        if generated
        else LedgerEvent.MATERIAL_ADDED,
        actor=actor,
        case_id=filing.case_id,
        subject_digest=stored.digest,
        data={"filing": filing.number, "material": material.pk, "kind": kind, "size": stored.size},
    )
    return material


@transaction.atomic
def material_add(
    *, filing: Filing, actor: Actor, kind: str, upload, name: str = ""
) -> FilingMaterial:
    """An upload: read with a size limit while streaming, its type sniffed from the bytes,
    stored under its SHA-256 before it is acknowledged."""
    filing, actor = _mine(filing, actor)
    _editable(filing)
    allowed_kinds = set(MaterialKind.values) - {MaterialKind.COURT_DOCUMENT}
    if kind not in allowed_kinds:
        raise InvalidInput(_("材料类型不正确"), fields={"kind": _("请选择材料类型")})
    if filing.materials.filter(removed=False).count() >= MAX_MATERIALS:
        raise InvalidInput(
            _("材料过多"), fields={"file": _("最多 %(n)s 份") % {"n": MAX_MATERIALS}}
        )
    uploads.require(upload, field="file", max_bytes=max_upload_bytes())
    mime = uploads.sniff(upload, field="file", allowed=uploads.FILED_DOCUMENTS)
    label = _text(name or getattr(upload, "name", "") or MaterialKind(kind).label, max_length=200)
    material = material_store(
        filing=filing, actor=actor, kind=kind, name=label[:200], data=upload, mime=mime,
        max_bytes=max_upload_bytes(),
    )  # fmt: skip
    _touch(filing)
    return material


@transaction.atomic
def material_remove(*, filing: Filing, actor: Actor, material_id: int) -> None:
    """Take a material out of the filing. The file itself is kept (nothing submitted is
    ever lost); only an unsubmitted draft's own uploads can be withdrawn."""
    filing, actor = _mine(filing, actor)
    _editable(filing)
    material = filing.materials.filter(pk=material_id, removed=False, generated=False).first()
    if material is None:
        raise NotFound(_("没有找到该材料"))
    # What the court has received stays with the filing (its snapshot names it).
    if filing.submitted_at is not None and material.created_at <= filing.submitted_at:
        raise Conflict(_("已提交给法院的材料不能移除"), code="material_submitted")
    FilingMaterial.objects.filter(pk=material.pk).update(removed=True)
    ledger.record(
        code=LedgerEvent.MATERIAL_REMOVED,
        actor=actor,
        subject_digest=material.digest,
        data={"filing": filing.number, "material": material.pk},
    )
    _touch(filing)

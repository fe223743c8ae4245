"""The complaint assistant: the 要素式 answers become a 民事起诉状 (PDF and Word), and the
filing's claims and facts what it says, for the applicant to review before submitting."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from microcourt.core import uploads
from microcourt.core.actor import Actor
from microcourt.core.errors import InvalidInput

from ..models import (
    Filing,
    FilingClaim,
    FilingMaterial,
    FilingParty,
    MaterialKind,
    PartyKind,
    PartySide,
)
from ._common import _editable, _mine, _touch
from .drafts import filing_update
from .materials import material_store


def _party_info(party: FilingParty):
    from ..complaint.document import PartyInfo

    side = {
        PartySide.CLAIMANT: "plaintiff",
        PartySide.RESPONDENT: "defendant",
        PartySide.THIRD_PARTY: "third_party",
    }[party.side]
    return PartyInfo(
        side=side,
        kind=party.kind,
        name=party.name,
        gender=party.gender,
        birth_date=party.birth_date,
        ethnicity=party.ethnicity,
        id_number=party.id_number,
        address=party.address,
        phone=party.phone.removeprefix("+86"),
        uscc=party.uscc,
        legal_representative=party.legal_representative,
        representative_title=_("法定代表人") if party.kind == PartyKind.LEGAL else _("负责人"),
    )


def complaint_generate(*, filing: Filing, actor: Actor, answers: dict | None = None) -> Filing:
    """Turn the 要素式 answers into a 民事起诉状 (PDF and Word), and the filing's claims and
    facts into what it says, for the applicant to review before submitting. The answers
    are saved first, in their own transaction, so they are kept even when refused."""
    if answers is not None:
        filing = filing_update(filing=filing, actor=actor, changes={"elements": answers})
    return _complaint_write(filing=filing, actor=actor)


@transaction.atomic
def _complaint_write(*, filing: Filing, actor: Actor) -> Filing:
    from ..complaint import document, render

    filing, actor = _mine(filing, actor)
    _editable(filing)
    template = filing.cause.assistant if filing.cause_id else ""
    if not template:
        raise InvalidInput(
            _("该案由暂无诉状助手，请直接填写诉讼请求和事实理由"),
            fields={"cause": _("请选择有诉状助手的案由")},
        )
    if filing.court_id is None:
        raise InvalidInput(_("请先选择受诉法院"), fields={"court": _("请选择法院")})
    parties = [_party_info(p) for p in filing.parties.all()]
    doc = document.build(
        template=template,
        answers=filing.elements,
        parties=parties,
        court_name=filing.court.name,
        date=timezone.localdate(),
    )
    FilingClaim.objects.filter(filing=filing).delete()
    for position, claim in enumerate(doc.claims):
        FilingClaim.objects.create(
            filing=filing, text=claim.text[:500], amount=claim.amount, position=position
        )
    filing.facts = "\n".join(doc.facts)
    filing.save(update_fields=["facts", "updated_at"])
    FilingMaterial.objects.filter(
        filing=filing, kind=MaterialKind.COMPLAINT, generated=True, removed=False
    ).update(removed=True)
    for data, mime, suffix in (
        (render.render_pdf(doc), "application/pdf", "pdf"),
        (render.render_docx(doc), uploads.DOCX, "docx"),
    ):
        material_store(
            filing=filing,
            actor=actor,
            kind=MaterialKind.COMPLAINT,
            name=f"民事起诉状.{suffix}",
            data=data,
            mime=mime,
            generated=True,
        )
    _touch(filing)
    return filing

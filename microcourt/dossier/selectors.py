"""What goes into a case's e-dossier and who reads which one (在线诉讼规则第三十五条;
流程公开规定第十一条: parties read the e-dossier online)."""

from __future__ import annotations

from collections.abc import Callable

from django.utils.translation import gettext_lazy as _

from microcourt.cases import selectors as case_selectors
from microcourt.core.actor import Actor
from microcourt.core.errors import NotFound
from microcourt.evidence import selectors as evidence_selectors
from microcourt.filing import selectors as filing_selectors
from microcourt.service import selectors as service_selectors
from microcourt.spaces import selectors as space_selectors

from . import policies
from .builder import Document, stored
from .models import Audience, DossierBuild, DossierJob


def dossier_case(actor: Actor, case_id: int) -> tuple[Actor, object, str]:
    """What the pages and the API start from: the actor bound to the case (the role the ledger
    records), the case, and the dossier it reads; ``NotFound`` for anyone who reads none."""
    case = case_selectors.case_for(actor, case_id)
    audience = policies.require_read(actor, case)
    return case_selectors.acting_as(actor, case), case, audience


def audience_for(actor: Actor, case) -> str:
    """The court's people read the court's dossier (court-only material included); parties
    and their agents read theirs. Anyone else: not found (``policies.audience_for``)."""
    return policies.audience_for(actor, case)


# Documents of apps above the dossier, which it may not import (the hearings' signed
# records): each registers ``(section, items)`` in its ``apps.ready``; ``items(case)`` gives
# dicts like ``filing_selectors.dossier_items``.
SOURCES: list[tuple[str, Callable[[object], list[dict]]]] = []


def register_source(section: str, items: Callable[[object], list[dict]]) -> None:
    if all(fn is not items for _section, fn in SOURCES):
        SOURCES.append((section, items))


def documents(case, audience: str) -> list[Document]:
    """Every document, in the order a court binds a file: filing, evidence, the
    cross-examination record, the service certificates, and (for the court) the case space."""
    court = audience == Audience.COURT
    docs = [
        Document(
            section=str(_("立案材料")),
            title=item["title"],
            category=item["category"],
            mime=item["mime"],
            sha256=item["sha256"],
            court_only=item["court_only"],
            load=stored(item["path"]),
        )
        for item in filing_selectors.dossier_items(case)
        # The parties' edition is read by both sides: a party's identity papers and
        # authorisations stay in the court's (filing.policies.PRIVATE_KINDS).
        if court or not item["court_only"]
    ]
    for item in evidence_selectors.dossier_items(case):
        if item["court_only"] and not court:
            continue
        docs.append(
            Document(
                section=str(_("证据材料")),
                title=f"{_('证据')}{item['number']}：{item['title']}",
                category=str(_("证据")),
                mime=item["mime"],
                sha256=item["sha256"],
                court_only=item["court_only"],
                load=stored(item["path"]),
            )
        )
    record = evidence_selectors.cross_examination_pdf(case)
    if record:
        docs.append(_generated(str(_("质证记录")), str(_("质证意见汇总")), record))
    for item in service_selectors.dossier_items(case):
        docs.append(
            Document(
                section=str(_("送达材料")),
                title=item["title"],
                category=item["category"],
                mime=item["mime"],
                sha256=item["sha256"],
                load=stored(item["path"]),
            )
        )
    for section, items in SOURCES:
        for item in items(case):
            if item.get("court_only") and not court:
                continue
            docs.append(
                Document(
                    section=str(section),
                    title=item["title"],
                    category=item["category"],
                    mime=item["mime"],
                    sha256=item["sha256"],
                    court_only=bool(item.get("court_only")),
                    load=stored(item["path"]),
                )
            )
    if court:
        docs.append(
            _generated(
                str(_("案件空间记录")),
                str(_("一案一空间消息记录")),
                space_selectors.dossier_pdf(case),
            )
        )
    return docs


def _generated(section: str, title: str, pdf: bytes) -> Document:
    import hashlib

    return Document(
        section=section,
        title=title,
        category=str(_("系统生成")),
        mime="application/pdf",
        sha256=hashlib.sha256(pdf).hexdigest(),
        pdf=pdf,
    )


def builds_for(actor: Actor, case) -> list[DossierBuild]:
    """The latest builds of the dossier the actor reads, newest first."""
    audience = policies.require_read(actor, case)
    return list(DossierBuild.objects.filter(case=case, audience=audience)[:10])


def build_for(actor: Actor, case, build_id: int) -> DossierBuild:
    audience = policies.require_read(actor, case)
    build = DossierBuild.objects.filter(case=case, audience=audience, pk=build_id).first()
    if build is None:
        raise NotFound(_("没有找到该卷宗"))
    return build


def latest_job(actor: Actor, case) -> DossierJob | None:
    """The latest request to bind the dossier the actor reads (by anyone who reads it): the
    page shows it while queued or building, and its reason when it failed."""
    audience = policies.require_read(actor, case)
    return DossierJob.objects.filter(case=case, audience=audience).first()

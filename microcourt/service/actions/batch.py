"""Batch serving across cases from the clerk's desk."""

from __future__ import annotations

from django.utils.translation import gettext as _

from microcourt.core.actor import Actor
from microcourt.core.errors import Conflict, Forbidden, InvalidInput, NotFound

from .. import selectors
from ..models import Service
from .common import as_int
from .documents import document_of_case
from .serving import service_serve


def services_serve_cases(
    *, actor: Actor, case_ids: list, document: str, recipients: str = "other_side"
) -> tuple[list[Service], dict[str, str]]:
    """Batch serving across cases (a clerk's morning): the same kind of document — each
    case's own copy — on the chosen recipients of every ticked case. Only the cases the actor
    serves are accepted (``policies.serving_cases_q``: on the panel, or the filing officer of
    the court); one that is not refuses the whole request. Each case is then served in its
    own transaction; a case that cannot be served is reported by its 案号 and the others go
    ahead."""
    if document not in selectors.BATCH_DOCUMENTS:
        raise InvalidInput(_("请选择要送达的文书"), fields={"document": _("请选择文书种类")})
    if recipients not in ("other_side", "all"):
        raise InvalidInput(_("请选择受送达人"), fields={"recipients": _("请选择受送达人")})
    ids = {as_int(i, "cases") for i in case_ids}
    if not ids:
        raise InvalidInput(_("请选择案件"), fields={"cases": _("请至少选择一件案件")})
    cases = list(selectors.batch_cases(actor).filter(pk__in=ids))
    if len(cases) != len(ids):
        raise InvalidInput(_("请选择案件"), fields={"cases": _("只能选择您承办的、正在审理的案件")})
    served, problems = [], {}
    for case in cases:
        found = selectors.batch_document(case, document)
        people = [
            p.pk
            for p in selectors.recipients(case)
            if recipients == "all" or p.role in selectors.OTHER_SIDE
        ]
        try:
            if found is None:
                raise InvalidInput(_("本案没有这份文书"))
            if not people:
                raise InvalidInput(_("本案没有这样的受送达人"))
            served += service_serve(
                case=case,
                actor=actor,
                recipient_ids=people,
                documents=[document_of_case(case=case, key=found["key"])],
            )
        except (InvalidInput, Forbidden, Conflict, NotFound) as exc:
            detail = "；".join(str(v) for v in exc.fields.values()) or str(exc.message)
            problems[case.number] = detail
    return served, problems

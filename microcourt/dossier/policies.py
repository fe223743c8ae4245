"""Who reads which e-dossier (docs/adr/0001-policies.md; 在线诉讼规则第三十五条, 流程公开规定
第十一条): the court side of the case — its panel and the court-wide roles of its court
(``cases.policies.COURT_SIDE``) — reads the court's dossier, court-only material included
(every reading of it is in the ledger); the parties and their representatives read the
parties' dossier, without it. Anyone else — staff of another court, staff of this court not
on the panel, a panel member whose court role was revoked — finds nothing (404)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from microcourt.cases import policies as case_policies
from microcourt.core.actor import Actor
from microcourt.core.errors import NotFound

from .models import Audience


def audience_for(actor: Actor, case) -> str:
    """The dossier the actor reads on this case; ``NotFound`` when none."""
    if case_policies.is_court_side(actor, case):
        return Audience.COURT
    if case_policies.represented_parties(actor, case):
        return Audience.PARTIES
    raise NotFound(_("没有找到该案件"))


def may_read(actor: Actor, case) -> bool:
    try:
        audience_for(actor, case)
    except NotFound:
        return False
    return True


def require_read(actor: Actor, case) -> str:
    """Reading, or binding a new build of, the dossier the actor may read; returns which."""
    return audience_for(actor, case)


def require_read_build(actor: Actor, build) -> None:
    """A build is read only by those whose dossier it is (a party never opens the court's)."""
    if require_read(actor, build.case) != build.audience:
        raise NotFound(_("没有找到该卷宗"))

"""Who may do what with a case's evidence (docs/adr/0001-policies.md), for the page, the API
and a direct call alike.

- Seeing evidence: the court side of the case (its panel, and the court-wide roles of its
  court: ``cases.policies.COURT_SIDE``) sees every exhibit, court-only ones included (each look
  at those is in the ledger); the parties and their representatives see every exhibit that is
  not court-only. Anyone else — staff of another court, staff of this court not on the panel —
  finds nothing (404).
- Submitting exhibits, objecting to a copy, stating a mode, giving opinions (三性): the
  parties, in person or through their representatives, each for the party they act for.
- Requiring an original and recording it verified or deemed (在线诉讼规则第十二条、第十三条):
  the judge, the judge's assistant or the clerk on the panel (a mediator does not rule on
  evidence; a filing officer or administrator does not handle the case's evidence).
- Opening a cross-examination period (第十四条) and limiting an exhibit to the court: the judge
  on the panel.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from microcourt.cases import policies as case_policies
from microcourt.cases.selectors import Viewer, viewer_of
from microcourt.core.actor import Actor
from microcourt.core.errors import Forbidden, InvalidInput, NotFound

# 在线诉讼规则第十二条、第十三条: the court's people on the case who rule on originals.
ORIGINAL_DECIDERS = frozenset({"judge", "judge_assistant", "clerk"})
# 第十四条: the judge sets the cross-examination (mode, exhibits, period).
EXAMINERS = frozenset({"judge"})
# 第三十八条 (trade secrets, personal data): the judge limits an exhibit to the court.
COURT_ONLY_SETTERS = frozenset({"judge"})
# Who acts for a party: the party itself and its representatives.
PARTY_SIDE = case_policies.PARTY_SIDE


def viewer(actor: Actor, case) -> Viewer:
    return viewer_of(actor, case)


def may_see_evidence(actor: Actor, case) -> bool:
    v = viewer_of(actor, case)
    return v.court or bool(v.parties)


def require_see_evidence(actor: Actor, case) -> Viewer:
    """The actor's standing on the case's evidence; ``NotFound`` without any."""
    v = viewer_of(actor, case)
    if not v.court and not v.parties:
        raise NotFound(_("没有找到该案件"))
    return v


def may_see_exhibit(v: Viewer, exhibit) -> bool:
    return v.court or not exhibit.court_only


def require_see_exhibit(actor: Actor, exhibit) -> Viewer:
    v = require_see_evidence(actor, exhibit.case)
    if not may_see_exhibit(v, exhibit):
        raise NotFound(_("没有找到该证据"))
    return v


def may_object(v: Viewer, exhibit) -> bool:
    """Whether the actor acts for a party other than the one that submitted the exhibit."""
    return any(p.pk != exhibit.party_id for p in v.parties)


def party_for(v: Viewer, party_id: int | None):
    """The party the actor acts for: the one named, or the only one it may act for.
    ``Forbidden`` for someone who acts for no party (the court does not submit a party's
    evidence or speak for it)."""
    if not v.parties:
        raise Forbidden(_("只有当事人或其代理人可以进行此操作"))
    if party_id is None:
        if len(v.parties) == 1:
            return v.parties[0]
        raise InvalidInput(_("请选择代表的当事人"), fields={"party": _("请选择当事人")})
    for party in v.parties:
        if party.pk == party_id:
            return party
    raise InvalidInput(_("您不能代表该当事人"), fields={"party": _("您不能代表该当事人")})


def require_submit(actor: Actor, case, party_id: int | None = None):
    """A party (or its representative, for the party it represents) submits its evidence
    (在线诉讼规则第十一条). Returns the party submitted for."""
    return party_for(require_see_evidence(actor, case), party_id)


def require_object(actor: Actor, exhibit, party_id: int | None = None):
    """An opposing party objects that a copy does not match the original (第十二条第二款第一
    项); not to its own exhibit. Returns the objecting party."""
    party = party_for(require_see_exhibit(actor, exhibit), party_id)
    if party.pk == exhibit.party_id:
        raise Forbidden(_("不能对己方提交的证据提出异议"))
    return party


def _require_panel(actor: Actor, case, roles: frozenset[str], reason) -> None:
    require_see_evidence(actor, case)  # no standing at all: "not found"
    if not case_policies.case_roles(actor, case) & roles and not actor.is_system:
        raise Forbidden(reason)


def may_decide_original(actor: Actor, exhibit) -> bool:
    return actor.is_system or bool(
        case_policies.case_roles(actor, exhibit.case) & ORIGINAL_DECIDERS
    )


def require_decide_original(actor: Actor, exhibit) -> None:
    """Requiring an original, or recording a copy verified or deemed original."""
    _require_panel(
        actor,
        exhibit.case,
        ORIGINAL_DECIDERS,
        _("只有本案的承办法官、法官助理或书记员可以认定原件"),
    )


def require_open_cross_examination(actor: Actor, case) -> None:
    _require_panel(actor, case, EXAMINERS, _("只有承办法官可以组织质证"))


def require_set_court_only(actor: Actor, exhibit) -> None:
    _require_panel(actor, exhibit.case, COURT_ONLY_SETTERS, _("只有承办法官可以进行此操作"))


def require_take_part(actor: Actor, period, party_id: int | None = None):
    """A party takes part in a cross-examination (its preferred mode, its opinions).
    Returns the party it acts for."""
    return party_for(require_see_evidence(actor, period.case), party_id)


def require_give_opinion(actor: Actor, period, exhibit, party_id: int | None = None):
    """Each opposing party states its opinion on the other side's exhibits (第十五条)."""
    party = require_take_part(actor, period, party_id)
    if party.pk == exhibit.party_id:
        raise Forbidden(_("不能对己方提交的证据发表质证意见"))
    return party


def may_see_matrix(v: Viewer) -> bool:
    """The matrix of every party's opinions is the court's working view."""
    return v.court

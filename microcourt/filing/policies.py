"""Who may do what with a filing (docs/adr/0001-policies.md): functions of the actor and the
filing, called by the actions (so a rule holds for the page, the API and a direct POST alike)
and by the selectors that scope reads.

- The applicant (the account that files, in person or as an agent) edits its own draft,
  submits, corrects and withdraws it.
- The court it is filed with decides it: its filing officers and administrator
  (``OFFICER_ROLES``) accept, ask once for corrections, reject and transfer; its court-wide
  roles (``courts.policies.CASE_WIDE_ROLES``: with the division head) read what was
  submitted to it, never drafts.
- 跨域立案: the court whose service centre received it (``RECEIVING_ROLES``) checks and
  forwards it, and may ask for corrections before it does.
- Once accepted, the case's panel reads the filing it came from.
Anyone else finds nothing (``NotFound``); someone who may see a filing but not do what they
ask gets ``Forbidden`` with the reason.

Materials (在线诉讼规则第三十八条: no disclosure beyond what the law gives): the filer's side and
the court read every material; the other side, once the case is accepted, reads only what the
law serves on it — the complaint (民诉法第一百二十八条) and evidence with the evidence notice —
never the filer's identity papers or authorisation.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from microcourt.cases import policies as case_policies
from microcourt.core.actor import CITIZEN, SYSTEM, Actor
from microcourt.core.errors import Forbidden, NotFound
from microcourt.courts.policies import CASE_WIDE_ROLES, staff_at
from microcourt.identity import selectors as identity_selectors
from microcourt.identity.roles import OrgRole

from . import rules
from .models import Filing, FilingMaterial, FilingParty, FilingStatus, MaterialKind, PartyKind

S = FilingStatus
# Role names of the filing's state table (states.py) beside the organisational ones.
APPLICANT = "applicant"  # the account that files (or its agent)
RECEIVING = "receiving_officer"  # a receiving court's officer, for 跨域立案
INVITEE = "invitee"  # the person a complaint names, verified as that person
# Who decides a filing at the court it is filed with.
OFFICER_ROLES = frozenset({OrgRole.FILING_OFFICER, OrgRole.COURT_ADMIN})
# Who receives a cross-region filing at another court's centre (a shared court included).
RECEIVING_ROLES = frozenset(
    {OrgRole.FILING_OFFICER, OrgRole.COURT_ADMIN, OrgRole.SHARED_COURT_STAFF}
)
# Who checks identities at the litigation service centre (现场核验, document reviews).
IDENTITY_DESK_ROLES = frozenset(
    {
        OrgRole.FILING_OFFICER,
        OrgRole.CLERK,
        OrgRole.JUDGE,
        OrgRole.JUDGE_ASSISTANT,
        OrgRole.COURT_ADMIN,
        OrgRole.SHARED_COURT_STAFF,
    }
)
# Before these the filing is not yet at its court: a draft, or still at the receiving centre.
NOT_AT_COURT = (S.DRAFT, S.AWAITING_FORWARD)
# What the other side reads of the filing once the case is accepted: what the law serves on
# it (民诉法第一百二十八条: the complaint copy; the evidence with 举证通知书).
SERVED_KINDS = frozenset({MaterialKind.COMPLAINT, MaterialKind.EVIDENCE})
SERVED_DOCUMENTS = frozenset({"evidence"})
# Never beyond the filer's side and the court: a person's identity papers and authorisation.
PRIVATE_KINDS = frozenset({MaterialKind.IDENTITY, MaterialKind.AUTHORISATION})

NOT_FOUND = _("没有找到该立案申请")
NOT_OFFICER = _("您不是该法院的立案审查人员，不能办理此事项。")


# --- seeing a filing ----------------------------------------------------------------------


def visible_q(actor: Actor) -> Q:
    """A filter for the filings the actor may see (see the module's docstring)."""
    q = Q(applicant_id=actor.user_id)
    q |= Q(court_id__in=actor.courts_with(CASE_WIDE_ROLES)) & ~Q(status__in=NOT_AT_COURT)
    q |= Q(receiving_court_id__in=actor.courts_with(RECEIVING_ROLES)) & ~Q(status=S.DRAFT)
    # The panel of the case it became, while its members hold a role at that court.
    q |= Q(
        case__participants__user_id=actor.user_id,
        case__participants__active=True,
        case__participants__role__in=case_policies.PANEL_ROLES,
        case__court_id__in={court for court, _role in actor.held},
    )
    return q


def is_applicant(actor: Actor, filing: Filing) -> bool:
    return actor.user_id is not None and actor.user_id == filing.applicant_id


def may_see(actor: Actor, filing: Filing) -> bool:
    """The same rule as ``visible_q``, for one filing already read."""
    if actor.is_system:
        return True
    if actor.user_id is None:
        return False
    if is_applicant(actor, filing):
        return True
    if filing.status not in NOT_AT_COURT and actor.roles_at(filing.court_id) & CASE_WIDE_ROLES:
        return True
    if filing.status != S.DRAFT and actor.roles_at(filing.receiving_court_id) & RECEIVING_ROLES:
        return True
    return filing.case is not None and case_policies.is_panel(actor, filing.case)


def require_see(actor: Actor, filing: Filing) -> None:
    if not may_see(actor, filing):
        raise NotFound(NOT_FOUND)


def on_own_account(actor: Actor) -> Actor:
    """A person filing (or linking to a case they are named in) acts on their own account,
    whatever court role they also hold: the ledger records a citizen, never a judge filing a
    private suit."""
    if actor.is_system:
        return actor
    return replace(actor, role=CITIZEN, court_id=None)


def require_edit(actor: Actor, filing: Filing) -> Actor:
    """The applicant's own draft (or a filing returned for corrections): only the applicant
    changes, submits or withdraws it, acting on their own account. The court, which sees it,
    is told it may not; anyone else finds nothing."""
    require_see(actor, filing)
    if not is_applicant(actor, filing):
        raise Forbidden(_("只有申请人本人可以修改、提交或撤回立案申请。"))
    return on_own_account(actor)


# --- the state table's roles --------------------------------------------------------------


def roles_on(actor: Actor, filing: Filing) -> set[str]:
    """The roles the actor holds on this filing, for the state table (``states.FILING``): the
    applicant, the officer roles held at the filing's court, and ``receiving_officer`` for a
    receiving role held at the receiving court. Roles held at any other court count for
    nothing."""
    if actor.is_system:
        return {SYSTEM}
    roles: set[str] = set()
    if is_applicant(actor, filing):
        roles.add(APPLICANT)
    if filing.court_id is not None:
        roles |= set(actor.roles_at(filing.court_id) & OFFICER_ROLES)
    if filing.receiving_court_id is not None and (
        actor.roles_at(filing.receiving_court_id) & RECEIVING_ROLES
    ):
        roles.add(RECEIVING)
    return roles


# --- the court's decisions ----------------------------------------------------------------

# The decisions of the receiving court (跨域立案); every other is the filing court's.
RECEIVING_DECISIONS = frozenset({"forward"})


def _deciding_court(filing: Filing, decision: str) -> tuple[int | None, frozenset[str]]:
    if decision in RECEIVING_DECISIONS or (
        decision == "request_correction" and filing.status == S.AWAITING_FORWARD
    ):
        return filing.receiving_court_id, RECEIVING_ROLES
    return filing.court_id, OFFICER_ROLES


def may_decide(actor: Actor, filing: Filing, decision: str) -> bool:
    if actor.is_system:
        return False
    court_id, roles = _deciding_court(filing, decision)
    return court_id is not None and bool(actor.roles_at(court_id) & roles)


def require_decide(actor: Actor, filing: Filing, decision: str) -> Actor:
    """For ``accept``, ``request_correction``, ``reject``, ``transfer`` (the filing court's
    officers) and ``forward`` (the receiving court's): the actor acting in its role at the
    deciding court, which is what the ledger records. ``NotFound`` for one who cannot see the
    filing; ``Forbidden`` for the applicant or a reader who does not decide."""
    require_see(actor, filing)
    court_id, roles = _deciding_court(filing, decision)
    bound = None if court_id is None or actor.is_system else staff_at(actor, court_id, roles)
    if bound is None:
        raise Forbidden(NOT_OFFICER)
    return bound


def may_review(actor: Actor, filing: Filing) -> bool:
    """Whether the officer's review page is for this actor: it decides something there."""
    return any(may_decide(actor, filing, d) for d in ("accept", "forward"))


# --- the filing desk ----------------------------------------------------------------------


def desk_courts(actor: Actor) -> frozenset[int]:
    """The courts whose filing desk the actor sits at (deciding or receiving)."""
    return actor.courts_with(OFFICER_ROLES | RECEIVING_ROLES)


def officer_at(actor: Actor, court_id: int) -> Actor | None:
    """The actor as a deciding officer at that court, or None."""
    return staff_at(actor, court_id, OFFICER_ROLES)


def receiving_at(actor: Actor, court_id: int) -> Actor | None:
    """The actor as a receiving officer at that court (跨域立案), or None."""
    return staff_at(actor, court_id, RECEIVING_ROLES)


def require_desk(actor: Actor, court_id: int) -> Actor:
    """The review queue of a court is its deciding officers' only."""
    bound = officer_at(actor, court_id)
    if bound is None:
        raise NotFound(_("没有找到该法院的立案审查任务"))
    return bound


def require_forward_desk(actor: Actor, court_id: int) -> Actor:
    bound = receiving_at(actor, court_id)
    if bound is None:
        raise NotFound(_("没有找到该法院的跨域立案任务"))
    return bound


def require_identity_desk(actor: Actor | None) -> Actor:
    """现场核验 and document reviews at the workbench: court staff who check identities at a
    court where they hold such a role, acting in it (what the ledger records)."""
    if actor is not None and not actor.is_system:
        for court_id in sorted(actor.courts_with(IDENTITY_DESK_ROLES)):
            bound = staff_at(actor, court_id, IDENTITY_DESK_ROLES)
            if bound is not None:
                return bound
    raise NotFound(_("没有找到该页面"))


# --- reading materials --------------------------------------------------------------------


def _filer_side(filing: Filing, parties: list[Any]) -> bool:
    """The parties on the claimant's side of the case (and their representatives) read
    everything their side filed."""
    claimant_role = rules.rule_for(filing.kind).sides["claimant"]
    return any(p.role == claimant_role for p in parties)


def material_reach(actor: Actor, filing: Filing) -> str | None:
    """How much of the filing's materials the actor reads: ``"all"`` (the filer's side, the
    court), ``"served"`` (the other side of the accepted case), or None (nothing)."""
    if may_see(actor, filing):
        return "all"
    case = filing.case
    if case is None or filing.status != S.ACCEPTED or actor.user_id is None:
        return None
    if case_policies.is_court_side(actor, case):
        return "all"
    parties = case_policies.represented_parties(actor, case)
    if not parties:
        return None
    return "all" if _filer_side(filing, parties) else "served"


def served_on_other_side(material: FilingMaterial) -> bool:
    """What the law gives the other side (module docstring)."""
    if material.kind == MaterialKind.COURT_DOCUMENT:
        return material.document_kind in SERVED_DOCUMENTS
    return material.kind in SERVED_KINDS


def may_read_material(
    actor: Actor, filing: Filing, material: FilingMaterial, *, reach: str | None = None
) -> bool:
    if material.removed or material.filing_id != filing.pk:
        return False
    reach = material_reach(actor, filing) if reach is None else reach
    return reach == "all" or (reach == "served" and served_on_other_side(material))


def require_read_material(actor: Actor, filing: Filing, material: FilingMaterial) -> None:
    """Not the actor's to read: "not found", exactly as a material that does not exist."""
    if not may_read_material(actor, filing, material):
        raise NotFound(_("没有找到该材料"))


# --- the other side's link (在线诉讼规则第十条) ---------------------------------------------


def require_named_party(actor: Actor, party: FilingParty) -> None:
    """The account holder is the party the complaint named: verified, with the same name and
    ID number (or acting for the organisation with that credit code)."""
    user = actor.user
    if user is None or not identity_selectors.is_verified(user):
        raise Forbidden(_("请先完成实名认证，再关联案件"), code="verification_required")
    if party.kind == PartyKind.NATURAL:
        same = identity_selectors.identity_matches(user, name=party.name, id_number=party.id_number)
    else:
        same = bool(party.uscc) and identity_selectors.acts_for_organisation(user, uscc=party.uscc)
    if not same:
        raise Forbidden(
            _("您的实名信息与起诉状列明的当事人不一致，不能关联该案件。如信息有误，请联系法院。"),
            code="identity_mismatch",
        )


def may_link(actor: Actor, party: FilingParty) -> bool:
    try:
        require_named_party(actor, party)
    except Forbidden:
        return False
    return True


def invitation_roles(actor: Actor, invitation: Any) -> set[str]:
    """For the invitation's state table: the system, or the person the complaint named."""
    if actor.is_system:
        return {SYSTEM}
    return {INVITEE} if may_link(actor, invitation.party) else set()

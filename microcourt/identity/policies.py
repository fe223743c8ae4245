"""Who may do what with people's accounts and identities (docs/adr/0001-policies.md).

identity sits below courts (ARCHITECTURE §3), so it never reads the staff roster itself: the
actor carries the court roles its user actively holds (``Actor.held``), and every staff rule
here asks them *at the court the actor acts at* — a role held at another court counts for
nothing. ``Actor.citizen(user)`` is a person acting for themselves: no court role is used.

- a person reads, exports and changes their own account and identity data; a stranger's
  account is "not found";
- court staff verify a person in person at their court (shared-court staff too: 共享法庭 are
  where people without a smartphone are verified), never themselves;
- court employees (not external roles) decide document reviews, lawyer licences and
  organisations' registrations, never their own;
- an organisation's verified legal representative authorises its employees;
- court staff need a second factor before an API token or any page (ARCHITECTURE §5).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from microcourt.core.actor import CITIZEN, SYSTEM, Actor
from microcourt.core.errors import Forbidden, NotFound

from .models import LawyerProfile, Organisation, OrgMembership, User, Verification
from .roles import EXTERNAL_ROLES, OrgRole

# Who checks a person and the original document face to face.
VERIFIER_ROLES = frozenset(
    {
        OrgRole.FILING_OFFICER,
        OrgRole.CLERK,
        OrgRole.JUDGE,
        OrgRole.JUDGE_ASSISTANT,
        OrgRole.COURT_ADMIN,
        OrgRole.SHARED_COURT_STAFF,
    }
)
# Who decides on documents sent from afar (passports, licences): the court's own employees;
# a shared court's staff help people on the spot but do not decide the court's reviews.
REVIEWER_ROLES = VERIFIER_ROLES - EXTERNAL_ROLES
# The account an object belongs to: the applicant of a review, the holder of a licence, an
# organisation's legal representative. A role in the state tables (identity/states.py).
OWNER = "owner"
# Seniority when an actor acting at no particular court is bound to one of its roles.
_ORDER = {role: i for i, role in enumerate(OrgRole.values)}

NOT_STAFF = _("只有法院工作人员可以办理身份核验和审核")
NOT_OWN = _("不能为本人办理身份核验或审核")


# --- Staff at their court ---------------------------------------------------------------------


def staff_in(actor: Actor, roles: frozenset[str]) -> Actor | None:
    """The actor acting in one of ``roles`` at its court: the court it acts at when it names
    one (and holds one of the roles there), else the first court where it holds one, most
    senior role first. ``None`` for the system, a person acting as a citizen, or staff who
    hold none of the roles there."""
    if actor.is_system or actor.user is None or actor.role == CITIZEN:
        return None
    if actor.court_id is not None:
        held = actor.roles_at(actor.court_id) & roles
        if not held:
            return None
        if actor.role in held:
            return actor
        return actor.acting(min(held, key=lambda r: _ORDER.get(r, len(_ORDER))), actor.court_id)
    candidates = [(court, role) for court, role in actor.held if role in roles]
    if not candidates:
        return None
    court_id, role = min(candidates, key=lambda cr: (_ORDER.get(cr[1], len(_ORDER)), cr[0]))
    return actor.acting(role, court_id)


def _require_staff(actor: Actor, roles: frozenset[str], subject_id: int | None) -> Actor:
    bound = staff_in(actor, roles)
    if bound is None:
        raise Forbidden(NOT_STAFF)
    if subject_id is not None and bound.user_id == subject_id:
        # Nobody vouches for their own identity or licence: a second person must.
        raise Forbidden(NOT_OWN, code="own_account")
    return bound


def may_verify_in_person(actor: Actor, subject: User) -> bool:
    bound = staff_in(actor, VERIFIER_ROLES)
    return bound is not None and bound.user_id != subject.pk


def require_verify_in_person(actor: Actor, subject: User) -> Actor:
    """现场核验: the actor bound to the court where it verifies (the ledger records it)."""
    return _require_staff(actor, VERIFIER_ROLES, subject.pk)


def may_review(actor: Actor, obj: Verification | LawyerProfile | Organisation) -> bool:
    bound = staff_in(actor, REVIEWER_ROLES)
    return bound is not None and bound.user_id not in _owner_ids(obj)


def require_reviewer(actor: Actor) -> Actor:
    """Someone who decides reviews: a court employee, bound to the court it acts at. Asked
    before the object is looked up, so the public learn nothing about pending reviews."""
    return _require_staff(actor, REVIEWER_ROLES, None)


def require_review(actor: Actor, obj: Verification | LawyerProfile | Organisation) -> Actor:
    """A document review, a lawyer's licence or an organisation's registration: decided by
    a court employee at their court, never by the person it is about."""
    bound = require_reviewer(actor)
    if bound.user_id in _owner_ids(obj):
        raise Forbidden(NOT_OWN, code="own_account")
    return bound


def may_see_review_queue(actor: Actor) -> bool:
    return staff_in(actor, REVIEWER_ROLES) is not None


def require_verified(user: User) -> None:
    """Acting for an organisation, as a lawyer or through an agent needs a real-name
    verified account first (在线诉讼规则第七条)."""
    from .selectors import is_verified

    if not is_verified(user):
        raise Forbidden(_("请先完成实名认证"), code="verification_required")


# --- A person's own data --------------------------------------------------------------------


def may_read_own(actor: Actor, subject: User) -> bool:
    return not actor.is_system and actor.user_id == subject.pk


def require_own(actor: Actor, subject: User) -> None:
    """A person's account, identity, verification history and data export are theirs
    alone; anyone else's is "not found"."""
    if not may_read_own(actor, subject):
        raise NotFound(_("没有找到该账号"))


def may_reveal_identity(actor: Actor, subject: User) -> bool:
    """The unmasked ID number and address: the person themselves, or a court employee at
    their court whose work needs it (every such read is recorded)."""
    return may_read_own(actor, subject) or staff_in(actor, REVIEWER_ROLES) is not None


def require_reveal_identity(actor: Actor, subject: User) -> Actor:
    if may_read_own(actor, subject):
        return actor
    bound = staff_in(actor, REVIEWER_ROLES)
    if bound is None:
        raise NotFound(_("没有找到该账号"))
    return bound


# --- Organisations ------------------------------------------------------------------------------


def _membership(actor: Actor, organisation: Organisation) -> OrgMembership | None:
    if actor.user_id is None:
        return None
    return organisation.members.filter(user_id=actor.user_id, active=True).first()


def may_authorise_employee(actor: Actor, organisation: Organisation) -> bool:
    membership = _membership(actor, organisation)
    return (
        membership is not None
        and membership.role == OrgMembership.Role.LEGAL_REPRESENTATIVE
        and organisation.status == Organisation.Status.VERIFIED
    )


def require_authorise_employee(actor: Actor, organisation: Organisation) -> None:
    """Only the verified organisation's legal representative authorises employees; to
    anyone who is not a member the organisation is "not found"."""
    if _membership(actor, organisation) is None:
        raise NotFound(_("没有找到单位或用户"))
    if not may_authorise_employee(actor, organisation):
        raise Forbidden(_("只有已认证单位的法定代表人可以授权员工"))


# --- Second factor and API tokens ---------------------------------------------------------------


def staff_mfa_required(user: Any) -> bool:
    """Court staff and platform operators (superusers) must use a second factor, for pages
    and API tokens alike. In demo mode the demo staff (``demo_…``) are let off, so the demo
    stays usable; nobody else is (ARCHITECTURE §5)."""
    if user is None:
        return False
    if not (getattr(user, "is_court_staff", False) or getattr(user, "is_superuser", False)):
        return False
    return not (settings.DEMO_MODE and user.username.startswith("demo_"))


# --- Roles for the state tables -----------------------------------------------------------------


def _owner_ids(obj: Any) -> set[int]:
    if isinstance(obj, Organisation):
        return set(
            obj.members.filter(
                role=OrgMembership.Role.LEGAL_REPRESENTATIVE, active=True
            ).values_list("user_id", flat=True)
        )
    owner = getattr(obj, "user_id", None)
    return set() if owner is None else {owner}


def roles_of(actor: Actor, obj: Any) -> set[str]:
    """The actor's roles on an identity object, for ``identity.states``: ``system``; the
    court roles it holds at the court it acts at; ``owner`` for the object's own account.
    Staff never review their own: on their own object they are only its owner."""
    if actor.is_system:
        return {SYSTEM}
    owners = _owner_ids(obj)
    if actor.user_id in owners:
        return {OWNER}
    if actor.role == CITIZEN or actor.court_id is None:
        return set()
    return set(actor.roles_at(actor.court_id))

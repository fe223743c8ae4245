"""Who may do what in a case's space (docs/adr/0001-policies.md), for the page, the API, the
socket and a direct call alike.

A space is the private room of the people *in* the case: its parties, their representatives
and the court's people on its panel (``cases.policies.case_roles``: a panel role counts only
while the person still holds a role at the case's court). The court's other staff — a filing
officer or an administrator who sees the whole docket, a judge not on the panel — are not in
it, and for them, as for anyone else, the space is "not found".
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from microcourt.cases import policies as case_policies
from microcourt.cases import selectors as case_selectors
from microcourt.cases.models import Case, CaseStatus, ParticipantRole
from microcourt.core.actor import Actor
from microcourt.core.errors import Conflict, Forbidden, InvalidInput, NotFound

# The case roles that make a person a member of the space.
MEMBER_ROLES = frozenset(case_policies.PANEL_ROLES | case_policies.PARTY_SIDE)
# The court's people on the case: they pin notices, send 强提醒, retract at any time and see
# every private line.
COURT_MEMBERS = frozenset(case_policies.PANEL_ROLES)
# A sender may take a message back within this long; the court may at any time.
RETRACT_WINDOW = dt.timedelta(minutes=2)
# The role shown beside a member's messages: the court's first, then a party's, then an agent's.
ROLE_ORDER = ("judge", "judge_assistant", "clerk", "mediator", *ParticipantRole.values)


@dataclass(frozen=True)
class Member:
    """What an actor is in a case's space."""

    user_id: int | None
    name: str
    roles: frozenset[str]
    # The party participants whose private line (联系法官) this member may use.
    party_ids: frozenset[int] = field(default_factory=frozenset)

    @property
    def court(self) -> bool:
        return self.user_id is None or bool(self.roles & COURT_MEMBERS)

    @property
    def role(self) -> str:
        """The case role shown beside the member's messages: the court's first, then a
        party's (the ledger records the acting role instead: ``cases.policies.on_case``)."""
        for role in ROLE_ORDER:
            if role in self.roles:
                return role
        return "system"

    @property
    def role_label(self) -> str:
        return role_label(self.role)


def role_label(role: str) -> str:
    """A case role as the space shows it (原告, 承办法官, …; 系统 for the system)."""
    try:
        return str(ParticipantRole(role).label)
    except ValueError:
        return str(_("系统"))


def membership(actor: Actor, case) -> Member:
    """The actor's place in the case's space; ``NotFound`` for anyone who is not in it."""
    if actor.is_system:
        return Member(user_id=None, name=str(_("系统")), roles=frozenset({"system"}))
    roles = case_policies.case_roles(actor, case) & MEMBER_ROLES
    if not roles:
        raise NotFound(_("没有找到该案件"))
    parties = frozenset(p.pk for p in case_policies.represented_parties(actor, case))
    name = getattr(actor.user, "display_name", "") or (
        case_selectors.participants_of(case)
        .filter(user_id=actor.user_id)
        .values_list("display_name", flat=True)
        .first()
        or str(actor.user)
    )
    return Member(user_id=actor.user_id, name=name, roles=roles, party_ids=parties)


def may_enter(actor: Actor, case) -> bool:
    try:
        membership(actor, case)
    except NotFound:
        return False
    return True


def member_on(actor: Actor, case) -> tuple[Actor, Member]:
    """The actor bound to the case — acting in the role the ledger must record (a judge as
    judge, a clerk as clerk, a party as citizen) — and its place in the space."""
    member = membership(actor, case)
    return case_policies.on_case(actor, case), member


def require_open(case) -> None:
    """Nothing more is said in the space of a case that has ended."""
    # Read afresh: the case may have been closed since the caller loaded it.
    status = Case.objects.filter(pk=case.pk).values_list("status", flat=True).first()
    if status in (CaseStatus.CLOSED, CaseStatus.WITHDRAWN):
        raise Conflict(_("案件已结案或已撤回，案件空间不能再发送消息"), code="case_closed")


def require_post(actor: Actor, case) -> tuple[Actor, Member]:
    """Members post while the case is open (在线诉讼规则第二十条)."""
    bound = member_on(actor, case)
    require_open(case)
    return bound


def may_moderate(actor: Actor, case) -> bool:
    try:
        return membership(actor, case).court
    except NotFound:
        return False


def require_moderate(actor: Actor, case) -> tuple[Actor, Member]:
    """Pinning a notice, a 强提醒: the court's people on the case only."""
    bound, member = member_on(actor, case)
    if not member.court:
        raise Forbidden(_("只有本案的法院工作人员可以这样做。"))
    return bound, member


def require_write_to(member: Member, party_id: int) -> None:
    """A party side's private line (联系法官) is written to by that side or the court."""
    if not member.court and party_id not in member.party_ids:
        raise NotFound(_("没有找到该会话"))


def require_retract(member: Member, message, now: dt.datetime) -> None:
    """The sender takes back its own message within two minutes; the court's people on the
    case take back any message at any time (an improper remark, a wrong notice)."""
    if message.kind == "retraction":
        raise InvalidInput(_("撤回记录不能再撤回"))
    if member.court:
        return
    if message.sender_id != member.user_id:
        raise Forbidden(_("只能撤回自己发送的消息"))
    if now - message.created_at > RETRACT_WINDOW:
        raise Conflict(_("消息发送超过 2 分钟，不能撤回"), code="retract_window")


def require_see_reminders(member: Member) -> None:
    """Who confirmed a key message is the court's to see; to a party there is no such list."""
    if not member.court:
        raise NotFound(_("没有找到该强提醒"))

"""Who may do what with fees, refunds, fee relief and payouts (docs/adr/0001-policies.md).

Standing on a fee order comes from the order itself and, for a case's fee, from the case:
- the payer (``payer``) sees, pays and applies for relief on its own order, and nobody
  else's;
- the court-wide roles held at the order's court (filing officer, division head,
  administrator: ``courts.policies.CASE_WIDE_ROLES``) reach every order of that court;
- the panel of the order's case (judge, judge's assistant, clerk, mediator) reaches the
  case's orders, while they still hold a role at the case's court
  (``cases.policies.case_roles``).
Anyone else — staff of another court, staff of this court who are not on the case, another
party — has no standing: the order, its relief applications and the case's account are "not
found" to them, exactly as what does not exist.

Who decides fee relief (缓交、减交、免交). 《诉讼费用交纳办法》第四十八条 to 第五十一条 give
the decision to the court: a deferral is granted "before the court decides to accept the case"
(第四十九条), which is the filing division's decision (立案庭: the filing officer); a
reduction or exemption granted later is written into the judgment (第五十一条), which is the
panel's judge; the division head (庭长) supervises both. So the deciders are the filing officer
and the division head **of the order's court** and the **judge on the order's case panel**.
The administrator keeps the court's data and decides nothing on fees; a clerk records but does
not decide. Nobody decides their own application.
"""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from microcourt.cases import policies as case_policies
from microcourt.cases import selectors as case_selectors
from microcourt.core.actor import SYSTEM, Actor
from microcourt.core.errors import Forbidden, NotFound
from microcourt.courts.policies import CASE_WIDE_ROLES
from microcourt.identity.roles import OrgRole

from .models import PaymentOrder, ReliefApplication

PAYER = "payer"
APPLICANT = "applicant"
JUDGE, DIVISION_HEAD, FILING_OFFICER = OrgRole.JUDGE, OrgRole.DIVISION_HEAD, OrgRole.FILING_OFFICER
CLERK, COURT_ADMIN = OrgRole.CLERK, OrgRole.COURT_ADMIN

# 《诉讼费用交纳办法》第四十九条、第五十一条 (see the module's docstring).
RELIEF_COURT_ROLES = frozenset({FILING_OFFICER, DIVISION_HEAD})  # at the order's court
RELIEF_PANEL_ROLES = frozenset({JUDGE})  # on the order's case panel
RELIEF_ROLES = RELIEF_COURT_ROLES | RELIEF_PANEL_ROLES
# The role a decider acts in when it holds several, most senior first.
RELIEF_ORDER = (JUDGE, DIVISION_HEAD, FILING_OFFICER)

# Refunds follow the ruling or mediation that ended the case (第十五条、第二十一条、第二十七条):
# the panel's judge or clerk carries it out, or the filing division, the division head or the
# administrator who keep the court's fee account.
REFUND_ROLES = frozenset({JUDGE, CLERK, FILING_OFFICER, DIVISION_HEAD, COURT_ADMIN})
# Who is alerted to money that must go back by hand (a duplicate payment its provider would
# not refund): the court's people who keep its fee account, court-wide (财务: the filing
# division, the division head, the administrator). The panel settles nothing here.
FEE_ACCOUNT_ROLES = frozenset({FILING_OFFICER, DIVISION_HEAD, COURT_ADMIN})
# Closing an unpaid order (an approved exemption, a withdrawn case): a relief decider, the
# administrator, or the system when the case is deemed withdrawn.
ORDER_CLOSE_ROLES = RELIEF_ROLES | {COURT_ADMIN, SYSTEM}
# Payouts of court money (案款发放, mass refunds): the court's people who keep its account.
PAYOUT_ROLES = REFUND_ROLES
# The role acted in when a person holds several of these, most senior first.
STAFF_ORDER = (JUDGE, DIVISION_HEAD, FILING_OFFICER, CLERK, COURT_ADMIN)


# --------------------------------------------------------------------------- fee orders


def _case_of(actor: Actor, case_id: int | None):
    """The order's case as this actor may see it; ``None`` when it may not (or there is none)."""
    if case_id is None:
        return None
    try:
        return case_selectors.case_for(actor, case_id)
    except NotFound:
        return None


def order_roles(actor: Actor, order: PaymentOrder) -> frozenset[str]:
    """Every role the actor holds on this fee order (see the module's docstring); empty for
    someone with no standing. Used by the order's state machine too."""
    if actor.is_system:
        return frozenset({SYSTEM})
    roles: set[str] = set()
    if actor.user_id is not None and actor.user_id == order.payer_id:
        roles.add(PAYER)
    roles |= actor.roles_at(order.court_id) & CASE_WIDE_ROLES
    case = _case_of(actor, order.case_id)
    if case is not None:
        roles |= case_policies.case_roles(actor, case) & case_policies.PANEL_ROLES
    return frozenset(roles)


def require_see_order(actor: Actor, order: PaymentOrder) -> None:
    """``NotFound`` for someone with no standing on the order (what it may then do is the
    order's state machine's to say: ``Forbidden``)."""
    if not order_roles(actor, order):
        raise NotFound(_("没有找到该缴费单"))


def court_roles_on_order(actor: Actor, order: PaymentOrder) -> frozenset[str]:
    """The actor's roles on the order as the court's (payer excluded)."""
    return order_roles(actor, order) - {PAYER}


def _acting(actor: Actor, roles: frozenset[str], order_of_roles, court_id: int | None) -> Actor:
    role = next(r for r in order_of_roles if r in roles)
    return actor.acting(role, court_id)


def may_pay(actor: Actor, order: PaymentOrder) -> bool:
    return actor.user_id is not None and actor.user_id == order.payer_id


def require_pay(actor: Actor, order: PaymentOrder) -> None:
    """Only the payer pays (or applies for relief on) its order; to anyone else it does not
    exist."""
    if not may_pay(actor, order):
        raise NotFound(_("没有找到该缴费单"))


def require_request_refund(actor: Actor, order: PaymentOrder) -> Actor:
    """The actor acting in its refunding role on this order (第十五、二十一、二十七条).
    ``NotFound`` without standing on the order; ``Forbidden`` for the payer, a mediator, …"""
    if actor.is_system:
        return actor
    roles = order_roles(actor, order)
    if not roles:
        raise NotFound(_("没有找到该缴费单"))
    allowed = roles & REFUND_ROLES
    if not allowed:
        raise Forbidden(_("只有本案的法官、书记员或本院立案、管理人员可以办理退费"))
    return _acting(actor, allowed, STAFF_ORDER, order.court_id)


def duplicate_roles(actor: Actor, duplicate) -> frozenset[str]:
    """The roles on a duplicate payment: the system, or the refunding roles held on its order
    (the one who settles a refund made by hand at the provider)."""
    if actor.is_system:
        return frozenset({SYSTEM})
    return order_roles(actor, duplicate.order) & REFUND_ROLES


# --------------------------------------------------------------------------- relief


def relief_roles(actor: Actor, application: ReliefApplication) -> frozenset[str]:
    """The actor's roles on a relief application: ``applicant`` for the one who applied, and
    the deciding roles it holds on the application's order (none on its own application)."""
    if actor.is_system:
        return frozenset({SYSTEM})
    if actor.user_id is not None and actor.user_id == application.applicant_id:
        return frozenset({APPLICANT})
    return order_roles(actor, application.order) & RELIEF_ROLES


def may_decide_relief(actor: Actor, application: ReliefApplication) -> bool:
    return bool(relief_roles(actor, application) & RELIEF_ROLES)


def require_decide_relief(actor: Actor, application: ReliefApplication) -> Actor:
    """The actor acting in its deciding role (第四十九条、第五十一条). Someone with no standing
    on the order gets ``NotFound`` (staff of another court, staff of this court not on the
    case); the applicant, the payer or a clerk or administrator of the case's court gets
    ``Forbidden``."""
    roles = relief_roles(actor, application)
    deciding = roles & RELIEF_ROLES
    if deciding:
        return _acting(actor, deciding, RELIEF_ORDER, application.order.court_id)
    if roles or order_roles(actor, application.order):
        raise Forbidden(
            _("缓交、减交、免交由本院立案法官、庭长或本案承办法官决定，申请人不能决定自己的申请")
        )
    raise NotFound(_("没有找到该申请"))


def _panel_case_ids(actor: Actor, roles) -> list[int]:
    """The cases where the actor sits on the panel in one of ``roles``, at a court where it
    still holds a role (as ``cases.policies.case_roles`` counts a panel role)."""
    if actor.user_id is None:
        return []
    at_courts = {court_id for court_id, _role in actor.held}
    return list(
        case_selectors.cases_for(actor)
        .filter(
            court_id__in=at_courts,
            participants__user_id=actor.user_id,
            participants__role__in=roles,
            participants__active=True,
        )
        .values_list("pk", flat=True)
    )


def relief_decidable_q(actor: Actor) -> Q:
    """A filter for the relief applications the actor may decide (see the module's
    docstring): those of orders at a court where it is a filing officer or division head,
    and those of cases where it is the panel's judge; never its own."""
    if actor.is_system or actor.user_id is None:
        return Q(pk__in=[])
    q = Q(order__court_id__in=actor.courts_with(RELIEF_COURT_ROLES))
    panel = _panel_case_ids(actor, RELIEF_PANEL_ROLES)
    if panel:
        q |= Q(order__case_id__in=panel)
    return q & ~Q(applicant_id=actor.user_id)


def relief_visible_q(actor: Actor) -> Q:
    """A filter for the relief applications the actor may see: its own, and those it may
    decide."""
    if actor.user_id is None:
        return Q(pk__in=[])
    return Q(applicant_id=actor.user_id) | relief_decidable_q(actor)


def may_use_relief_desk(actor: Actor) -> bool:
    """Whether the relief desk is for this actor at all: it holds a deciding role somewhere
    (a judge's queue holds the cases where it is on the panel)."""
    return bool(actor.courts_with(RELIEF_ROLES))


# --------------------------------------------------------------------------- the case's account


def require_see_case_account(actor: Actor, case_id: int) -> Actor:
    """The court's account of a case (案件款项) is the court's book: its panel and the
    court-wide roles of its court see it. ``NotFound`` without standing on the case;
    ``Forbidden`` for a party (its own orders are on its order pages). Returns the actor
    bound to the case."""
    case = case_selectors.case_for(actor, case_id)
    case_policies.require_court_side(actor, case)
    return case_policies.on_case(actor, case)


# --------------------------------------------------------------------------- payouts


def require_register_payee(actor: Actor, user) -> None:
    """A person registers its own payee account; court staff who keep an account register
    one for a person (at the counter)."""
    if actor.user_id is not None and actor.user_id == user.pk:
        return
    if not actor.courts_with(PAYOUT_ROLES):
        raise Forbidden(_("只能登记本人的收款账户"))


def require_make_payouts(actor: Actor, case_ids) -> Actor:
    """Court money goes out on the word of the court's people who keep its account: for a
    case's money, staff with standing on that case in a payout role (``NotFound`` for a case
    the actor cannot see); without a case, a payout role at some court."""
    if actor.is_system:
        return actor
    courts = actor.courts_with(PAYOUT_ROLES)
    if not courts:
        raise Forbidden(_("只有法院工作人员可以发起付款"))
    for case_id in sorted({c for c in case_ids if c is not None}):
        case = case_selectors.case_for(actor, case_id)
        case_policies.require_court_side(actor, case, roles=PAYOUT_ROLES)
    if actor.role in PAYOUT_ROLES and actor.holds(actor.role, actor.court_id):
        return actor
    court_id = min(courts)
    return _acting(actor, actor.roles_at(court_id), STAFF_ORDER, court_id)

"""Who keeps a court's data (docs/adr/0001-policies.md; ``courts.policies`` says who holds
which role where, this module what those roles may change).

- a court's navigation data (法院导航: address, telephone, office hours, map position) and its
  closed days (typhoons, 停电) are kept by that court's administrator — the administrator of
  another court may not touch them;
- the national data (代字, name, level, place in the hierarchy) is corrected by platform
  operators (superusers) only, as the admin does (``courts/admin.py``);
- the system (the seed loader, a command run on the server) may do either.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from microcourt.core.actor import Actor
from microcourt.core.errors import Forbidden
from microcourt.identity.roles import OrgRole

from .models import Court

# The fields of 法院导航 a court's administrator keeps.
NAVIGATION_FIELDS = frozenset(
    {
        "name_en",
        "short_name",
        "address",
        "phone",
        "hours",
        "hours_en",
        "latitude",
        "longitude",
        "nav_inferred",
    }
)


def _operator(actor: Actor) -> bool:
    user = actor.user
    return bool(user is not None and user.is_active and user.is_superuser)


def may_edit_court(actor: Actor, court: Court) -> bool:
    """Navigation data and closed days of ``court``."""
    if actor.is_system or _operator(actor):
        return True
    return OrgRole.COURT_ADMIN in actor.roles_at(court.pk)


def require_edit_court(actor: Actor, court: Court) -> None:
    if not may_edit_court(actor, court):
        raise Forbidden(_("只有本院的法院管理员可以修改本院的信息。"), code="not_court_admin")


def may_edit_national(actor: Actor) -> bool:
    """The national data every court shares: codes, names, levels, the hierarchy."""
    return actor.is_system or _operator(actor)


def require_edit_national(actor: Actor) -> None:
    if not may_edit_national(actor):
        raise Forbidden(_("法院代字、名称和层级由平台运维人员维护。"), code="operator_only")

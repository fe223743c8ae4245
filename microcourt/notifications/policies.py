"""Who may read what the platform sent (docs/adr/0001-policies.md).

- a person reads, marks read and switches only their own messages and preferences: another
  person's message is "not found" (its id says nothing);
- the development outbox page (the local gateway's "phone", /notifications/outbox/) shows
  what the local SMS and WeChat gateways recorded, everyone's log-in codes included in
  development and the demo: it is for platform operators (superusers) and court staff only,
  whatever ``DEBUG`` says (the public demo runs the development settings, and a visitor
  who read the codes would take over the demo accounts). ``is_staff`` alone — admin
  access — does not open it. A newcomer sees their own code on /notifications/demo-codes/
  (``notifications.demo``: only what their own browser session asked for).

notifications sits below identity and courts (ARCHITECTURE §3): court roles come from the
actor (``Actor.held``); the external roles (bankruptcy administrators, shared-court staff)
are spelt out here as identity names them.
"""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from microcourt.core.actor import Actor
from microcourt.core.errors import NotFound

from .models import Notification

# identity.roles.EXTERNAL_ROLES: they act in the system but are not court staff.
EXTERNAL_ROLES = frozenset({"bankruptcy_administrator", "shared_court_staff"})


def own_q(actor: Actor) -> Q:
    """A filter for the actor's own messages (nothing for the system or no one)."""
    if actor.is_system or actor.user_id is None:
        return Q(pk__in=[])
    return Q(recipient_id=actor.user_id)


def may_read(actor: Actor, notification: Notification) -> bool:
    return (
        not actor.is_system
        and actor.user_id is not None
        and notification.recipient_id == actor.user_id
    )


def require_read(actor: Actor, notification: Notification) -> None:
    if not may_read(actor, notification):
        raise NotFound(_("没有找到该消息"))


def may_see_local_outbox(actor: Actor | None) -> bool:
    if actor is None or actor.is_system or actor.user is None:
        return False
    if actor.user.is_superuser:
        return True
    return any(role not in EXTERNAL_ROLES for _court, role in actor.held)


def require_see_local_outbox(actor: Actor | None) -> None:
    """The page is "not found" to anyone else: its existence is nobody's business."""
    if not may_see_local_outbox(actor):
        raise NotFound(_("页面不存在"))

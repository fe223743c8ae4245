"""The workbench's navigation: which desks the signed-in staff member sits at, so a link is
shown only where it leads somewhere (a judge is not a filing officer: their 立案审查 link was
a 404). Read from the request's actor, whose court roles are already loaded."""

from __future__ import annotations

from django import template

from microcourt.core.actor import actor_of

from .. import policies

register = template.Library()


@register.simple_tag(takes_context=True)
def desk_nav(context) -> dict[str, bool]:
    request = context.get("request")
    actor = actor_of(request) if request is not None else None
    held = {role for _court, role in actor.held} if actor is not None else set()
    return {
        "filing": bool(held & policies.FILING_DESK_ROLES),
        "assignment": policies.DIVISION_HEAD_ROLE in held,
    }

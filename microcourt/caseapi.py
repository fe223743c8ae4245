"""``GET /api/v1/cases/{case_id}``: one case with its parties, panel, status, deadlines, what
comes next and its milestones.

It lives above the apps (beside ``api.py``) because a case's dates belong to apps that sit
above ``cases`` (fees in payments, evidence periods in evidence, service in service:
ARCHITECTURE §3); it reads each through that app's selectors and policies, never its models.
Someone with no standing on the case gets 404, as for a case that does not exist."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router
from ninja.errors import HttpError

from microcourt.cases import milestones as case_milestones
from microcourt.cases import policies as case_policies
from microcourt.cases import selectors as case_selectors
from microcourt.cases.api import case_summary
from microcourt.cases.schemas import CaseOut
from microcourt.core import apiout
from microcourt.core.actor import actor_of
from microcourt.evidence import policies as evidence_policies
from microcourt.evidence import selectors as evidence_selectors
from microcourt.payments import selectors as payment_selectors
from microcourt.service import policies as service_policies
from microcourt.service import selectors as service_selectors

router = Router(tags=["cases"])

# Fee orders still to be paid: their due day is ahead of the payer.
_UNPAID = frozenset({"pending", "failed"})


@router.get("/cases/{case_id}", response=CaseOut)
def case_detail(request: HttpRequest, case_id: int):
    """The case as its page shows it, for a client: 404 unless the caller has standing."""
    actor = actor_of(request)
    if actor is None:
        raise HttpError(401, "unauthenticated")
    case = case_selectors.case_for(actor, case_id)
    data = case_out(case_selectors.acting_as(actor, case), case)
    # Built in CaseOut's shape already: rendered without a second validation (core.apiout).
    return apiout.json_response(request, data, CaseOut)


def case_out(actor, case) -> dict[str, Any]:
    """``CaseOut`` for an actor already bound to the case."""
    roles = case_policies.case_roles(actor, case)
    parties, panel = [], []
    # Names and roles only: neither the accounts nor the represented rows are needed here.
    for pk, name, role, represents_id, user_id in case_selectors.people_of(case):
        if role in case_policies.PANEL_ROLES:
            panel.append(
                {"name": name, "role": role, "role_label": case_selectors.role_label(role)}
            )
        elif role in case_policies.PARTY_SIDE:
            parties.append(
                {
                    "id": pk,
                    "name": name,
                    "role": role,
                    "role_label": case_selectors.role_label(role),
                    "represents": represents_id,
                    "linked": user_id is not None,
                }
            )
    deadlines = _deadlines(actor, case)
    now = timezone.now()
    today = timezone.localdate(now)
    ahead = [
        d
        for d in deadlines
        if (d["at"] is not None and d["at"] > now and d["status"] != "ended")
        or (d["due_date"] is not None and d["due_date"] >= today and d["status"] in _UNPAID)
    ]
    return {
        **case_summary(case),
        "amount_claimed": None if case.amount_claimed is None else str(case.amount_claimed),
        "my_roles": sorted(roles),
        "acting_as": actor.role,
        "parties": parties,
        "panel": panel,
        "deadlines": deadlines,
        "next_events": sorted(ahead, key=_when),
        "milestones": case_milestones.milestones(case.pk),
    }


def _when(item: dict[str, Any]) -> dt.datetime:
    if item["at"] is not None:
        return item["at"]
    # A due day ends at the end of that day in China (the court's calendar).
    end = dt.datetime.combine(item["due_date"], dt.time.max)
    return timezone.make_aware(end, timezone.get_default_timezone())


def _deadlines(actor, case) -> list[dict[str, Any]]:
    """Every dated item the caller may see on the case, soonest first: fee orders (everyone on
    the case, as on the case page), evidence periods (parties and the court side) and services
    (the court side all, a party those on itself)."""
    items: list[dict[str, Any]] = []
    # Each app's rows with only the columns shown (an order's JSON breakdown, a service's
    # encrypted postal address and the like are not read here).
    orders = payment_selectors.orders_for_case(case.pk).select_related(None)
    for order in orders.only("kind", "due_date", "status", "payer_id"):
        items.append(
            {
                "kind": "fee",
                "label": str(order.get_kind_display()),
                "at": None,
                "due_date": order.due_date,
                "status": order.status,
                "status_label": str(order.get_status_display()),
                "mine": order.payer_id == actor.user_id,
            }
        )
    now = timezone.now()
    if evidence_policies.may_see_evidence(actor, case):
        # The periods' exhibits are not shown here: no need for the selector's prefetch.
        periods = evidence_selectors.cross_examinations_for(case).prefetch_related(None)
        for period in periods.only("deadline", "session_at", "mode"):
            open_ = period.deadline > now
            items.append(
                {
                    "kind": "cross_examination",
                    "label": str(_("质证期限")),
                    "at": period.deadline,
                    "due_date": None,
                    "status": "open" if open_ else "ended",
                    "status_label": str(_("进行中") if open_ else _("已届满")),
                    "mine": False,
                }
            )
            if period.session_at is not None:
                items.append(
                    {
                        "kind": "cross_examination_session",
                        "label": str(_("同步质证")),
                        "at": period.session_at,
                        "due_date": None,
                        "status": "open" if period.session_at > now else "ended",
                        "status_label": str(period.get_mode_display()),
                        "mine": False,
                    }
                )
    if service_policies.may_see_case(actor, case):
        mine = service_policies.own_party_ids(actor, case)
        services = (
            service_selectors.services_for(actor, case)
            .select_related(None)
            .select_related("recipient")  # its name; the documents are not shown here
            .prefetch_related(None)
            .only("method", "status", "effective_at", "recipient__display_name")
        )
        for service in services:
            items.append(
                {
                    "kind": "service",
                    "label": f"{service.get_method_display()} · {service.recipient.display_name}",
                    "at": service.effective_at,
                    "due_date": None,
                    "status": service.status,
                    "status_label": str(service.get_status_display()),
                    "mine": service.recipient_id in mine,
                }
            )
    far = timezone.make_aware(dt.datetime.max - dt.timedelta(days=2))
    return sorted(items, key=lambda d: _when(d) if (d["at"] or d["due_date"]) else far)

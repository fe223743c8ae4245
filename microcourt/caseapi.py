"""``GET /api/v1/cases/{case_id}``: one case with its parties, panel, status, deadlines, what
comes next and its milestones.

It lives above the apps (beside ``api.py``) because a case's dates belong to apps that sit
above ``cases`` (fees in payments, evidence periods in evidence, service in service:
ARCHITECTURE §3); it reads each through that app's selectors and policies, never its models.
Someone with no standing on the case gets 404, as for a case that does not exist."""

from __future__ import annotations

import datetime as dt
import functools
from types import SimpleNamespace
from typing import Any

from django.http import HttpRequest
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from ninja import Router
from ninja.errors import HttpError

from microcourt.cases import milestones as case_milestones
from microcourt.cases import policies as case_policies
from microcourt.cases import selectors as case_selectors
from microcourt.cases.api import case_summary, procedure_label
from microcourt.cases.schemas import CaseOut
from microcourt.core import apiout, fixedsql
from microcourt.core.actor import Actor, actor_of
from microcourt.evidence import policies as evidence_policies
from microcourt.evidence import selectors as evidence_selectors
from microcourt.ledger import selectors as ledger_selectors
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
        "procedure": case.procedure,
        "procedure_label": procedure_label(case.procedure),
        "my_roles": sorted(roles),
        "acting_as": actor.role,
        "parties": parties,
        "panel": panel,
        "deadlines": deadlines,
        "next_events": sorted(ahead, key=_when),
        "milestones": _milestones(case.pk),
    }


def _milestones(case_id: int) -> list[dict[str, Any]]:
    """``cases.milestones.milestones``: the case's milestones, oldest first, read as two
    columns of its ledger entries by a statement compiled once (the ORM's building and
    compiling it, and building each entry, was a third of this request)."""
    language = translation.get_language()
    return [
        {"at": at, "code": code, "label": _event_label(language, code)}
        for at, code in _MILESTONES.rows(case_id)
    ]


_MILESTONES = fixedsql.Prepared(
    # The milestones' codes are fixed once the apps are loaded (``milestone_codes``).
    lambda case_id: ledger_selectors.case_entries(
        case_id, case_milestones.milestone_codes()
    ).values_list("created_at", "code")
)


@functools.lru_cache(maxsize=1024)
def _event_label(language: str | None, code: int) -> str:
    """A ledger event's name in a language (the registry is fixed once the apps are loaded)."""
    with translation.override(language):
        return str(ledger_selectors.label(code))


def _when(item: dict[str, Any]) -> dt.datetime:
    if item["at"] is not None:
        return item["at"]
    # A due day ends at the end of that day in China (the court's calendar).
    end = dt.datetime.combine(item["due_date"], dt.time.max)
    return timezone.make_aware(end, timezone.get_default_timezone())


def _deadlines(actor, case) -> list[dict[str, Any]]:
    """Every dated item the caller may see on the case, soonest first: fee orders (everyone on
    the case, as on the case page), evidence periods (parties and the court side) and services
    (the court side all, a party those on itself: ``service.policies.services_q``)."""
    items: list[dict[str, Any]] = []
    # Each app's read from its selector, with only the columns shown, compiled once
    # (core.fixedsql.Prepared): building and compiling these three querysets cost more than
    # the rest of the request (docs/benchmarks.md, request path).
    for kind, due_date, status, payer_id in _ORDERS.rows(case.pk):
        items.append(
            {
                "kind": "fee",
                "label": _label(_ORDERS, "kind", kind),
                "at": None,
                "due_date": due_date,
                "status": status,
                "status_label": _label(_ORDERS, "status", status),
                "mine": payer_id == actor.user_id,
            }
        )
    now = timezone.now()
    if evidence_policies.may_see_evidence(actor, case):
        for deadline, session_at, mode in _PERIODS.rows(case.pk):
            open_ = deadline > now
            items.append(
                {
                    "kind": "cross_examination",
                    "label": str(_("质证期限")),
                    "at": deadline,
                    "due_date": None,
                    "status": "open" if open_ else "ended",
                    "status_label": str(_("进行中") if open_ else _("已届满")),
                    "mine": False,
                }
            )
            if session_at is not None:
                items.append(
                    {
                        "kind": "cross_examination_session",
                        "label": str(_("同步质证")),
                        "at": session_at,
                        "due_date": None,
                        "status": "open" if session_at > now else "ended",
                        "status_label": _label(_PERIODS, "mode", mode),
                        "mine": False,
                    }
                )
    if service_policies.may_see_case(actor, case):
        mine = service_policies.own_party_ids(actor, case)
        # ``services_q``: the court side sees every service of the case, a party those on the
        # parties it is or acts for. The case's services are read once for both (the
        # statement does not depend on who asks) and narrowed here by the same two policies.
        everything = case_policies.is_court_side(actor, case)
        for recipient_id, method, status, effective_at, name in _SERVICES.rows(case.pk):
            if not (everything or recipient_id in mine):
                continue
            items.append(
                {
                    "kind": "service",
                    "label": f"{_label(_SERVICES, 'method', method)} · {name}",
                    "at": effective_at,
                    "due_date": None,
                    "status": status,
                    "status_label": _label(_SERVICES, "status", status),
                    "mine": recipient_id in mine,
                }
            )
    far = timezone.make_aware(dt.datetime.max - dt.timedelta(days=2))
    return sorted(items, key=lambda d: _when(d) if (d["at"] or d["due_date"]) else far)


# The reads of ``_deadlines``: each app's selector, narrowed to the columns shown (an order's
# JSON breakdown, a service's encrypted postal address and the like are not read), compiled
# once per process with the case's key bound on each request.
_ORDERS = fixedsql.Prepared(
    lambda case_id: (
        payment_selectors.orders_for_case(case_id)
        .select_related(None)
        .values_list("kind", "due_date", "status", "payer_id")
    )
)
_PERIODS = fixedsql.Prepared(
    # The periods' exhibits are not shown here: no need for the selector's prefetch.
    lambda case_id: (
        evidence_selectors.cross_examinations_for(case_id)
        .prefetch_related(None)
        .values_list("deadline", "session_at", "mode")
    )
)
_SERVICES = fixedsql.Prepared(
    # The whole case's services, as the system sees them; ``_deadlines`` narrows them.
    lambda case_id: (
        service_selectors.services_for(_READER, SimpleNamespace(pk=case_id))
        .select_related(None)
        .prefetch_related(None)
        .values_list("recipient_id", "method", "status", "effective_at", "recipient__display_name")
    )
)
_READER = Actor.system("GET /api/v1/cases/{id}: the case's services, narrowed per caller")


def _label(read: fixedsql.Prepared, field: str, value: Any) -> Any:
    """A choice's name in the request's language, as ``get_<field>_display`` gives it (the
    stored value itself for a choice no longer declared)."""
    return _labels(translation.get_language(), read.model, field).get(value, value)


@functools.lru_cache(maxsize=64)
def _labels(language: str | None, model: Any, field: str) -> dict[Any, str]:
    with translation.override(language):
        return {k: str(v) for k, v in model._meta.get_field(field).flatchoices}

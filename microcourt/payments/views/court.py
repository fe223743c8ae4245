"""The court's fee desk pages (the desktop workbench): the relief applications a court's
deciders decide, and a case's account with its refunds. Thin: who may see and do what is
``policies``'s to say, through the selectors and the actions' guards."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from microcourt.core.actor import actor_of
from microcourt.core.errors import DomainError, Forbidden, NotFound

from .. import actions, policies, selectors


def _refusal(exc: DomainError) -> str:
    return " ".join([str(exc.message), *map(str, exc.fields.values())])


@login_required
def relief_queue(request):
    """诉讼费救助申请: deferral, reduction, exemption waiting for a decision — only those of
    the orders this person may decide (``policies.relief_decidable_q``)."""
    actor = actor_of(request)
    if not policies.may_use_relief_desk(actor):
        raise Http404
    return render(request, "shell/relief.html", {"applications": selectors.relief_queue(actor)})


@require_POST
@login_required
def relief_decide(request, pk: int):
    actor = actor_of(request)
    try:
        application = selectors.relief_application_for(actor, pk)
    except NotFound:
        raise Http404 from None
    due = request.POST.get("new_due_date") or None
    try:
        actions.relief_decide(
            application=application,
            actor=actor,
            approve=request.POST.get("decision") == "approve",
            reason=request.POST.get("reason", ""),
            new_due_date=dt.date.fromisoformat(due) if due else None,
        )
    except ValueError:
        messages.error(request, _("日期格式应为 YYYY-MM-DD"))
    except NotFound:
        raise Http404 from None
    except Forbidden as exc:
        raise PermissionDenied(str(exc.message)) from None
    except DomainError as exc:
        messages.error(request, _refusal(exc))
    else:
        messages.success(request, _("已处理"))
    return redirect("workbench_relief")


@login_required
def case_account(request, case_id: int):
    """案件款项: a case's court account, every movement and the balance, for the court's
    people on the case; a refund is ordered from it."""
    actor = actor_of(request)
    try:
        actor = policies.require_see_case_account(actor, case_id)
    except NotFound:
        raise Http404 from None
    except Forbidden as exc:
        raise PermissionDenied(str(exc.message)) from None
    if request.method == "POST":
        try:
            actions.refund_request(
                order=selectors.order_on_case(actor, case_id, request.POST.get("order", "")),
                amount=request.POST.get("amount", ""),
                reason=request.POST.get("reason", ""),
                basis=request.POST.get("basis", ""),
                actor=actor,
            )
        except DomainError as exc:
            messages.error(request, _refusal(exc))
        else:
            messages.success(request, _("已申请退费，退费结果会通知当事人"))
        return redirect("case_account", case_id=case_id)
    context = {"case_id": case_id, "refund_reasons": selectors.REFUND_REASONS}
    context.update(selectors.case_account(case_id))
    return render(request, "shell/case_account.html", context)

"""Court staff's desk pages (the desktop workbench): the home page with the staff member's
cases, the division head's assignment board (分案), and the identity review queue.
Thin views: the actor comes from ``actor_of``; the decisions are the apps' actions."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from microcourt.cases import actions as case_actions
from microcourt.cases import selectors as case_selectors
from microcourt.core.actor import actor_of
from microcourt.core.errors import DomainError, NotFound
from microcourt.courts import actions as court_actions
from microcourt.courts import selectors as court_selectors
from microcourt.filing import policies as filing_policies
from microcourt.identity import parties, verification
from microcourt.identity import selectors as identity_selectors
from microcourt.spaces import selectors as space_selectors


@login_required
def reviews(request):
    """身份审核: document reviews and lawyer licences waiting for a decision."""
    try:
        filing_policies.require_identity_desk(actor_of(request))
    except NotFound:
        raise Http404 from None
    return render(
        request,
        "shell/reviews.html",
        {
            "verifications": identity_selectors.pending_reviews(),
            "lawyers": identity_selectors.pending_lawyer_reviews(),
        },
    )


@require_POST
@login_required
def review_decide(request, kind: str, pk: int):
    try:
        actor = filing_policies.require_identity_desk(actor_of(request))
    except NotFound:
        raise Http404 from None
    approve = request.POST.get("decision") == "approve"
    reason = request.POST.get("reason", "")
    try:
        if kind == "identity":
            verification.verification_review(
                verification_id=pk, actor=actor, approve=approve, reason=reason
            )
        elif kind == "lawyer":
            parties.lawyer_review(lawyer_id=pk, actor=actor, approve=approve, reason=reason)
        else:
            raise Http404
    except DomainError as exc:
        messages.error(request, " ".join([str(exc.message), *map(str, exc.fields.values())]))
    else:
        messages.success(request, _("已通过") if approve else _("已驳回"))
    return redirect("workbench_reviews")


@login_required
def in_person(request):
    """现场核验: staff verify a person and the original document face to face."""
    try:
        actor = filing_policies.require_identity_desk(actor_of(request))
    except NotFound:
        raise Http404 from None
    context = {"values": {}}
    if request.method == "POST":
        context["values"] = request.POST
        user = identity_selectors.user_by_username(request.POST.get("username", ""))
        try:
            if user is None:
                raise NotFound(_("没有这个用户名的账号"), fields={"username": _("请核对用户名")})
            verification.verification_in_person(
                actor=actor,
                user=user,
                id_type=request.POST.get("id_type", ""),
                name=request.POST.get("name", ""),
                id_number=request.POST.get("id_number", ""),
            )
        except DomainError as exc:
            context.update(
                error=str(exc.message), field_errors={k: str(v) for k, v in exc.fields.items()}
            )
            return render(request, "shell/in_person.html", context, status=exc.status)
        messages.success(request, _("现场核验已完成"))
        return redirect("workbench_reviews")
    return render(request, "shell/in_person.html", context)


# --- 工作台首页: my cases; 分案: the division head's board ------------------------------------


@login_required
def home(request):
    """工作台: the staff member's cases (案号, stage, next deadline, unread messages in the
    case space), the division head's assignment queue, and the desks they sit at."""
    from microcourt.filing.selectors import officer_courts
    from microcourt.identity.selectors import profile

    actor = actor_of(request)
    mine = case_selectors.panel_cases_for(actor) if actor is not None else []
    unread = space_selectors.unread_counts(request.user.pk, [e.case.pk for e in mine])
    heads = bool(actor and court_selectors.headed_divisions(actor))
    return render(
        request,
        "shell/workbench.html",
        {
            "profile": profile(request.user),
            "filing_desk": bool(officer_courts(request.user)),
            "division_head": heads,
            "my_cases": [
                {
                    "case": e.case,
                    "roles": "、".join(e.roles),
                    "deadline": e.deadline,
                    "unread": unread.get(e.case.pk, 0),
                }
                for e in mine
            ],
        },
    )


def _board(request, actor, *, errors=None, status: int = 200):
    try:
        board = case_selectors.assignment_board(actor)
    except NotFound:
        raise Http404 from None
    return render(
        request,
        "shell/assignment.html",
        {"board": board, "errors": errors or {}, "kinds": court_selectors.ASSIGNMENT_KINDS},
        status=status,
    )


@require_http_methods(["GET", "POST"])
@login_required
def assignment(request):
    """分案: the division head's queue of cases waiting for a judge, and the assigned ones
    they may reassign (with a reason); a POST sets a division's rule (分案方式)."""
    actor = actor_of(request)
    if actor is None:
        raise Http404
    if request.method == "POST":
        division = court_selectors.headed_division(actor, request.POST.get("division", ""))
        if division is None:
            raise Http404
        try:
            court_actions.assignment_rule_set(
                division=division, kind=request.POST.get("kind", ""), actor=actor
            )
        except NotFound:
            raise Http404 from None
        except DomainError as exc:
            errors = {
                "division": division.pk,
                "message": str(exc.message),
                "fields": {k: str(v) for k, v in exc.fields.items()},
            }
            return _board(request, actor, errors=errors, status=exc.status)
        messages.success(request, _("分案方式已保存"))
        return redirect("workbench_assignment")
    return _board(request, actor)


@require_POST
@login_required
def recusal_decide(request, case_id: int):
    """回避 of a case's judge, granted by the division head with its reason: the judge leaves
    the panel and the case goes back to the division's rule (or the head's queue)."""
    actor = actor_of(request)
    if actor is None:
        raise Http404
    try:
        case = case_selectors.case_for(actor, case_id)
        judge = court_selectors.staff_user(request.POST.get("user", ""))
        if judge is None:
            raise NotFound(_("没有找到该人员"))
        case_actions.case_recuse(
            case=case, user=judge, actor=actor, reason=request.POST.get("reason", "")
        )
    except NotFound:
        raise Http404 from None
    except DomainError as exc:
        errors = {
            "case": case_id,
            "recusal": True,
            "message": str(exc.message),
            "fields": {k: str(v) for k, v in exc.fields.items()},
        }
        return _board(request, actor, errors=errors, status=exc.status)
    messages.success(request, _("已准许回避：%(number)s") % {"number": case.number or case.pk})
    return redirect("workbench_assignment")


@require_POST
@login_required
def assignment_decide(request, case_id: int):
    """Assign (or reassign) one case to the judge chosen on the board."""
    actor = actor_of(request)
    if actor is None:
        raise Http404
    try:
        case = case_selectors.case_for(actor, case_id)
        judge = court_selectors.staff_user(request.POST.get("judge", ""))
        case_actions.case_assign_by_head(
            case=case, judge=judge, actor=actor, reason=request.POST.get("reason", "")
        )
    except NotFound:
        raise Http404 from None
    except DomainError as exc:
        errors = {
            "case": case_id,
            "message": str(exc.message),
            "fields": {k: str(v) for k, v in exc.fields.items()},
        }
        return _board(request, actor, errors=errors, status=exc.status)
    messages.success(request, _("已分案：%(number)s") % {"number": case.number or case.pk})
    return redirect("workbench_assignment")

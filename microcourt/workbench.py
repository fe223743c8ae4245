"""Court staff's desk pages (the desktop workbench): the identity review queue for now.
Thin views: the actor comes from ``actor_of`` and acts at the identity desk
(``filing.policies.require_identity_desk``); the decisions are identity's actions."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from microcourt.core.actor import actor_of
from microcourt.core.errors import DomainError, NotFound
from microcourt.filing import policies as filing_policies
from microcourt.identity import parties, verification
from microcourt.identity import selectors as identity_selectors


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

"""Court staff's desk pages (the desktop workbench): the identity review queue for now.
Thin views: the staff actor comes from courts, the decisions from identity's actions."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from microcourt.core.errors import DomainError, NotFound
from microcourt.courts import selectors as court_selectors
from microcourt.identity import parties, verification
from microcourt.identity import selectors as identity_selectors
from microcourt.identity.models import LawyerProfile, User
from microcourt.payments import accounts as payment_accounts
from microcourt.payments.models import RefundReason

REFUND_REASONS = RefundReason.choices


def _actor(request):
    try:
        return court_selectors.staff_actor(request.user)
    except NotFound:
        raise Http404 from None


@login_required
def reviews(request):
    """身份审核: document reviews and lawyer licences waiting for a decision."""
    _actor(request)
    return render(
        request,
        "shell/reviews.html",
        {
            "verifications": identity_selectors.pending_reviews(),
            "lawyers": LawyerProfile.objects.filter(status=LawyerProfile.Status.PENDING)
            .select_related("user")
            .order_by("created_at"),
        },
    )


@require_POST
@login_required
def review_decide(request, kind: str, pk: int):
    actor = _actor(request)
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
    actor = _actor(request)
    context = {"values": {}}
    if request.method == "POST":
        context["values"] = request.POST
        user = User.objects.filter(username=request.POST.get("username", "")).first()
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


@login_required
def case_account(request, case_id: int):
    """案件款项: a case's court account, every movement and the balance; staff only."""
    actor = _actor(request)
    from microcourt.payments import selectors as payment_selectors

    if not payment_selectors.case_account_visible(case_id, request.user.pk):
        raise Http404
    context = {"case_id": case_id, "refund_reasons": REFUND_REASONS}
    if request.method == "POST":
        from microcourt.payments import refunds
        from microcourt.payments.models import PaymentOrder

        order = PaymentOrder.objects.filter(
            case_id=case_id, number=request.POST.get("order", "")
        ).first()
        try:
            if order is None:
                raise NotFound(_("没有找到该缴费单"), fields={"order": _("请选择缴费单")})
            refunds.refund_request(
                order=order,
                amount=request.POST.get("amount", ""),
                reason=request.POST.get("reason", ""),
                basis=request.POST.get("basis", ""),
                actor=actor,
            )
        except DomainError as exc:
            messages.error(request, " ".join([str(exc.message), *map(str, exc.fields.values())]))
        else:
            messages.success(request, _("已申请退费，退费结果会通知当事人"))
        return redirect("case_account", case_id=case_id)
    context.update(payment_accounts.case_account(case_id))
    return render(request, "shell/case_account.html", context)


@login_required
def relief_queue(request):
    """诉讼费救助申请: deferral, reduction, exemption waiting for a decision."""
    _actor(request)
    from microcourt.payments.models import ReliefApplication, ReliefStatus

    pending = (
        ReliefApplication.objects.filter(status=ReliefStatus.PENDING)
        .select_related("order", "applicant")
        .order_by("created_at")
    )
    return render(request, "shell/relief.html", {"applications": pending})


@require_POST
@login_required
def relief_decide(request, pk: int):
    import datetime as dt

    from microcourt.payments import relief
    from microcourt.payments.models import ReliefApplication

    actor = _actor(request)
    application = ReliefApplication.objects.filter(pk=pk).first()
    if application is None:
        raise Http404
    due = request.POST.get("new_due_date") or None
    try:
        relief.relief_decide(
            application=application,
            actor=actor,
            approve=request.POST.get("decision") == "approve",
            reason=request.POST.get("reason", ""),
            new_due_date=dt.date.fromisoformat(due) if due else None,
        )
    except ValueError:
        messages.error(request, _("日期格式应为 YYYY-MM-DD"))
    except DomainError as exc:
        messages.error(request, " ".join([str(exc.message), *map(str, exc.fields.values())]))
    else:
        messages.success(request, _("已处理"))
    return redirect("workbench_relief")

"""Pages for real-name verification: the citizen's step-by-step check, the document-review
request, the face re-check before a session, and the staff review queue. Thin: parse,
call one action, render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from microcourt.core import uploads
from microcourt.core.actor import actor_of
from microcourt.core.errors import DomainError, InvalidInput, NotFound

from . import actions, selectors
from .models import IdType, VerificationPurpose


def _file(request, name):
    upload = request.FILES.get(name)
    if upload is None:
        return None
    return uploads.read_limited(upload, field=name, max_bytes=actions.MAX_IMAGE_BYTES)


def _error_context(exc: DomainError) -> dict:
    return {"error": str(exc.message), "field_errors": {k: str(v) for k, v in exc.fields.items()}}


@login_required
def verify(request):
    """身份证 + 人脸核验, in four steps on one page (progress bar; the OCR fills step 3)."""
    context = {
        "tab": "me",
        "level": selectors.verification_level(request.user),
        "failures": actions.failures_today(request.user),
        "max_failures": actions.MAX_FAILURES_PER_DAY,
        "values": {},
    }
    if request.method == "POST":
        context["values"] = {
            "name": request.POST.get("name", ""),
            "id_number": request.POST.get("id_number", ""),
        }
        try:
            evidence = actions.Evidence(
                name=request.POST.get("name", ""),
                id_number=request.POST.get("id_number", ""),
                id_front=_required(request, "id_front"),
                selfie=_required(request, "selfie"),
                id_back=_file(request, "id_back"),
            )
            actions.verification_by_id_card_and_face(user=request.user, evidence=evidence)
        except DomainError as exc:
            context.update(_error_context(exc))
            context["failures"] = actions.failures_today(request.user)
            return render(request, "identity/verify.html", context, status=exc.status)
        messages.success(request, _("实名认证成功"))
        return redirect("identity:me")
    return render(request, "identity/verify.html", context)


def _required(request, name) -> bytes:
    data = _file(request, name)
    if data is None:
        labels = {"id_front": _("请拍摄身份证人像面"), "selfie": _("请拍摄本人照片")}
        raise InvalidInput(labels.get(name, _("请上传文件")), fields={name: labels.get(name, "")})
    return data


@login_required
def request_review(request):
    context = {"tab": "me", "id_types": IdType.choices, "values": {}}
    if request.method == "POST":
        context["values"] = request.POST
        try:
            actions.verification_request_review(
                user=request.user,
                id_type=request.POST.get("id_type", ""),
                name=request.POST.get("name", ""),
                id_number=request.POST.get("id_number", ""),
                documents=request.FILES.getlist("documents"),
                note=request.POST.get("note", ""),
            )
        except DomainError as exc:
            context.update(_error_context(exc))
            return render(request, "identity/review_request.html", context, status=exc.status)
        messages.success(request, _("已提交，法院工作人员审核后会通知您"))
        return redirect("identity:me")
    return render(request, "identity/review_request.html", context)


@login_required
def recheck(request):
    purpose = request.GET.get("purpose") or request.POST.get("purpose") or "hearing"
    if purpose not in VerificationPurpose.values or purpose == VerificationPurpose.REGISTRATION:
        raise Http404
    context = {"tab": "me", "purpose": purpose, "purpose_label": VerificationPurpose(purpose).label}
    if request.method == "POST":
        try:
            actions.verification_face_recheck(
                user=request.user,
                purpose=purpose,
                selfie=_required(request, "selfie"),
                reference=_required(request, "id_front"),
            )
        except DomainError as exc:
            context.update(_error_context(exc))
            return render(request, "identity/recheck.html", context, status=exc.status)
        messages.success(request, _("人脸核验通过"))
        # Back to the page that asked for the check (a signature, a hearing): only a page
        # of this site, never an address someone slipped into the link.
        target = request.POST.get("next") or ""
        if not url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            target = "identity:me"
        return redirect(target)
    return render(request, "identity/recheck.html", context)


@login_required
def data_export(request):
    """A person downloads their own data, including who viewed it."""
    data = actions.personal_data_export(actor=actor_of(request), user=request.user)
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False, "indent": 2})
    response["Content-Disposition"] = 'attachment; filename="microcourt-my-data.json"'
    return response


@require_POST
@login_required
def reveal(request):
    """Show the person their own unmasked identity (recorded like any unmasked read)."""
    try:
        shown = actions.identity_reveal(actor=actor_of(request), subject=request.user)
    except NotFound:
        raise Http404 from None
    return render(request, "identity/me.html#identity", {"identity": shown, "revealed": True})

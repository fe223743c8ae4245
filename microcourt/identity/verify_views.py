"""Pages for real-name verification: the citizen's step-by-step check, the document-review
request, the face re-check before a session, and the staff review queue. Thin: parse,
call one action, render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from microcourt.core.errors import DomainError, NotFound

from . import selectors, verification
from .models import IdType, VerificationPurpose


def _file(request, name):
    upload = request.FILES.get(name)
    if upload is None:
        return None
    return verification.uploads.read_limited(
        upload, field=name, max_bytes=verification.MAX_IMAGE_BYTES
    )


def _error_context(exc: DomainError) -> dict:
    return {"error": str(exc.message), "field_errors": {k: str(v) for k, v in exc.fields.items()}}


@login_required
def verify(request):
    """身份证 + 人脸核验, in four steps on one page (progress bar; the OCR fills step 3)."""
    context = {
        "tab": "me",
        "level": selectors.verification_level(request.user),
        "failures": verification.failures_today(request.user),
        "max_failures": verification.MAX_FAILURES_PER_DAY,
        "values": {},
    }
    if request.method == "POST":
        context["values"] = {
            "name": request.POST.get("name", ""),
            "id_number": request.POST.get("id_number", ""),
        }
        try:
            evidence = verification.Evidence(
                name=request.POST.get("name", ""),
                id_number=request.POST.get("id_number", ""),
                id_front=_required(request, "id_front"),
                selfie=_required(request, "selfie"),
                id_back=_file(request, "id_back"),
            )
            verification.verification_by_id_card_and_face(user=request.user, evidence=evidence)
        except DomainError as exc:
            context.update(_error_context(exc))
            context["failures"] = verification.failures_today(request.user)
            return render(request, "identity/verify.html", context, status=exc.status)
        messages.success(request, _("实名认证成功"))
        return redirect("identity:me")
    return render(request, "identity/verify.html", context)


def _required(request, name) -> bytes:
    data = _file(request, name)
    if data is None:
        from microcourt.core.errors import InvalidInput

        labels = {"id_front": _("请拍摄身份证人像面"), "selfie": _("请拍摄本人照片")}
        raise InvalidInput(labels.get(name, _("请上传文件")), fields={name: labels.get(name, "")})
    return data


@login_required
def request_review(request):
    context = {"tab": "me", "id_types": IdType.choices, "values": {}}
    if request.method == "POST":
        context["values"] = request.POST
        try:
            verification.verification_request_review(
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
            verification.verification_face_recheck(
                user=request.user,
                purpose=purpose,
                selfie=_required(request, "selfie"),
                reference=_required(request, "id_front"),
            )
        except DomainError as exc:
            context.update(_error_context(exc))
            return render(request, "identity/recheck.html", context, status=exc.status)
        messages.success(request, _("人脸核验通过"))
        return redirect(request.POST.get("next") or "identity:me")
    return render(request, "identity/recheck.html", context)


@login_required
def data_export(request):
    """A person downloads their own data, including who viewed it."""
    data = verification.personal_data_export(user=request.user)
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False, "indent": 2})
    response["Content-Disposition"] = 'attachment; filename="microcourt-my-data.json"'
    return response


@require_POST
@login_required
def reveal(request):
    """Show the person their own unmasked identity (recorded like any unmasked read)."""
    try:
        shown = verification.identity_reveal(viewer=request.user, subject=request.user)
    except NotFound:
        raise Http404 from None
    return render(request, "identity/me.html#identity", {"identity": shown, "revealed": True})

"""The case space page (mobile-first chat), its attachments and the PDF export. Anyone who
is not an active participant of the case gets 404 on each."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from microcourt.cases import selectors as case_selectors
from microcourt.cases.models import PARTY_ROLES
from microcourt.core.actor import Actor
from microcourt.core.errors import NotFound

from . import actions, selectors
from .models import Message, ThreadKind


def _member(request, case_id: int):
    try:
        return selectors.member_of(Actor.citizen(request.user), case_id)
    except NotFound:
        raise Http404 from None


@login_required
@require_GET
def space(request, case_id: int):
    case, member = _member(request, case_id)
    data = selectors.space_state(case, member)
    participants = [
        {"user": p.user_id, "name": p.display_name, "role": p.get_role_display()}
        for p in case_selectors.participants_of(case).exclude(user_id=None)
    ]
    parties = [
        {"id": p.pk, "name": p.display_name}
        for p in case_selectors.participants_of(case).filter(role__in=PARTY_ROLES)
    ]
    return render(
        request,
        "spaces/space.html",
        {
            "case": case,
            "member": member,
            "space": data,
            "participants": participants,
            "parties": parties,
            "court_thread": not member.court and bool(member.party_ids),
            "pins": selectors.pins_for(case, member),
            "kinds": ThreadKind,
            "tab": "cases",
        },
    )


@login_required
@require_GET
def attachment(request, case_id: int, message_id: int):
    case, member = _member(request, case_id)
    message = Message.objects.filter(
        pk=message_id, case=case, thread__in=selectors.threads_for(case, member)
    ).first()
    if message is None or not message.attachment_path:
        raise Http404
    return FileResponse(
        default_storage.open(message.attachment_path, "rb"),
        content_type=message.attachment_mime,
        as_attachment=message.kind == "file",
        filename=message.attachment_name or message.attachment_path.rsplit("/", 1)[-1],
    )


@login_required
@require_GET
def export(request, case_id: int):
    case = _member(request, case_id)[0]
    pdf = actions.space_export(case=case, actor=Actor.citizen(request.user))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="space-{case.pk}.pdf"'
    return response

"""The case space page (mobile-first chat), its attachments and the PDF export. Anyone who
is not in the space (``policies.py``) gets 404 on each."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from microcourt.core import downloads
from microcourt.core.actor import actor_of
from microcourt.core.errors import NotFound
from microcourt.core.pdf import RenderTimeout

from . import actions, selectors
from .models import ThreadKind


def _space(request, case_id: int):
    """(actor bound to the case, case, member); 404 for anyone not in the space."""
    try:
        return selectors.space_for(actor_of(request), case_id)
    except NotFound:
        raise Http404 from None


@login_required
@require_GET
def space(request, case_id: int):
    _actor, case, member = _space(request, case_id)
    participants, parties = selectors.people(case)
    return render(
        request,
        "spaces/space.html",
        {
            "case": case,
            "member": member,
            "space": selectors.space_state(case, member),
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
    _actor, case, member = _space(request, case_id)
    try:
        message = selectors.attachment_for(case, member, message_id)
    except NotFound:
        raise Http404 from None
    return FileResponse(
        default_storage.open(message.attachment_path, "rb"),
        content_type=message.attachment_mime,
        as_attachment=message.kind == "file",
        filename=message.attachment_name or message.attachment_path.rsplit("/", 1)[-1],
    )


@login_required
@require_GET
def export(request, case_id: int):
    actor, case, _member = _space(request, case_id)
    try:
        pdf = actions.space_export(case=case, actor=actor)
    except RenderTimeout as exc:
        # Back to the space with the reason: the export failed, nothing else did.
        messages.error(request, exc.message)
        return redirect("spaces:space", case.pk)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="space-{case.pk}.pdf"'
    return downloads.mark(request, response)

"""The recording's page (流程公开规定第十一条): its state, hash and who has confirmed it; the
viewer's own watermarked copy played in the page (made by the worker on first visit, with
its progress shown), streamed with HTTP Range so seeking works, inline and never offered as
a download; the raw file only for whom the presiding judge allowed (录音录像规定第十五条).
Anyone outside the session's cases gets 404."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from microcourt.core import downloads
from microcourt.core.actor import actor_of
from microcourt.core.errors import DomainError, NotFound

from .. import policies, selectors
from ..actions import recording as actions
from ..models import RecordingStatus
from ..recording import reads


def _session(request, session_id: int):
    actor = actor_of(request)
    try:
        session = selectors.session_for(actor, session_id)
        recording = reads.recording_for(actor, session)
    except NotFound:
        raise Http404 from None
    return actor, session, recording


@require_GET
@login_required
def recording_page(request, session_id: int):
    actor, session, recording = _session(request, session_id)
    watch = actions.recording_watch(session=session, actor=actor)
    court = policies.is_court(actor, session)
    context = {
        "session": session,
        "case": session.case,
        "recording": recording,
        "watch": watch,
        "court": court,
        "presiding": policies.is_presiding(actor, session),
        "confirmations": reads.confirmations_of(recording),
        "may_download": recording.status == RecordingStatus.READY
        and reads.may_download(actor, recording),
        "people": list(session.seats.filter(user__isnull=False).order_by("pk")),
        "allowed": set(recording.download_allowed or []),
        "tab": "cases",
    }
    if request.htmx and request.GET.get("partial") == "player":
        return render(request, "hearings/recording.html#player", context)
    return render(request, "hearings/recording.html", context)


@require_GET
@login_required
def recording_stream(request, session_id: int):
    """The viewer's own watermarked copy; nobody else's is ever served to them."""
    actor, session, recording = _session(request, session_id)
    if recording.status != RecordingStatus.READY or not reads.copy_ready(recording, actor.user_id):
        raise Http404
    name = reads.copy_path(recording, actor.user_id)
    return downloads.ranged_file(request, name, "video/mp4", f"hearing-{session.pk}.mp4", "inline")


@require_GET
@login_required
def recording_download(request, session_id: int):
    actor, session, _recording = _session(request, session_id)
    try:
        recording = actions.recording_downloaded(session=session, actor=actor)
    except NotFound:
        raise Http404 from None
    return downloads.ranged_file(
        request,
        recording.file,
        "video/mp4",
        f"hearing-{session.pk}-{recording.sha256[:12]}.mp4",
        "attachment",
    )


@require_POST
@login_required
def recording_permission(request, session_id: int):
    actor, session, _recording = _session(request, session_id)
    if not policies.is_presiding(actor, session):
        raise Http404
    try:
        user_id = int(request.POST.get("user_id", ""))
    except ValueError:
        user_id = -1
    try:
        actions.recording_download_permission(
            session=session,
            actor=actor,
            user_id=user_id,
            allowed=request.POST.get("allowed") == "1",
            note=request.POST.get("note", ""),
        )
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("已更新下载许可"))
    return redirect(reverse("hearing_recording", args=[session.pk]))


urlpatterns = [
    path("hearings/<int:session_id>/recording/", recording_page, name="hearing_recording"),
    path(
        "hearings/<int:session_id>/recording/stream/",
        recording_stream,
        name="hearing_recording_stream",
    ),
    path(
        "hearings/<int:session_id>/recording/download/",
        recording_download,
        name="hearing_recording_download",
    ),
    path(
        "hearings/<int:session_id>/recording/permission/",
        recording_permission,
        name="hearing_recording_permission",
    ),
]

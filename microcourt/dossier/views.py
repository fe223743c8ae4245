"""阅卷: the case's e-dossier — the builds the reader may open, a new build on request (made
by the worker, with progress on the page), and the desktop reader with the catalogue. Who
reads which dossier is ``policies.py``; anyone else gets 404."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_POST

from microcourt.core.actor import actor_of
from microcourt.core.errors import NotFound

from . import actions, selectors
from .models import JobStatus


def _reader(request, case_id: int):
    """(actor bound to the case, case, audience); 404 for anyone who reads no dossier."""
    try:
        return selectors.dossier_case(actor_of(request), case_id)
    except NotFound:
        raise Http404 from None


@login_required
def dossier(request, case_id: int):
    actor, case, audience = _reader(request, case_id)
    builds = selectors.builds_for(actor, case)
    job = selectors.latest_job(actor, case)
    context = {
        "case": case,
        "builds": builds,
        "latest": builds[0] if builds else None,
        "audience": audience,
        "job": job,
        "building": job is not None and job.status in (JobStatus.QUEUED, JobStatus.BUILDING),
        "failed": job is not None and job.status == JobStatus.FAILED,
        "tab": "cases",
    }
    if request.htmx and request.GET.get("partial") == "builds":
        return render(request, "dossier/dossier.html#builds", context)
    template = "dossier/reader.html" if request.GET.get("reader") else "dossier/dossier.html"
    return render(request, template, context)


@require_POST
@login_required
def dossier_new(request, case_id: int):
    actor, case, _audience = _reader(request, case_id)
    actions.dossier_request(case=case, actor=actor)
    return redirect(reverse("dossier:dossier", args=[case.pk]) + "?building=1")


@xframe_options_sameorigin  # 电脑阅卷 frames this PDF; every other page stays DENY
@login_required
def dossier_pdf(request, case_id: int, build_id: int):
    actor, case, _audience = _reader(request, case_id)
    try:
        build = selectors.build_for(actor, case, build_id)
    except NotFound:
        raise Http404 from None
    actions.dossier_read(build=build, actor=actor)
    response = FileResponse(default_storage.open(build.path, "rb"), content_type="application/pdf")
    name = f"dossier-{case.pk}-{build.pk}.pdf"
    disposition = "attachment" if request.GET.get("download") else "inline"
    response["Content-Disposition"] = f'{disposition}; filename="{name}"'
    response["Content-Security-Policy"] = "frame-ancestors 'self'"
    return response

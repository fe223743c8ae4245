"""阅卷: the case's e-dossier — the builds the reader may open, a new build on request (made
by the worker, with progress on the page), and the desktop reader with the catalogue."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from microcourt.cases import selectors as case_selectors
from microcourt.core.actor import Actor
from microcourt.core.effects import on_commit
from microcourt.core.errors import NotFound
from microcourt.courts import selectors as court_selectors

from . import actions, selectors, tasks


def _actor(request, case_id: int) -> tuple[Actor, object]:
    """The reader in the role they hold on this case: court staff of the case's court act
    in their court role, everyone else as a citizen. Outsiders: 404."""
    user = request.user
    candidates = [Actor.citizen(user)]
    if getattr(user, "is_court_staff", False):
        for role in sorted(selectors.COURT_READERS):
            try:
                candidates.insert(0, court_selectors.staff_actor(user, role=role))
            except NotFound:
                continue
    for actor in candidates:
        try:
            case = case_selectors.case_for(actor, case_id)
            selectors.audience_for(actor, case)
            return actor, case
        except NotFound:
            continue
    raise Http404


@login_required
def dossier(request, case_id: int):
    actor, case = _actor(request, case_id)
    builds = selectors.builds_for(actor, case)
    context = {
        "case": case,
        "builds": builds,
        "latest": builds[0] if builds else None,
        "audience": selectors.audience_for(actor, case),
        "building": request.GET.get("building") == "1",
        "tab": "cases",
    }
    if request.htmx and request.GET.get("partial") == "builds":
        return render(request, "dossier/dossier.html#builds", context)
    template = "dossier/reader.html" if request.GET.get("reader") else "dossier/dossier.html"
    return render(request, template, context)


@require_POST
@login_required
def dossier_new(request, case_id: int):
    actor, case = _actor(request, case_id)
    on_commit(tasks.build.enqueue, case.pk, request.user.pk, actor.role, actor.court_id)
    return redirect(f"{request.path.rsplit('/new/', 1)[0]}/?building=1")


@login_required
def dossier_pdf(request, case_id: int, build_id: int):
    actor, case = _actor(request, case_id)
    try:
        build = selectors.build_for(actor, case, build_id)
    except NotFound:
        raise Http404 from None
    actions.dossier_read(build=build, actor=actor)
    response = FileResponse(default_storage.open(build.path, "rb"), content_type="application/pdf")
    name = f"dossier-{case.pk}-{build.pk}.pdf"
    disposition = "attachment" if request.GET.get("download") else "inline"
    response["Content-Disposition"] = f'{disposition}; filename="{name}"'
    return response

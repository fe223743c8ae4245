"""Entering and sitting in the courtroom: the device check, the face re-check (在线诉讼规则
第七条), the courtroom rules (第二十七条), the waiting room and the courtroom itself.

Each step is a page of its own with the progress above it; a person sent to a later step
too early is sent back to the step they still owe. The court's own people (judge, clerk …)
need neither the face re-check nor the waiting room and go straight in. Whoever has no seat
in the session gets 404, as for a session that does not exist.
"""

from __future__ import annotations

from urllib.parse import quote

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from microcourt.core.actor import actor_of
from microcourt.core.errors import DomainError, NotFound
from microcourt.identity import selectors as identity_selectors

from .. import policies, roomstate, selectors
from ..actions import room
from ..models import (
    COURT_SEATS,
    AttendanceCause,
    AttendanceKind,
    HearingStage,
    Participation,
    SeatRole,
    SeatStatus,
    SessionStatus,
)

# Which way this person chose on the device check, per session (kept in their log-in session:
# a choice for this sitting on this device, not a fact about the seat).
CHOICES = (Participation.VIDEO, Participation.AUDIO, Participation.TEXT)
# The stages shown to everyone, in order (在线诉讼规则第二十二条).
STAGES = [(value, label) for value, label in HearingStage.choices if value != "not_started"]
STEPS = ("device", "identity", "rules", "waiting")


def _context(request, session_id: int):
    """(actor, session, seat); 404 for anyone without a seat (or a removed one's stranger)."""
    actor = actor_of(request)
    try:
        session = selectors.session_for(actor, session_id)
    except NotFound:
        raise Http404 from None
    # ?seat= picks one of the person's seats: the physical courtroom's camera in a mixed
    # session is run from the clerk's account on the courtroom's computer.
    asked = request.GET.get("seat", "")
    seat_id = int(asked) if asked.isascii() and asked.isdigit() and len(asked) < 12 else None
    seat = selectors.seat_of(actor, session, seat_id)
    if seat is None:
        raise Http404
    return actor, session, seat


def _page(request, template: str, session, seat, step: str, status: int = 200, **extra):
    is_court = seat.role in COURT_SEATS
    steps = [s for s in STEPS if not (is_court and s in ("identity", "waiting"))]
    index = steps.index(step) + 1 if step in steps else len(steps)
    return render(
        request,
        template,
        {
            "session": session,
            "case": session.case,
            "seat": seat,
            "is_court": is_court,
            "step": step,
            "steps": steps,
            "step_index": index,
            "step_count": len(steps),
            "step_percent": int(100 * index / len(steps)),
            "tab": "cases",
            **extra,
        },
        status=status,
    )


def _fresh(actor) -> tuple[bool, str]:
    """Whether the face check is fresh, and where to do it otherwise."""
    try:
        identity_selectors.require_fresh_verification(actor, "hearing", policies.FACE_CHECK_MAX_AGE)
    except identity_selectors.VerificationRequired as exc:
        return False, exc.url
    return True, ""


def _choice(request, session_id: int, seat) -> str:
    return seat.participation if seat.participation in CHOICES else Participation.VIDEO


def _closed(session) -> bool:
    return session.status in ("closed", "cancelled")


@login_required
@require_http_methods(["GET", "POST"])
def enter(request, session_id: int):
    """Step 1: the device check (camera, microphone, bandwidth) and the way to take part."""
    actor, session, seat = _context(request, session_id)
    if _closed(session):
        return _page(request, "hearings/enter_closed.html", session, seat, "device")
    error = ""
    if request.method == "POST":
        chosen = request.POST.get("participation", "")
        if chosen in CHOICES:
            # Recorded on the seat (and in the ledger): the court sees who takes part by
            # text only or audio only.
            try:
                seat = room.seat_set_participation(
                    session=session, actor=actor, participation=chosen
                )
            except DomainError as exc:  # attending offline: the court decided so
                error = str(exc)
            else:
                if seat.role in COURT_SEATS:
                    return redirect("hearing_rules", session.pk)
                return redirect("hearing_identity", session.pk)
        else:
            error = _("请选择参加方式")
    return _page(
        request,
        "hearings/device_check.html",
        session,
        seat,
        "device",
        chosen=_choice(request, session.pk, seat),
        probe_bytes=PROBE_BYTES,
        choices=[(c, Participation(c).label) for c in CHOICES],
        error=error,
        status=400 if error else 200,
    )


@login_required
@require_GET
def identity(request, session_id: int):
    """Step 2: a face check within the last 30 minutes (在线诉讼规则第七条); the re-check page
    brings the person back here."""
    actor, session, seat = _context(request, session_id)
    fresh, url = _fresh(actor)
    if fresh or seat.role in COURT_SEATS:
        return redirect("hearing_rules", session.pk)
    here = reverse("hearing_identity", args=[session.pk])
    joiner = "&" if "?" in url else "?"
    return _page(
        request,
        "hearings/enter_identity.html",
        session,
        seat,
        "identity",
        recheck_url=f"{url}{joiner}next={quote(here)}",
        needs_full=url.rstrip("/").endswith("/accounts/verify"),
    )


@login_required
@require_http_methods(["GET", "POST"])
def rules(request, session_id: int):
    """Step 3: the courtroom rules and the ban on private recording or broadcasting
    (在线诉讼规则第二十七条), acknowledged once per seat."""
    actor, session, seat = _context(request, session_id)
    if seat.role not in COURT_SEATS and not _fresh(actor)[0]:
        return redirect("hearing_identity", session.pk)
    error = ""
    if request.method == "POST":
        if request.POST.get("agree") != "yes":
            error = _("请勾选“我已阅读并遵守以上庭审纪律”")
        else:
            try:
                room.seat_acknowledge_rules(session=session, actor=actor)
            except NotFound:
                raise Http404 from None
            except DomainError as exc:
                error = str(exc.message)
            else:
                if seat.role in COURT_SEATS:
                    return redirect("hearing_room", session.pk)
                # Straight on into the waiting room (the clerk sees the person arrive).
                return waiting(request, session.pk)
    return _page(
        request,
        "hearings/enter_rules.html",
        session,
        seat,
        "rules",
        error=error,
        status=400 if error else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def waiting(request, session_id: int):
    """Step 4: the waiting room (候审室). Arriving (POST, which the rules step does) tells the
    clerk, who checks the person's identity and admits them; the page follows the socket and
    moves into the courtroom once admitted. A witness waits here, unable to see or hear,
    until called (在线诉讼规则第二十六条)."""
    actor, session, seat = _context(request, session_id)
    if seat.role in COURT_SEATS:
        return redirect("hearing_room", session.pk)
    if not _fresh(actor)[0]:
        return redirect("hearing_identity", session.pk)
    if seat.rules_acknowledged_at is None:
        return redirect("hearing_rules", session.pk)
    error = ""
    if request.method == "POST":
        try:
            room.seat_wait(session=session, actor=actor)
        except NotFound:
            raise Http404 from None
        except identity_selectors.VerificationRequired:
            return redirect("hearing_identity", session.pk)
        except DomainError as exc:
            error = str(exc.message)
        else:
            return redirect("hearing_waiting", session.pk)
    seat.refresh_from_db()
    return _page(
        request,
        "hearings/waiting.html",
        session,
        seat,
        "waiting",
        status=409 if error else 200,
        state=selectors.session_detail(session, actor),
        error=error,
        arrived=seat.status != SeatStatus.INVITED,
        witness=seat.role == SeatRole.WITNESS,
    )


@login_required
@require_GET
def courtroom(request, session_id: int):
    """The courtroom: the court's header, the stages, the video tiles (janus.js), the
    exhibit on screen, the line of events for text-only participants, and the judge's and
    clerk's panel for the court's seats."""
    actor, session, seat = _context(request, session_id)
    is_court = seat.role in COURT_SEATS
    if not is_court and session.status not in ("closed", "cancelled"):
        # Not allowed in yet: back to the step the person still owes.
        if not _fresh(actor)[0]:
            return redirect("hearing_identity", session.pk)
        if seat.rules_acknowledged_at is None:
            return redirect("hearing_rules", session.pk)
        try:
            policies.require_join(actor, session, seat)
        except DomainError:
            return redirect("hearing_waiting", session.pk)
    court_view = roomstate.is_court(actor, session)
    state = roomstate.state_for(actor, session, seat, court=court_view)
    return render(
        request,
        "hearings/courtroom.html",
        {
            "session": session,
            "case": session.case,
            "seat": seat,
            "is_court": is_court,
            "is_presiding": policies.is_presiding(actor, session),
            "state": state,
            "stages": STAGES,
            "labels": {
                "status": {value: str(label) for value, label in SessionStatus.choices},
                "attendance": {value: str(label) for value, label in AttendanceKind.choices},
                "cause": {value: str(label) for value, label in AttendanceCause.choices if value},
            },
            "participation": _choice(request, session.pk, seat),
            "exhibits": _exhibits(actor, session) if is_court else [],
            "identities": selectors.seat_identities(session) if court_view else {},
            "seat_asked": seat.pk if request.GET.get("seat") else "",
            "courtroom_seat": _courtroom_seat(actor, session, seat),
        },
    )


def _courtroom_seat(actor, session, seat):
    """The physical courtroom's seat of a mixed session, for the clerk to open its camera
    on the courtroom's computer; None elsewhere."""
    if seat.role != "clerk":
        return None
    return next((s for s in selectors.seats(session) if s.role == "courtroom"), None)


def _exhibits(actor, session) -> list[dict]:
    """The case's exhibits this person may see (the court's own are hidden from parties):
    what the exhibit panel can show when the judge puts one on screen."""
    from microcourt.evidence import selectors as evidence_selectors

    try:
        case, viewer = evidence_selectors.evidence_case(actor, session.case_id)
    except NotFound:
        return []
    return [
        {
            "id": e.pk,
            "number": e.number,
            "name": e.name,
            "pages": e.pages,
            "mime": e.mime,
            "preview": reverse("evidence:preview", args=[case.pk, e.number])
            if e.preview_path
            else "",
            "file": reverse("evidence:file", args=[case.pk, e.number]),
            "text": e.preview_text[:400],
        }
        for e in evidence_selectors.exhibits_for(case, viewer)
    ]


@login_required
@require_GET
def exhibit_page(request, session_id: int, page: int):
    """A page of the exhibit the judge has on screen, as a picture, for whoever may see that
    exhibit (the court; a party of its case unless it is the court's own): the evidence app's
    preview is of the first page only. Anything else is 404, like a page that does not exist."""
    import base64

    from django.conf import settings
    from django.core.cache import cache

    from microcourt.core import sandbox
    from microcourt.evidence import actions as evidence_actions
    from microcourt.evidence import previews
    from microcourt.evidence import selectors as evidence_selectors

    actor, session, _seat = _context(request, session_id)
    exhibit = session.exhibit
    if exhibit is None or exhibit.mime != "application/pdf" or not 1 <= page <= 9999:
        raise Http404
    try:
        case, viewer = evidence_selectors.evidence_case(actor, exhibit.case_id)
        exhibit = evidence_selectors.exhibit_for(case, viewer, exhibit.number)
    except NotFound:
        raise Http404 from None
    key = f"hearing-exhibit-page:{exhibit.sha256}:{page}"
    jpeg = cache.get(key)
    if jpeg is None:
        try:
            with previews._local_path(exhibit.path) as path:
                result = sandbox.run(
                    "microcourt.hearings.exhibit_pages.render_page",
                    memory_mb=settings.PREVIEW_MAX_MEMORY_MB,
                    seconds=settings.PREVIEW_TIMEOUT_SECONDS,
                    path=path,
                    page=page,
                    max_pixels=settings.PREVIEW_MAX_PIXELS,
                )
        except (sandbox.Failed, OSError):
            raise Http404 from None
        jpeg = base64.b64decode(result["jpeg"])
        cache.set(key, jpeg, 3600)
    evidence_actions.log_view(exhibit, actor, viewer, what="hearing_page")
    response = HttpResponse(jpeg, content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=3600"
    return response


# The device check times the download of this many bytes to estimate the bandwidth.
PROBE_BYTES = 128 * 1024


@require_GET
def bandwidth_probe(request):
    """Random bytes (nothing compresses or caches them), for the device check's estimate."""
    import os

    response = HttpResponse(os.urandom(PROBE_BYTES), content_type="application/octet-stream")
    response["Cache-Control"] = "no-store"
    return response


@require_GET
def emblem(request):
    """The official national emblem the operator configured (COURT_EMBLEM_FILE), or 404."""
    from django.http import FileResponse, Http404

    from ..emblem import emblem_file

    found = emblem_file()
    if found is None:
        raise Http404
    path, kind = found
    response = FileResponse(path.open("rb"), content_type=kind)
    response["Cache-Control"] = "public, max-age=86400"
    # An SVG opened on its own must not run anything (it is shown through <img> anyway).
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    return response


urlpatterns = [
    path("hearings/probe.bin", bandwidth_probe, name="hearing_probe"),
    path("hearings/emblem", emblem, name="hearing_emblem"),
    path(
        "hearings/<int:session_id>/exhibit/<int:page>/", exhibit_page, name="hearing_exhibit_page"
    ),
    path("hearings/<int:session_id>/", courtroom, name="hearing_room"),
    path("hearings/<int:session_id>/enter/", enter, name="hearing_enter"),
    path("hearings/<int:session_id>/enter/identity/", identity, name="hearing_identity"),
    path("hearings/<int:session_id>/enter/rules/", rules, name="hearing_rules"),
    path("hearings/<int:session_id>/waiting/", waiting, name="hearing_waiting"),
]

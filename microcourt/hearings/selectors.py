"""Reads of hearings, scoped to the actor (ARCHITECTURE §4.4)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from microcourt.cases import policies as case_policies
from microcourt.cases.models import Case
from microcourt.core.actor import Actor
from microcourt.core.errors import NotFound

from . import policies
from .models import COURT_SEATS, AttendanceEvent, AttendanceKind, Seat, Session


def sessions_of_case(actor: Actor, case: Case) -> QuerySet[Session]:
    """The case's sessions, its own and the joint ones it is heard in."""
    case_policies.require_visible(actor, case)
    return (
        Session.objects.filter(Q(case=case) | Q(case_links__case=case))
        .distinct()
        .select_related("case", "case__court")
        .order_by("starts_at", "pk")
    )


def session_for(actor: Actor, session_id: int) -> Session:
    """The session if the actor may see it; NotFound otherwise (an outsider learns nothing)."""
    session = (
        Session.objects.select_related("case", "case__court", "exhibit", "spotlight")
        .filter(pk=session_id)
        .first()
    )
    if session is None:
        raise NotFound(_("没有找到该庭审"))
    policies.require_visible(actor, session)
    return session


def seat_of(actor: Actor, session: Session, seat_id: int | None = None) -> Seat | None:
    """The actor's seat in the session: the one asked for by ``seat_id`` if it is theirs,
    else the court's seat before a party's (a judge who is also an agent elsewhere sits as
    the judge), and a person's own seat before the courtroom camera's."""
    if actor.user_id is None:
        return None
    seats = list(session.seats.filter(user_id=actor.user_id))
    if seat_id is not None:
        return next((s for s in seats if s.pk == seat_id), None)
    if not seats:
        return None
    order = [r for r, _ in Seat._meta.get_field("role").choices]
    return min(seats, key=lambda s: order.index(s.role))


def seats(session: Session) -> list[Seat]:
    return list(session.seats.select_related("participant").order_by("pk"))


def upcoming_for_user(actor: Actor, *, since) -> QuerySet[Session]:
    """Sessions where the actor holds a seat, from ``since`` on (my hearings)."""
    return (
        Session.objects.filter(seats__user_id=actor.user_id, starts_at__gte=since)
        .exclude(status="cancelled")
        .select_related("case", "case__court")
        .distinct()
        .order_by("starts_at")
    )


def session_out(session: Session) -> dict:
    return {
        "id": session.pk,
        "case_id": session.case_id,
        "case_number": session.case.number,
        "kind": session.kind,
        "kind_label": str(session.get_kind_display()),
        "starts_at": session.starts_at,
        "ends_at": session.ends_at,
        "duration_minutes": session.duration_minutes,
        "status": session.status,
        "status_label": str(session.get_status_display()),
        "mode": session.mode,
        "procedure": session.procedure,
        "layout": session.layout,
        "venue": session.venue,
        "stage": session.stage,
        "stage_label": str(session.get_stage_display()),
        "waiting_room": session.waiting_room,
        "locked": session.locked,
        "public": session.public,
        "joint_case_ids": [link.case_id for link in session.case_links.all()],
        "version": session.version,
    }


def seat_out(seat) -> dict:
    return {
        "id": seat.pk,
        "role": seat.role,
        "role_label": str(seat.get_role_display()),
        "name": seat.name,
        "case_id": seat.case_id,
        "participation": seat.participation,
        "status": seat.status,
        "muted": seat.muted,
        "camera_off": seat.camera_off,
        "present": seat.present,
        "called": seat.called,
    }


def session_detail(session: Session, actor) -> dict:
    mine = seat_of(actor, session)
    return {
        **session_out(session),
        "seats": [seat_out(s) for s in seats(session)],
        "exhibit_id": session.exhibit_id,
        "exhibit_page": session.exhibit_page,
        "spotlight_seat_id": session.spotlight_id,
        "my_seat_id": mine.pk if mine else None,
    }


def seat_identities(session: Session) -> dict[str, dict]:
    """For the clerk checking identity before admitting (核对身份): each party's or witness's
    verified name and masked ID number, by seat id."""
    from microcourt.identity import selectors as identity_selectors

    out = {}
    for seat in seats(session):
        if seat.user_id is None or seat.role in COURT_SEATS:
            continue
        found = identity_selectors.identity_masked(seat.user)
        if found:
            out[str(seat.pk)] = {"name": found["name"], "id_number": found["id_number"]}
    return out


# -- 庭审笔录 (transcripts) ----------------------------------------------------------------


def transcript_record_of(session: Session, case_id: int):
    """The record of one case of the session (unsaved while nothing was written yet)."""
    from .models import TranscriptRecord

    record = (
        TranscriptRecord.objects.select_related("session", "case", "case__court")
        .filter(session=session, case_id=case_id)
        .first()
    )
    if record is None:
        record = TranscriptRecord(session=session, case_id=case_id)
    return record


def transcript_lines_of(record) -> QuerySet:
    """The lines of one case's record: its seats' and the court's; in a joint session only
    the court's lines spoken while that case was heard (``joint.stretches_of``)."""
    from .actions import joint
    from .models import TranscriptLine

    session = record.session
    lines = TranscriptLine.objects.filter(session=session).select_related("seat")
    if not session.case_links.exists():
        return lines.order_by("started_at", "pk")
    own = Q(case_id=record.case_id)
    during = Q(pk__in=[])
    for stretch in joint.stretches_of(session, record.case):
        window = Q(started_at__gte=stretch.start)
        if stretch.end is not None:
            window &= Q(started_at__lt=stretch.end)
        during |= window
    return lines.filter(own | (Q(case__isnull=True) & during)).order_by("started_at", "pk")


def transcript_case_for(actor: Actor, session: Session, case_id: int | None) -> int:
    """Which case's record the actor reads: the one asked for if they have standing on it;
    by default the case of their seat (the session's own case for the court)."""
    from .actions import joint

    cases = {c.pk: c for c in joint.cases_of(session)}
    court = policies.is_court(actor, session)
    if case_id is None:
        seat = seat_of(actor, session)
        case_id = seat.case_id if (seat is not None and not court) else session.case_id
        if not court and seat is None:
            mine = [pk for pk, c in cases.items() if case_policies.case_roles(actor, c)]
            case_id = mine[0] if mine else session.case_id
    if case_id not in cases:
        raise NotFound(_("没有找到该庭审"))
    if court:
        return case_id
    if case_policies.case_roles(actor, cases[case_id]):
        return case_id
    seat = seat_of(actor, session)
    if seat is not None and seat.case_id == case_id:
        return case_id
    raise NotFound(_("没有找到该庭审"))


def transcript_for(actor: Actor, session_id: int, case_id: int | None = None):
    """(session, record) the actor may read now: the court's people always; a participant
    after the session, or live if the judge allowed; anyone else NotFound. Read too early,
    the answer is a Forbidden saying when."""
    session = session_for(actor, session_id)
    case_id = transcript_case_for(actor, session, case_id)
    record = transcript_record_of(session, case_id)
    policies.require_transcript_read(actor, session, record.live_visible)
    return session, record


def transcript_line_out(line, *, court: bool = False) -> dict:
    out = {
        "id": line.pk,
        "seat_id": line.seat_id,
        "case_id": line.case_id,
        "speaker": line.speaker,
        "started_at": line.started_at,
        "ended_at": line.ended_at,
        "text": line.text,
        "gap": line.gap,
        "gap_label": str(line.get_gap_display()) if line.gap else "",
        "stage": line.stage,
        "stage_label": str(line.get_stage_display()),
        "edited": line.edited,
        "updated_at": line.updated_at,
    }
    if court:
        out["engine_text"] = line.engine_text
        out["engine"] = line.engine
    return out


def transcript_versions(line) -> list[dict]:
    return [
        {
            "number": v.number,
            "text": v.text,
            "by": v.by_name or str(_("语音识别")),
            "at": v.at,
            "note": v.note,
        }
        for v in line.versions.order_by("number")
    ]


def transcript_signers(record) -> list:
    from .models import TranscriptSigner

    if record.pk is None:
        return []
    return list(
        TranscriptSigner.objects.filter(record=record, revision=record.revision)
        .select_related("user")
        .order_by("pk")
    )


def transcript_signer_of(actor: Actor, record):
    if actor.user_id is None:
        return None
    return next((s for s in transcript_signers(record) if s.user_id == actor.user_id), None)


def transcript_refusals(record) -> list:
    """Every refusal to sign, of every revision (记明情况附卷)."""
    from .models import SignerStatus, TranscriptSigner

    if record.pk is None:
        return []
    return list(
        TranscriptSigner.objects.filter(record=record, status=SignerStatus.REFUSED).order_by(
            "revision", "pk"
        )
    )


def transcript_corrections(record) -> list:
    from .models import TranscriptCorrection

    if record.pk is None:
        return []
    return list(TranscriptCorrection.objects.filter(record=record).select_related("line"))


def transcript_record_out(record, actor: Actor) -> dict:
    from django.urls import reverse

    session = record.session
    court = policies.is_court(actor, session)
    mine = transcript_signer_of(actor, record)
    return {
        "session_id": session.pk,
        "case_id": record.case_id,
        "status": record.status,
        "status_label": str(record.get_status_display()),
        "live_visible": record.live_visible,
        "revision": record.revision,
        "pdf_sha256": record.pdf_sha256 or None,
        "final_sha256": record.head_sha256 if record.status == "signed" else None,
        "due_on": record.due_on,
        "sent_at": record.sent_at,
        "completed_at": record.completed_at,
        "signers": [
            {
                "user_id": s.user_id,
                "label": s.label,
                "status": s.status,
                "status_label": str(s.get_status_display()),
                "signed_at": s.signed_at,
                "refused_at": s.refused_at,
                "reason": s.reason,
            }
            for s in transcript_signers(record)
        ],
        "corrections": [
            {
                "id": c.pk,
                "line_id": c.line_id,
                "omission": c.omission,
                "text": c.text,
                "reason": c.reason,
                "requester": c.requester_label,
                "status": c.status,
                "status_label": str(c.get_status_display()),
                "note": c.note,
                "decided_at": c.decided_at,
                "after_signing": c.after_signing,
            }
            for c in transcript_corrections(record)
        ],
        "my_status": mine.status if mine else None,
        "may_edit": court and record.status == "drafting",
        "page_url": reverse(
            "hearing_transcript", kwargs={"session_id": session.pk, "case_id": record.case_id}
        ),
        "pdf_url": (
            reverse(
                "hearing_transcript_pdf",
                kwargs={"session_id": session.pk, "case_id": record.case_id},
            )
            if record.pdf_path
            else None
        ),
    }


def dossier_items(case) -> list[dict]:
    """The signed records of the case's sessions and their 记明情况 pages, for the
    e-dossier (registered with it in ``apps.ready``: the dossier may not import hearings)."""
    from .models import TranscriptRecord, TranscriptStatus

    out = []
    for record in TranscriptRecord.objects.filter(
        case=case, status=TranscriptStatus.SIGNED
    ).select_related("session"):
        when = record.session.opened_at or record.session.starts_at
        name = f"{record.session.get_kind_display()}笔录 {when:%Y-%m-%d}"
        out.append(
            {
                "title": name,
                "category": str(_("庭审笔录")),
                "mime": "application/pdf",
                "sha256": record.head_sha256,
                "path": record.head_path,
                "court_only": False,
            }
        )
        if record.note_path:
            out.append(
                {
                    "title": f"{name}（{_('签名情况')}）",
                    "category": str(_("庭审笔录")),
                    "mime": "application/pdf",
                    "sha256": record.note_sha256,
                    "path": record.note_path,
                    "court_only": False,
                }
            )
    return out


# -- the attendance log (在线诉讼规则第二十五条), read -------------------------------------

# The lines that say where a person is: in, out, or cut off.
PRESENCE = (
    AttendanceKind.JOINED,
    AttendanceKind.REJOINED,
    AttendanceKind.DROPPED,
    AttendanceKind.LEFT,
    AttendanceKind.REMOVED,
    AttendanceKind.REPLACED,
)
IN = (AttendanceKind.JOINED, AttendanceKind.REJOINED)


def grace() -> dt.timedelta:
    """How long a dropped person has to come back for the drop to count as a network failure
    that was repaired (HEARING_REJOIN_GRACE_SECONDS, default 120 s)."""
    return dt.timedelta(seconds=getattr(settings, "HEARING_REJOIN_GRACE_SECONDS", 120))


def outcome(line: AttendanceEvent, following: AttendanceEvent | None, *, closed: bool) -> str:
    """For a drop: ``rejoined`` (back within the grace window: a network failure that was
    repaired), ``rejoined_late``, ``not_returned`` (the window passed, or the session closed,
    without a return: stays a drop for the judge to weigh) or ``pending``. Empty otherwise."""
    if line.kind != AttendanceKind.DROPPED:
        return ""
    if following is not None and following.kind in IN:
        return "rejoined" if following.at - line.at <= grace() else "rejoined_late"
    if following is not None or closed or timezone.now() - line.at > grace():
        return "not_returned"
    return "pending"


def lines_with_outcome(session: Session, seat_ids=None) -> list[tuple[AttendanceEvent, str]]:
    qs = session.attendance.select_related("seat").order_by("at", "pk")
    if seat_ids is not None:
        qs = qs.filter(seat_id__in=seat_ids)
    lines = list(qs)
    closed = session.status in ("closed", "cancelled")
    out = []
    for i, line in enumerate(lines):
        following = next(
            (
                later
                for later in lines[i + 1 :]
                if later.seat_id == line.seat_id and later.kind in PRESENCE
            ),
            None,
        )
        out.append((line, outcome(line, following, closed=closed)))
    return out


def line_out(line: AttendanceEvent, result: str) -> dict:
    return {
        "id": line.pk,
        "seat": line.seat_id,
        "seat_label": line.seat.label,
        "role": line.seat.role,
        "kind": line.kind,
        "kind_label": str(line.get_kind_display()),
        "cause": line.cause,
        "cause_label": str(line.get_cause_display()) if line.cause else "",
        "at": line.at.isoformat(),
        "detail": line.detail,
        "outcome": result,
        "outcome_label": str(OUTCOME_LABELS.get(result, "")),
    }


OUTCOME_LABELS = {
    "rejoined": _("已在宽限期内重新连接"),
    "rejoined_late": _("超过宽限期后重新连接"),
    "not_returned": _("中断后未返回"),
    "pending": _("等待重新连接"),
}


def attendance_summary(session: Session) -> list[dict]:
    """The court's view: each seat's latest presence line and, for a drop, its outcome."""
    latest: dict[int, dict] = {}
    for line, result in lines_with_outcome(session):
        if line.kind in PRESENCE or line.seat_id not in latest:
            latest[line.seat_id] = line_out(line, result)
    return list(latest.values())


# -- 庭审笔录 catch-up (issue 17) ----------------------------------------------------------
# The pages read the lines changed since their last look (``?after=<cursor>``) as well as
# receiving the socket's pushes: without Redis the worker's pushes never reach the web
# process. The cursor is the server's clock in microseconds, set back by an overlap so that
# a line whose transaction stamped ``updated_at`` a moment before it committed is still
# read next time (the page merges by id and ``updated_at``, so a line read twice is no harm).
TRANSCRIPT_CURSOR_OVERLAP = dt.timedelta(seconds=5)
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def transcript_cursor() -> int:
    at = timezone.now() - TRANSCRIPT_CURSOR_OVERLAP
    return (at - _EPOCH) // dt.timedelta(microseconds=1)


def transcript_lines_after(lines: QuerySet, after: int | None) -> QuerySet:
    """``lines`` written or edited after the cursor ``after`` (all of them without one)."""
    if after is None:
        return lines
    return lines.filter(updated_at__gt=_EPOCH + dt.timedelta(microseconds=after))

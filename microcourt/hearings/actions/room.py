"""The room: seats, opening and closing, entering (the join token Janus checks), admitting.

The room on the media server exists while the session is live. Django creates it with a
secret and an ``allowed`` list of tokens and adds each participant's token when they enter,
so Janus itself refuses anyone else, and a token of one room in another
(在线诉讼规则第二十一条: the court ensures the hearing's order and security online).
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from microcourt.cases.models import CaseParticipant, ParticipantRole
from microcourt.core.actor import Actor
from microcourt.core.effects import on_commit
from microcourt.core.errors import Conflict
from microcourt.ledger import actions as ledger

from .. import live, policies, selectors
from ..events import LedgerEvent
from ..janus.client import get_client
from ..models import (
    COURT_SEATS,
    AttendanceCause,
    AttendanceKind,
    Layout,
    Mode,
    Participation,
    Recording,
    RecordingStatus,
    Seat,
    SeatRole,
    SeatStatus,
    Session,
    SessionStatus,
)
from ..states import SEAT, SESSION

# Room numbers start above Janus's demo rooms (1234 …); JavaScript keeps them exact (< 2**53).
ROOM_BASE = 100_000
_SEAT_OF_ROLE = {
    ParticipantRole.JUDGE: SeatRole.JUDGE,
    ParticipantRole.JUDGE_ASSISTANT: SeatRole.ASSISTANT,
    ParticipantRole.CLERK: SeatRole.CLERK,
    ParticipantRole.MEDIATOR: SeatRole.MEDIATOR,
    ParticipantRole.PLAINTIFF: SeatRole.PLAINTIFF,
    ParticipantRole.APPELLANT: SeatRole.PLAINTIFF,
    ParticipantRole.APPLICANT: SeatRole.PLAINTIFF,
    ParticipantRole.DEFENDANT: SeatRole.DEFENDANT,
    ParticipantRole.APPELLEE: SeatRole.DEFENDANT,
    ParticipantRole.RESPONDENT: SeatRole.DEFENDANT,
    ParticipantRole.THIRD_PARTY: SeatRole.THIRD_PARTY,
    ParticipantRole.AGENT: SeatRole.AGENT,
    ParticipantRole.LEGAL_REPRESENTATIVE: SeatRole.AGENT,
}


def seats_sync(*, session: Session) -> list[Seat]:
    """Give every active participant of the session's cases a seat (idempotent). The case's
    first judge presides; an offline participant (no account) is seated as attending offline."""
    cases = [session.case, *session.joint_cases.all()]
    existing = {(s.participant_id, s.role) for s in session.seats.all()}
    presiding = session.seats.filter(role=SeatRole.PRESIDING_JUDGE).exists()
    created = []
    for case in cases:
        participants = CaseParticipant.objects.filter(case=case, active=True).order_by("pk")
        for p in participants:
            role = _SEAT_OF_ROLE.get(p.role)
            if role is None:
                continue
            if role == SeatRole.JUDGE and not presiding and case.pk == session.case_id:
                role, presiding = SeatRole.PRESIDING_JUDGE, True
            if (p.pk, role) in existing or (
                role == SeatRole.JUDGE and (p.pk, SeatRole.PRESIDING_JUDGE) in existing
            ):
                continue
            if (
                p.user_id is not None
                and session.seats.filter(user_id=p.user_id, role=role).exists()
            ):
                continue
            created.append(
                Seat.objects.create(
                    session=session,
                    case=case,
                    participant=p,
                    user_id=p.user_id,
                    role=role,
                    name=p.display_name,
                    participation=Participation.VIDEO if p.user_id else Participation.OFFLINE,
                    # The court's people need no admission.
                    status=SeatStatus.ADMITTED if role in _COURT else SeatStatus.INVITED,
                )
            )
    if session.mode in (Mode.MIXED, Mode.OFFLINE):
        created.extend(_courtroom_seat(session))
    return created


def _courtroom_seat(session: Session) -> list[Seat]:
    """A mixed session's physical courtroom joins as one publisher (its camera and
    microphone), run from the clerk's account on the courtroom's computer."""
    if session.seats.filter(role=SeatRole.COURTROOM).exists():
        return []
    clerk = session.seats.filter(role=SeatRole.CLERK, user__isnull=False).first()
    if clerk is None:
        return []
    return [
        Seat.objects.create(
            session=session,
            case=session.case,
            user_id=clerk.user_id,
            role=SeatRole.COURTROOM,
            name=session.venue or str(SeatRole.COURTROOM.label),
            status=SeatStatus.ADMITTED,
        )
    ]


_COURT = COURT_SEATS


def _ensure_room(session: Session) -> None:
    """Create the Janus room (idempotent) with the tokens of everyone already admitted."""
    if session.room is None:
        # Random, not the session's number: rooms are not guessable, and a media node shared
        # by several deployments (or test runs) never sees two sessions claim one room.
        session.room = ROOM_BASE + secrets.randbelow(1 << 44)
        session.room_secret = secrets.token_urlsafe(24)
        session.save(update_fields=["room", "room_secret", "updated_at"])
    recording, _created = Recording.objects.get_or_create(
        session=session, defaults={"status": RecordingStatus.PENDING}
    )
    tokens = list(session.seats.exclude(token="").values_list("token", flat=True))
    rec_dir = str(settings.JANUS_REC_DIR / f"room-{session.room}")
    recording_on = session.status == SessionStatus.OPEN and session.layout == Layout.COURTROOM
    get_client().create_room(
        session.room,
        secret=session.room_secret,
        description=f"{session.case.number or session.case.pk} {session.get_kind_display()}",
        publishers=_publishers(session),
        record=recording_on,
        rec_dir=rec_dir,
        allowed=tokens,
    )
    if not recording.rec_dir:
        recording.rec_dir = rec_dir
        recording.save(update_fields=["rec_dir", "updated_at"])


def _publishers(session: Session) -> int:
    # A broadcast (creditors' meeting) has few speakers at once; a courtroom everyone.
    count = session.seats.count()
    return max(6, min(count + 2, 16 if session.layout == Layout.BROADCAST else 64))


def session_open(*, session: Session, actor: Actor) -> Session:
    """宣布开庭: the presiding judge opens the session; the room and its recording start."""
    with transaction.atomic():
        session = SESSION.apply(session, "open", actor=actor)
        session.opened_at = timezone.now()
        session.version += 1
        session.save(update_fields=["opened_at", "version", "updated_at"])
        seats_sync(session=session)
        live.push(session.pk, "status", status=session.status, version=session.version)
    _ensure_room(session)
    from . import recording as recording_actions

    recording_actions.recording_started(session=session)
    from . import live_views

    live_views.broadcast_started(session=session, actor=actor, why="open")
    from ..transcription import runner as transcription

    transcription.start_after_commit(session.pk)  # live transcript (docs/hearings.md)
    return session


def session_recess(*, session: Session, actor: Actor, note: str = "") -> Session:
    """休庭: the recording pauses (录音录像规定第四条: recorded from opening to closing,
    recesses excepted)."""
    with transaction.atomic():
        session = SESSION.apply(session, "recess", actor=actor, note=note)
        session.version += 1
        session.save(update_fields=["version", "updated_at"])
        live.push(session.pk, "status", status=session.status, version=session.version)
    from . import recording as recording_actions

    recording_actions.recording_paused(session=session)
    from . import live_views

    # Off the air for the recess (the recording pauses too): the viewers' connections close.
    live_views.broadcast_stopped(
        session=session, actor=actor, why="recess", was_on_air=session.public
    )
    return session


def session_resume(*, session: Session, actor: Actor) -> Session:
    with transaction.atomic():
        session = SESSION.apply(session, "resume", actor=actor)
        session.version += 1
        session.save(update_fields=["version", "updated_at"])
        live.push(session.pk, "status", status=session.status, version=session.version)
    from . import recording as recording_actions

    recording_actions.recording_resumed(session=session)
    from . import live_views

    live_views.broadcast_started(session=session, actor=actor, why="resume")
    from ..transcription import runner as transcription

    transcription.start_after_commit(session.pk)  # live transcript (docs/hearings.md)
    return session


def session_close(*, session: Session, actor: Actor) -> Session:
    """闭庭: the room is destroyed once everyone is told; the worker builds the recording."""
    was_on_air = session.public and session.status == SessionStatus.OPEN
    with transaction.atomic():
        session = SESSION.apply(session, "close", actor=actor)
        session.closed_at = timezone.now()
        session.version += 1
        session.save(update_fields=["closed_at", "version", "updated_at"])
        live.push(session.pk, "status", status=session.status, version=session.version)
        from . import recording as recording_actions

        recording_actions.recording_finish(session=session)
    from . import attendance as attendance_actions

    attendance_actions.attendance_close(session=session)
    if session.room is not None:
        from . import live_views

        live_views.revoke_all_after_commit(session.pk)  # the public's viewer tokens
        # The relays and mountpoints go before the room does.
        live_views.broadcast_stopped(
            session=session, actor=actor, why="close", was_on_air=was_on_air
        )
        on_commit(_destroy_room, session.pk)
    return session


def _destroy_room(session_id: int) -> None:
    session = Session.objects.get(pk=session_id)
    client = get_client()
    for token in session.seats.exclude(token="").values_list("token", flat=True):
        client.remove_token(token)
    client.destroy_room(session.room, secret=session.room_secret)


def seat_acknowledge_rules(*, session: Session, actor: Actor) -> Seat:
    """在线诉讼规则第二十七条: the person has read the courtroom rules, including that private
    recording, broadcasting or photographing the hearing is forbidden."""
    seat = selectors.seat_of(actor, session)
    policies.require_visible(actor, session)
    if seat is None:
        raise Conflict(_("您在本次庭审中没有席位"))
    with transaction.atomic():
        seat = Seat.objects.select_for_update().get(pk=seat.pk)
        if seat.rules_acknowledged_at is None:
            seat.rules_acknowledged_at = timezone.now()
            seat.save(update_fields=["rules_acknowledged_at", "updated_at"])
            ledger.record(
                code=LedgerEvent.RULES_ACKNOWLEDGED,
                actor=actor,
                case_id=seat.case_id,
                data={"session": session.pk, "seat": seat.pk},
            )
    return seat


def seat_wait(*, session: Session, actor: Actor) -> Seat:
    """The person arrives in the waiting room (after the face re-check and the rules)."""
    from microcourt.identity import selectors as identity_selectors

    seat = selectors.seat_of(actor, session)
    if seat is None:
        policies.require_visible(actor, session)
        raise Conflict(_("您在本次庭审中没有席位"))
    if seat.role in _COURT or seat.status in (SeatStatus.WAITING, SeatStatus.ADMITTED):
        return seat
    identity_selectors.require_fresh_verification(actor, "hearing", policies.FACE_CHECK_MAX_AGE)
    if seat.rules_acknowledged_at is None:
        raise Conflict(_("请先阅读并确认庭审纪律"))
    with transaction.atomic():
        seat = SEAT.apply(seat, "wait", actor=actor)
        from . import attendance as attendance_actions

        attendance_actions.attendance_record(
            seat=seat, kind=AttendanceKind.ENTERED_WAITING, cause=AttendanceCause.NONE, actor=actor
        )
        live.push(session.pk, "waiting", seat=seat.pk, name=seat.label)
    return seat


def seat_admit(*, seat: Seat, actor: Actor) -> Seat:
    """The clerk (or the judge) has checked the person's identity and lets them in."""
    with transaction.atomic():
        seat = SEAT.apply(seat, "admit", actor=actor)
        from . import attendance as attendance_actions

        attendance_actions.attendance_record(
            seat=seat, kind=AttendanceKind.ADMITTED, cause=AttendanceCause.NONE, actor=actor
        )
        live.push(seat.session_id, "admitted", seat=seat.pk)
        live.push_seat(seat.pk, "admitted", seat=seat.pk)
    return seat


def seat_remove(*, seat: Seat, actor: Actor, note: str = "") -> Seat:
    """The presiding judge removes a person (hearing order): Janus drops their feed and
    their token stops working."""
    token, feed = seat.token, seat.feed_id
    with transaction.atomic():
        seat = SEAT.apply(seat, "remove", actor=actor, note=note)
        seat.token, seat.present = "", False
        seat.save(update_fields=["token", "present", "updated_at"])
        from . import attendance as attendance_actions

        attendance_actions.attendance_record(
            seat=seat, kind=AttendanceKind.REMOVED, cause=AttendanceCause.JUDGE, actor=actor
        )
        live.push_seat(seat.pk, "removed", seat=seat.pk)
        live.push(seat.session_id, "removed", seat=seat.pk)
    session = seat.session
    if session.room is not None and token:
        client = get_client()
        client.allow(session.room, secret=session.room_secret, tokens=[token], add=False)
        client.remove_token(token)
        if feed:
            client.kick(session.room, secret=session.room_secret, feed_id=feed)
    return seat


def session_join(
    *, session: Session, actor: Actor, device: str = "", seat_id: int | None = None
) -> dict:
    """入庭: a fresh token for the actor's seat, valid in this room only. A second device in
    the same seat replaces the first (the first is told, its token stops working, and the
    attendance log says so). ``seat_id`` picks one of the actor's seats (the clerk's own, or
    the physical courtroom's camera in a mixed session)."""
    seat = policies.require_join(actor, session, selectors.seat_of(actor, session, seat_id))
    if session.status == SessionStatus.SCHEDULED and seat.role not in _COURT:
        raise Conflict(_("尚未开庭"))
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        seat = Seat.objects.select_for_update().get(pk=seat.pk)
        old_token, old_device, old_feed = seat.token, seat.device, seat.feed_id
        seat.token, seat.device = token, device[:64]
        # The same device asking again (a reload) keeps its place; another device takes it.
        replaced = bool(old_token) and old_device != seat.device
        if replaced:
            seat.feed_id = None
        seat.save(update_fields=["token", "device", "feed_id", "updated_at"])
        if replaced:
            from . import attendance as attendance_actions

            attendance_actions.attendance_record(
                seat=seat,
                kind=AttendanceKind.REPLACED,
                cause=AttendanceCause.SECOND_DEVICE,
                actor=actor,
            )
            live.push_seat(seat.pk, "replaced", seat=seat.pk, device=old_device)
        ledger.record(
            code=LedgerEvent.JOIN_TOKEN,
            actor=actor,
            case_id=seat.case_id,
            data={"session": session.pk, "seat": seat.pk, "replaced": replaced},
        )
    _ensure_room(session)
    client = get_client()
    client.add_token(token)
    client.allow(session.room, secret=session.room_secret, tokens=[token])
    if old_token:
        client.allow(session.room, secret=session.room_secret, tokens=[old_token], add=False)
        client.remove_token(old_token)
        if replaced and old_feed:
            client.kick(session.room, secret=session.room_secret, feed_id=old_feed)
    return {
        "janus_url": settings.JANUS_URL,
        "room": session.room,
        "token": token,
        "display": seat.label,
        "seat": seat.role,
        "seat_id": seat.pk,
        "ice_servers": list(getattr(settings, "JANUS_ICE_SERVERS", [])),
    }


def seat_set_participation(*, session: Session, actor: Actor, participation: str) -> Seat:
    """The person chooses how to take part after the device check: video, audio only (a weak
    connection), or text only (a deaf party, or too little bandwidth). Attending offline is
    the court's decision on a request (``scheduling``), not a choice made here."""
    from microcourt.core.errors import InvalidInput

    seat = selectors.seat_of(actor, session)
    if seat is None:
        policies.require_visible(actor, session)
        raise Conflict(_("您在本次庭审中没有席位"))
    allowed = (Participation.VIDEO, Participation.AUDIO, Participation.TEXT)
    if participation not in allowed:
        raise InvalidInput(
            _("参加方式无效"),
            fields={"participation": str(_("可选值：")) + "、".join(str(p) for p in allowed)},
        )
    if seat.participation == Participation.OFFLINE:
        raise Conflict(_("您已确定线下到庭参加"))
    with transaction.atomic():
        seat = Seat.objects.select_for_update().get(pk=seat.pk)
        if seat.participation != participation:
            seat.participation = participation
            seat.save(update_fields=["participation", "updated_at"])
            ledger.record(
                code=LedgerEvent.PARTICIPATION_SET,
                actor=actor,
                case_id=seat.case_id,
                data={"session": session.pk, "seat": seat.pk, "participation": participation},
            )
            live.push(session.pk, "participation", seat=seat.pk, participation=participation)
    return seat


def seat_add_witness(*, session: Session, actor: Actor, name: str, phone: str) -> Seat:
    """The court seats a witness (在线诉讼规则第二十六条) by the phone number of their platform
    account: they get the 出庭通知书 and enter after the same identity check as a party, then
    wait unable to see or hear until called."""
    from microcourt.core.errors import InvalidInput
    from microcourt.identity import selectors as identity_selectors

    policies.require_court(actor, session)
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise InvalidInput(_("请填写证人姓名"), fields={"name": str(_("请填写证人姓名"))})
    user = identity_selectors.user_by_phone(phone)
    if user is None:
        raise InvalidInput(
            _("该手机号尚未注册"),
            fields={"phone": str(_("请证人先用此手机号注册并完成实名认证"))},
        )
    if session.status in (SessionStatus.CLOSED, SessionStatus.CANCELLED):
        raise Conflict(_("该庭审已结束或已取消"))
    with transaction.atomic():
        seat, created = Seat.objects.get_or_create(
            session=session,
            user=user,
            role=SeatRole.WITNESS,
            defaults={"case": session.case, "name": name, "status": SeatStatus.INVITED},
        )
        if created:
            ledger.record(
                code=LedgerEvent.WITNESS_ADDED,
                actor=actor,
                case_id=session.case_id,
                data={"session": session.pk, "seat": seat.pk},
            )
            live.push(session.pk, "seats", seat=seat.pk)
    return seat

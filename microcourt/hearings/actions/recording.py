"""The session's recording (录音录像规定第一条、第三条、第四条、第九条、第十五条; 最高人民法院关于
人民法院通过互联网公开审判流程信息的规定第十一条).

- Janus records every publisher from opening to closing; a recess stops the recording
  (``enable_recording`` false) and resuming starts new files: each stretch is kept in
  ``Recording.segments`` with the publishers seen in it (``feeds``: Janus feed id → label).
- On closing, once the closing commits, the recording is stopped and the worker's task
  (tasks/recording.py) builds ONE video: the ``.mjr`` files converted with ``janus-pp-rec``,
  the participants in a grid with their seat labels, the audio mixed, the wall-clock time
  burned in, the stretches joined. It is stored content-addressed, its SHA-256 goes into
  the ledger, and each party and the court's people on the panel are asked to confirm the
  hash through a signature request (第九条). A failure leaves it FAILED with its reason,
  never half made; the job system runs it again.
- Parties watch it online with their name drawn into the picture (a copy per viewer, made by
  the worker on first request); each viewing is a ledger entry. The raw file is downloaded
  only by whom the presiding judge allowed (第十五条), which is a ledger entry too.
"""

from __future__ import annotations

import datetime as dt
import logging
import shutil
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from microcourt.core import uploads
from microcourt.core.actor import Actor
from microcourt.core.effects import on_commit
from microcourt.core.errors import Conflict, InvalidInput, NotFound
from microcourt.ledger import actions as ledger

from .. import live, policies
from ..events import LedgerEvent
from ..janus.client import JanusUnavailable, get_client
from ..models import Recording, RecordingStatus, Seat, SeatRole, Session
from ..recording.reads import (
    CONFIRMING_ROLES,
    copy_path,
    copy_progress,
    copy_ready,
    may_download,
    recording_for,
)

log = logging.getLogger("microcourt.hearings.recording")

STORAGE_PREFIX = "hearing-recordings"
SEAT_ORDER = [value for value, _label in SeatRole.choices]


class RecordingFailed(RuntimeError):
    """Raised by the build after the recording is marked FAILED, so the job system retries
    it (a folder fixed, a disk freed) and, out of attempts, alerts the operators."""


# -- while the hearing runs ----------------------------------------------------------------


def _segments_close(recording: Recording) -> None:
    now = timezone.now().isoformat()
    for segment in recording.segments:
        if segment.get("end") is None:
            segment["end"] = now


def _feeds(session: Session) -> dict[str, str]:
    """The publishers in the room now (feed id → the display Janus was given: the seat
    label), so the video can be labelled after the room is gone."""
    if session.room is None:
        return {}
    try:
        participants = get_client().participants(session.room)
    except JanusUnavailable as exc:
        log.warning("participants of room %s unreadable: %s", session.room, exc.detail)
        return {}
    return {str(p["id"]): str(p.get("display") or "") for p in participants if p.get("id")}


def _remember_feeds(recording: Recording, feeds: dict[str, str]) -> None:
    if not feeds or not recording.segments:
        return
    segment = next(
        (s for s in reversed(recording.segments) if s.get("end") is None), recording.segments[-1]
    )
    segment.setdefault("feeds", {}).update(feeds)


def recording_started(*, session: Session) -> Recording:
    """开庭 or 续庭: a new stretch begins; Janus starts new files for every publisher."""
    recording, _created = Recording.objects.get_or_create(session=session)
    if recording.status in (RecordingStatus.PENDING, RecordingStatus.PAUSED):
        recording.segments.append({"start": timezone.now().isoformat(), "end": None})
        recording.status = RecordingStatus.RECORDING
        recording.save(update_fields=["segments", "status", "updated_at"])
    get_client().set_recording(session.room, secret=session.room_secret, record=True)
    return recording


def recording_paused(*, session: Session) -> Recording:
    """休庭: the stretch ends (第三条: recording stops only for a recess, non-public evidence
    or mediation); Janus closes every publisher's files."""
    recording, _created = Recording.objects.get_or_create(session=session)
    _remember_feeds(recording, _feeds(session))
    if session.room is not None:
        get_client().set_recording(session.room, secret=session.room_secret, record=False)
    _segments_close(recording)  # when Janus stopped, not before
    recording.status = RecordingStatus.PAUSED
    recording.save(update_fields=["segments", "status", "updated_at"])
    return recording


def recording_resumed(*, session: Session) -> Recording:
    return recording_started(session=session)


def recording_finish(*, session: Session) -> Recording:
    """Called inside the closing transaction: the segments end now; once it commits (and
    before the room is destroyed) the publishers are noted, the recording stopped and the
    build queued."""
    recording, _created = Recording.objects.get_or_create(session=session)
    _segments_close(recording)
    recording.status = RecordingStatus.PROCESSING
    recording.failure = ""
    recording.save(update_fields=["segments", "status", "failure", "updated_at"])
    on_commit(_after_close, recording.pk)
    return recording


def _after_close(recording_id: int) -> None:
    from ..tasks import recording as tasks

    recording = Recording.objects.select_related("session").get(pk=recording_id)
    session = recording.session
    feeds = _feeds(session)
    stopped = None
    if session.room is not None:
        try:  # the files are complete before the worker reads them
            get_client().set_recording(session.room, secret=session.room_secret, record=False)
            stopped = timezone.now().isoformat()
        except JanusUnavailable as exc:
            log.warning("recording of room %s not stopped: %s", session.room, exc.detail)
    with transaction.atomic():
        locked = Recording.objects.select_for_update().get(pk=recording_id)
        if locked.segments:
            last = locked.segments[-1]
            last.setdefault("feeds", {}).update(feeds)
            if stopped and locked.status == RecordingStatus.PROCESSING:
                last["end"] = stopped  # Janus recorded until it was told to stop
            locked.save(update_fields=["segments", "updated_at"])
    tasks.recording_build.enqueue(recording_id)


# -- building the video (the worker) -------------------------------------------------------


def _budget_seconds(recording: Recording) -> float:
    """Room for a slow machine: a fixed part plus three times what was recorded."""
    fixed = getattr(settings, "HEARINGS_RECORDING_BUDGET_SECONDS", 600)
    return fixed + 3 * _recorded_seconds(recording)


def _recorded_seconds(recording: Recording) -> float:
    total = 0.0
    for segment in recording.segments:
        try:
            start = dt.datetime.fromisoformat(segment["start"])
            end = dt.datetime.fromisoformat(segment.get("end") or timezone.now().isoformat())
        except (KeyError, TypeError, ValueError):
            continue
        total += max(0.0, (end - start).total_seconds())
    return total


def _segments(recording: Recording) -> list[tuple[float, float | None]]:
    out = []
    for segment in recording.segments:
        try:
            start = dt.datetime.fromisoformat(segment["start"]).timestamp()
            end = segment.get("end")
            out.append((start, dt.datetime.fromisoformat(end).timestamp() if end else None))
        except (KeyError, TypeError, ValueError):
            continue
    return out


def _labels(session: Session, recording: Recording) -> tuple[dict[int, str], list[str]]:
    """Feed id → seat label (from what the room said during the hearing, and each seat's
    last feed), and the labels in seat order (the court first)."""
    seats = list(session.seats.all())
    labels: dict[int, str] = {}
    for segment in recording.segments:
        for feed, display in (segment.get("feeds") or {}).items():
            if display and str(feed).isdigit():
                labels[int(feed)] = display
    for seat in seats:
        if seat.feed_id and seat.feed_id not in labels:
            labels[seat.feed_id] = seat.label
    ordered = sorted(seats, key=lambda s: (SEAT_ORDER.index(s.role), s.pk))
    return labels, [s.label for s in ordered]


def _fail(recording_id: int, reason: str) -> None:
    with transaction.atomic():
        recording = (
            Recording.objects.select_for_update().select_related("session").get(pk=recording_id)
        )
        if recording.status == RecordingStatus.READY:
            return
        recording.status = RecordingStatus.FAILED
        recording.failure = reason[:300]
        recording.save(update_fields=["status", "failure", "updated_at"])
        session = recording.session
        ledger.record(
            code=LedgerEvent.RECORDING_FAILED,
            actor=Actor.system("hearing recording"),
            case_id=session.case_id,
            data={"session": session.pk, "reason": reason[:300]},
        )
        live.push(session.pk, "recording", status=recording.status)
    log.error("recording of session %s failed: %s", recording.session_id, reason)


def _rec_dir_problem(recording: Recording) -> str | None:
    from ..janus.config import is_protected, protected_folders

    if not recording.rec_dir:
        return "no recording folder was set for this room"
    rec_dir = Path(recording.rec_dir)
    if settings.JANUS_MANAGED or rec_dir.is_relative_to(Path(settings.JANUS_REC_DIR)):
        folders = protected_folders(Path(settings.JANUS_REC_DIR))
    else:
        from ..janus.config import PROTECTED_FOLDERS

        folders = list(PROTECTED_FOLDERS)
    if is_protected(rec_dir, folders):
        return (
            f"recording folder {rec_dir} is inside a folder Janus protects "
            "(protected_folders): Janus refuses to record there"
        )
    return None


def recording_build(*, recording_id: int) -> Recording | None:
    """Build the hearing's video (the worker's task). Idempotent: a READY recording is left
    as it is; a FAILED one is built again. The media work runs with no transaction open;
    the result is written in one short transaction, so the record is never half made."""
    from ..recording import compose, confirmation, convert, media

    with transaction.atomic():
        recording = (
            Recording.objects.select_for_update()
            .select_related("session", "session__case")
            .filter(pk=recording_id)
            .first()
        )
        if recording is None or recording.status == RecordingStatus.READY:
            return recording
        if recording.status not in (RecordingStatus.PROCESSING, RecordingStatus.FAILED):
            log.info("recording %s is %s: nothing to build yet", recording_id, recording.status)
            return recording
        if recording.status == RecordingStatus.FAILED:
            recording.status = RecordingStatus.PROCESSING
            recording.save(update_fields=["status", "updated_at"])
    session = recording.session
    problem = _rec_dir_problem(recording)
    if problem:
        _fail(recording_id, problem)
        raise RecordingFailed(problem)
    budget = media.Budget(_budget_seconds(recording))
    labels, order = _labels(session, recording)
    title = f"{session.case.number or session.case.title} {session.get_kind_display()}"
    temp_root = getattr(settings, "FILE_UPLOAD_TEMP_DIR", None)
    try:
        with tempfile.TemporaryDirectory(prefix="hearing-rec-", dir=temp_root) as tmp:
            work = Path(tmp)
            tracks = convert.prepare(Path(recording.rec_dir), session.room, work, budget=budget)
            if not tracks:
                raise media.MediaFailed(
                    "missing",
                    f"no recording files in {recording.rec_dir} (did Janus record? see its log)",
                )
            path, parts = compose.compose(
                tracks,
                segments=_segments(recording),
                labels=labels,
                order=order,
                title=title,
                work=work,
                budget=budget,
            )
            info = media.probe(path, budget=budget)
            kinds = media.kinds_of(info)
            duration = media.duration_of(info)
            if not {"video", "audio"} <= kinds or duration <= 0:
                raise media.MediaFailed(
                    "invalid", f"the video has streams {sorted(kinds)} and lasts {duration} s"
                )
            with path.open("rb") as handle:
                stored = uploads.store(
                    handle, mime="video/mp4", prefix=STORAGE_PREFIX, extension="mp4"
                )
            stretches = [
                {
                    "start": dt.datetime.fromtimestamp(p.start, tz=dt.UTC).isoformat(),
                    "seconds": round(p.duration, 3),
                }
                for p in parts
            ]
        pdf = confirmation.render(session, stored.sha256, stored.size, duration)
    except media.MediaFailed as exc:
        reason = f"{exc.reason}: {exc.detail}" if exc.detail else exc.reason
        _fail(recording_id, reason)
        raise RecordingFailed(reason) from exc
    except Exception as exc:  # storage full, the PDF over its budget …: FAILED, then retried
        _fail(recording_id, f"{type(exc).__name__}: {exc}")
        raise
    try:
        return _ready(
            recording_id, stored=stored, duration=duration, stretches=stretches, confirmation=pdf
        )
    except Exception as exc:
        _fail(recording_id, f"{type(exc).__name__}: {exc}")
        raise


def _ready(recording_id, *, stored, duration, stretches, confirmation: bytes) -> Recording:
    from microcourt.signing import actions as signing

    system = Actor.system("hearing recording")
    with transaction.atomic():
        recording = (
            Recording.objects.select_for_update()
            .select_related("session", "session__case")
            .get(pk=recording_id)
        )
        if recording.status == RecordingStatus.READY:
            return recording
        session = recording.session
        recording.status = RecordingStatus.READY
        recording.file = stored.path
        recording.sha256 = stored.sha256
        recording.size = stored.size
        recording.duration_seconds = round(duration, 3)
        recording.failure = ""
        recording.save(
            update_fields=[
                "status", "file", "sha256", "size", "duration_seconds", "failure", "updated_at",
            ]
        )  # fmt: skip
        ledger.record(
            code=LedgerEvent.RECORDING_READY,
            actor=system,
            case_id=session.case_id,
            subject_digest=stored.digest,
            data={
                "session": session.pk,
                "file": stored.path,
                "sha256": stored.sha256,
                "size": stored.size,
                "duration_seconds": round(duration, 3),
                "stretches": stretches,
            },
        )
        for user in _confirmers(session):
            signing.signature_request_create(
                pdf=confirmation,
                title=confirmation_title(stored.sha256),
                purpose="signature",
                signer=user,
                case_id=session.case_id,
                actor=system,
            )
        live.push(session.pk, "recording", status=recording.status, sha256=stored.sha256)
    return recording


def _confirmers(session: Session) -> list:
    seen, users = set(), []
    seats = Seat.objects.filter(
        session=session, role__in=CONFIRMING_ROLES, user__isnull=False, user__is_active=True
    ).select_related("user")
    for seat in sorted(seats, key=lambda s: (SEAT_ORDER.index(s.role), s.pk)):
        if seat.user_id not in seen:
            seen.add(seat.user_id)
            users.append(seat.user)
    return users


def confirmation_title(sha256: str) -> str:
    """The document's name; it ends with the hash's first 16 digits, which is also how the
    recording page finds the requests again, in any language."""
    return f"{gettext('庭审录像确认书')} SHA-256 {sha256[:16]}"


# -- the court's permission to download ----------------------------------------------------


@transaction.atomic
def recording_download_permission(
    *, session: Session, actor: Actor, user_id: int, allowed: bool, note: str = ""
) -> Recording:
    """The presiding judge allows (or withdraws) one person's download of the raw file
    (录音录像规定第十五条: no copying without the court's permission)."""
    policies.require_presiding(actor, session)
    recording = Recording.objects.select_for_update().filter(session=session).first()
    if recording is None or recording.status != RecordingStatus.READY:
        raise Conflict(_("庭审录像尚未生成"), fields={"recording": _("尚未生成")})
    if (
        not isinstance(user_id, int)
        or not 0 < user_id < 2**63
        or not session.seats.filter(user_id=user_id).exists()
    ):
        raise InvalidInput(
            _("只能准许本次庭审的参加人下载"), fields={"user_id": _("不是本次庭审的参加人")}
        )
    note = (note or "").strip()
    if len(note) > 200:
        raise InvalidInput(_("说明太长"), fields={"note": _("不超过 200 个字")})
    current = list(recording.download_allowed or [])
    if allowed and user_id not in current:
        current.append(user_id)
    elif not allowed and user_id in current:
        current.remove(user_id)
    else:
        return recording
    recording.download_allowed = current
    recording.save(update_fields=["download_allowed", "updated_at"])
    ledger.record(
        code=LedgerEvent.RECORDING_DOWNLOAD_ALLOWED,
        actor=actor,
        case_id=session.case_id,
        subject_digest=f"sha256:{recording.sha256}",
        data={"session": session.pk, "user": user_id, "allowed": allowed, "note": note},
    )
    return recording


# -- watching ------------------------------------------------------------------------------


@transaction.atomic
def recording_watch(*, session: Session, actor: Actor) -> dict:
    """A person of the case watches the recording (流程公开规定第十一条). Their watermarked
    copy is queued when it does not exist yet; once it does, handing it out is a viewing,
    a ledger entry. Returns ``{"state": "ready"|"rendering"|"processing"|"failed",
    "progress": n}``."""
    recording = recording_for(actor, session)
    if recording.status != RecordingStatus.READY:
        state = {
            RecordingStatus.FAILED: "failed",
            RecordingStatus.PROCESSING: "processing",
        }.get(recording.status, "pending")  # not closed yet: still recording or to be
        return {"state": state, "progress": 0}
    if actor.user_id is None:
        raise NotFound(_("本次庭审没有录像"))
    if copy_ready(recording, actor.user_id):
        ledger.record(
            code=LedgerEvent.RECORDING_VIEWED,
            actor=actor,
            case_id=session.case_id,
            subject_digest=f"sha256:{recording.sha256}",
            data={"session": session.pk, "user": actor.user_id},
        )
        return {"state": "ready", "progress": 100}
    progress = copy_progress(recording, actor.user_id)
    if progress is None:
        from ..tasks import recording as tasks

        on_commit(tasks.recording_copy.enqueue, recording.pk, actor.user_id)
        progress = 0
    return {"state": "rendering", "progress": progress}


def viewer_text(session: Session, user) -> str:
    seat = session.seats.filter(user_id=user.pk).order_by("pk").first()
    name = seat.name if seat else (getattr(user, "display_name", "") or user.get_username())
    now = timezone.localtime().strftime("%Y-%m-%d %H:%M")
    return gettext("%(name)s 观看 %(time)s · 仅供本人观看，禁止复制传播") % {
        "name": name,
        "time": now,
    }


def recording_copy_make(*, recording_id: int, user_id: int, progress=None) -> str | None:
    """Make one viewer's watermarked copy (the worker's task). Idempotent: an existing copy
    is kept. The viewer must still be a person of the case."""
    from django.contrib.auth import get_user_model

    from ..recording import media, watermark

    recording = (
        Recording.objects.select_related("session", "session__case").filter(pk=recording_id).first()
    )
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if recording is None or user is None or recording.status != RecordingStatus.READY:
        return None
    session = recording.session
    from microcourt.core.actor import actor_for

    viewer = actor_for(user)
    try:
        policies.require_visible(viewer, session)
    except NotFound:
        return None
    target = copy_path(recording, user_id)
    if default_storage.exists(target):
        return target
    duration = recording.duration_seconds or 0.0
    fixed = getattr(settings, "HEARINGS_RECORDING_BUDGET_SECONDS", 600)
    budget = media.Budget(fixed + 2 * duration)
    temp_root = getattr(settings, "FILE_UPLOAD_TEMP_DIR", None)
    with tempfile.TemporaryDirectory(prefix="hearing-copy-", dir=temp_root) as tmp:
        work = Path(tmp)
        source = work / "source.mp4"
        with default_storage.open(recording.file, "rb") as src, source.open("wb") as dst:
            shutil.copyfileobj(src, dst, 1024 * 1024)
        out = watermark.render(
            source,
            work / "copy.mp4",
            text=viewer_text(session, user),
            duration=duration,
            budget=budget,
            progress=progress,
        )
        if not default_storage.exists(target):
            with out.open("rb") as handle:
                saved = default_storage.save(target, File(handle))
            if saved != target:  # made twice at once: the other copy stands
                default_storage.delete(saved)
    return target


def recording_downloaded(*, session: Session, actor: Actor) -> Recording:
    """The raw file, for whom the court allowed it; the download is a ledger entry."""
    recording = recording_for(actor, session)
    if recording.status != RecordingStatus.READY or not may_download(actor, recording):
        raise NotFound(_("没有找到可下载的录像"))
    with transaction.atomic():
        ledger.record(
            code=LedgerEvent.RECORDING_VIEWED,
            actor=actor,
            case_id=session.case_id,
            subject_digest=f"sha256:{recording.sha256}",
            data={"session": session.pk, "user": actor.user_id, "download": True},
        )
    return recording

"""/live/ (在线诉讼规則第二十七条): today's public hearings of every court, replays of finished
ones, the broadcast of an open one (its publishers relayed to the Streaming plugin), and its
viewers: a short-lived viewer token within a cap and a rate, its heartbeat, and its revocation.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import TYPE_CHECKING

from django.db import OperationalError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from microcourt.core.actor import Actor
from microcourt.core.errors import Conflict, NotFound
from microcourt.core.jobs import outlast_locks

from ..models import Procedure, Session, SessionStatus
from .publicity import broadcastable

if TYPE_CHECKING:
    from ..janus.broadcast import Names

# --- /live/: the public's view of today's public hearings ---------------------------------
#
# Read-only, as Janus itself enforces it (janus/broadcast.py): while a public hearing is on
# the air (open, switch on, not protected) each publisher of its room is relayed to a
# Streaming-plugin mountpoint, and a viewer's token is added to Janus for the Streaming plugin
# ONLY and is on no room's ``allowed`` list: Janus refuses it any VideoRoom handle, so it can
# neither publish nor subscribe in the room. The mountpoints' pin comes with the grant only.
# The token lives one heartbeat window (``LIVE_VIEW_TTL``) unless renewed and is revoked on
# leaving, on the switch going off and on closing (each Janus request carries it; a revoked
# one gets 403 and its Janus session times out within Janus's session timeout); a recess, the
# switch going off or closing also destroys the mountpoints, which closes every viewer's
# connection at once.
#
# When the relays follow the room: at once when the hearing goes on the air (opened, resumed,
# switched on: ``broadcast_started``), and then whenever a viewer asks (their grant and every
# heartbeat read :func:`feeds`, which brings the relays in line with the room's publishers at
# most once every few seconds a session). Janus is the source of truth, so this also heals a
# Janus restart, a publisher who re-publishes or never reports its feed, and costs nothing
# while nobody watches; a new speaker reaches the viewers with their next heartbeat, as the
# seat list did before.

LIVE_STATUSES = (SessionStatus.SCHEDULED, SessionStatus.OPEN, SessionStatus.RECESS)
PLAYING = (SessionStatus.OPEN, SessionStatus.RECESS)


def _setting(name: str, default: int) -> int:
    from django.conf import settings

    return int(getattr(settings, name, default))


def viewer_cap() -> int:
    """How many may watch one public hearing at once (HEARINGS_LIVE_VIEWER_CAP)."""
    return _setting("HEARINGS_LIVE_VIEWER_CAP", 200)


def view_ttl() -> dt.timedelta:
    """A viewer who has not said they are still watching for this long is gone."""
    return dt.timedelta(seconds=_setting("HEARINGS_LIVE_VIEW_TTL_SECONDS", 60))


def heartbeat_seconds() -> int:
    return max(5, int(view_ttl().total_seconds()) // 3)


def view_rate() -> int:
    """Viewer tokens one address may ask for per minute (HEARINGS_LIVE_RATE_PER_MINUTE)."""
    return _setting("HEARINGS_LIVE_RATE_PER_MINUTE", 12)


class LiveFull(Conflict):
    code = "live_full"


class Busy(Conflict):
    """The database stayed locked through the retries: the viewer's page tries again."""

    status = 503
    code = "busy"
    retry_after = 5


class RateLimited(Conflict):
    status = 429
    code = "rate_limited"
    retry_after = 60


def _today_bounds() -> tuple[dt.datetime, dt.datetime]:
    today = timezone.localdate()
    start = timezone.make_aware(dt.datetime.combine(today, dt.time.min))
    return start, start + dt.timedelta(days=1)


def _public_sessions():
    return (
        Session.objects.filter(public=True, procedure=Procedure.LIVE)
        .select_related("case", "case__court")
        .prefetch_related("joint_cases")
        .order_by("starts_at", "pk")
    )


def live_today() -> list[Session]:
    """Today's public hearings of every court (scheduled, open or in recess), earliest first.
    A session whose case has since become protected is left out even if its flag lags."""
    start, end = _today_bounds()
    sessions = _public_sessions().filter(
        status__in=LIVE_STATUSES, starts_at__gte=start, starts_at__lt=end
    )
    return [s for s in sessions if broadcastable(s)]


def replays(limit: int = 50) -> list[Session]:
    """Finished public hearings with a recording, newest first (for replay)."""
    from ..models import RecordingStatus

    sessions = (
        _public_sessions()
        .filter(status=SessionStatus.CLOSED, recording__status=RecordingStatus.READY)
        .order_by("-closed_at", "-pk")[: limit * 2]
    )
    return [s for s in sessions if broadcastable(s)][:limit]


def live_session(session_id: int) -> Session:
    """A public session anyone may look at on /live/; NotFound for any other (a protected,
    private or asynchronous one looks like one that does not exist)."""
    session = _public_sessions().filter(pk=session_id, status__in=LIVE_STATUSES).first()
    if session is None or not broadcastable(session):
        raise NotFound(_("没有找到该公开庭审"))
    return session


def replay_session(session_id: int) -> Session:
    from ..models import RecordingStatus

    session = (
        _public_sessions()
        .filter(pk=session_id, status=SessionStatus.CLOSED, recording__status=RecordingStatus.READY)
        .first()
    )
    if session is None or not broadcastable(session):
        raise NotFound(_("没有找到该公开庭审"))
    return session


def viewer_token(session_id: int, viewer: str) -> str:
    """The viewer's Janus token, derived (so it need not be stored) and revocable."""
    import hashlib
    import hmac

    from django.conf import settings

    mac = hmac.new(
        settings.SECRET_KEY.encode(), f"live:{session_id}:{viewer}".encode(), hashlib.sha256
    )
    return "live-" + mac.hexdigest()[:40]


def active_viewers(session: Session) -> int:
    from ..models import LiveView

    return LiveView.objects.filter(
        session=session, last_seen_at__gt=timezone.now() - view_ttl()
    ).count()


def _rate_check(client_key: str) -> None:
    from django.core.cache import cache

    minute = int(timezone.now().timestamp() // 60)
    key = f"hearings:live-rate:{client_key}:{minute}"
    cache.add(key, 0, timeout=120)
    try:
        used = cache.incr(key)
    except ValueError:  # evicted between add and incr
        cache.set(key, 1, timeout=120)
        used = 1
    if used > view_rate():
        raise RateLimited(_("操作过于频繁，请稍后再试。"))


def _revoke(session_id: int, room: int | None, room_secret: str, viewers: list[str]) -> None:
    """Take viewer tokens out of Janus (best effort: a Janus that is down has forgotten every
    token anyway). They are on no room's list: the Streaming plugin is all they may use."""
    if not viewers:
        return
    from ..janus.client import JanusUnavailable, get_client

    tokens = [viewer_token(session_id, v) for v in viewers]
    try:
        client = get_client()
        for token in tokens:
            client.remove_token(token)
    except JanusUnavailable:
        logging.getLogger("microcourt.hearings").warning(
            "could not revoke %s viewer token(s) of session %s", len(tokens), session_id
        )


def _expire(session: Session) -> list[str]:
    """Delete the rows of viewers gone quiet; their viewer keys (to revoke after commit)."""
    from ..models import LiveView

    stale = LiveView.objects.filter(session=session, last_seen_at__lte=timezone.now() - view_ttl())
    viewers = list(stale.values_list("viewer", flat=True))
    if viewers:
        LiveView.objects.filter(session=session, viewer__in=viewers).delete()
    return viewers


def live_views_expire() -> int:
    """Revoke the tokens of every viewer gone quiet (a periodic task may call this; the
    viewer actions call it for their own session)."""
    from ..models import LiveView

    count = 0
    ids = set(
        LiveView.objects.filter(last_seen_at__lte=timezone.now() - view_ttl()).values_list(
            "session_id", flat=True
        )
    )
    for session in Session.objects.filter(pk__in=ids):
        with transaction.atomic():
            gone = _expire(session)
        _revoke(session.pk, session.room, session.room_secret, gone)
        count += len(gone)
    return count


def revoke_all_after_commit(session_id: int) -> None:
    """Every viewer of the session loses their token once the change commits (the switch
    went off, the case became protected, the session closed)."""
    from microcourt.core.effects import on_commit

    on_commit(_revoke_all, session_id)


def _revoke_all(session_id: int) -> None:
    from ..models import LiveView

    session = Session.objects.filter(pk=session_id).first()
    if session is None:
        return
    viewers = list(LiveView.objects.filter(session=session).values_list("viewer", flat=True))
    LiveView.objects.filter(session=session, viewer__in=viewers).delete()
    _revoke(session.pk, session.room, session.room_secret, viewers)


# --- The broadcast: the room's publishers relayed to Streaming mountpoints -----------------


def _names(session: Session) -> Names:
    from django.conf import settings

    from ..janus.broadcast import Names

    assert session.room is not None
    return Names(room=session.room, key=settings.SECRET_KEY.encode())


def stream_pin(session: Session) -> str:
    """The pin of the session's mountpoints: given with a viewer's grant, to no one else."""
    return _names(session).pin


def on_air(session: Session) -> bool:
    """The public may watch now: switched on, open (not in recess), and not protected."""
    return (
        session.public
        and session.status == SessionStatus.OPEN
        and session.room is not None
        and broadcastable(session)
    )


def _relays(session: Session) -> list[dict]:
    """Bring the relays in line with the room's publishers (one caller at a time a session:
    another gets the last list); the mountpoints a viewer may watch."""
    from django.core.cache import cache

    from ..janus.broadcast import relay_sync
    from ..janus.client import JanusUnavailable, get_client

    if session.room is None:
        return []
    last = f"hearings:live-relays:{session.pk}:{session.version}"
    lock = f"hearings:live-relay-lock:{session.pk}"
    if not cache.add(lock, 1, timeout=30):
        return cache.get(last, [])
    try:
        relays = relay_sync(
            get_client(), room=session.room, secret=session.room_secret, names=_names(session)
        )
        found = [{"id": r.mountpoint, "feed": r.feed, "display": r.display[:80]} for r in relays]
    except JanusUnavailable as exc:
        logging.getLogger("microcourt.hearings").warning(
            "could not relay session %s to its viewers: %s", session.pk, exc.detail
        )
        found = []
    finally:
        cache.delete(lock)
    cache.set(last, found, timeout=300)
    return found


def feeds(session: Session) -> list[dict]:
    """The mountpoints a viewer watches, one a publisher (``id``, ``feed``, ``display``): the
    relays brought in line with the room at most once every few seconds a session, so a full
    house of viewers asks Janus that often, not once each. None while not on the air."""
    from django.core.cache import cache

    if session.room is None or session.status != SessionStatus.OPEN:
        return []
    key = f"hearings:live-feeds:{session.pk}:{session.version}"
    cached = cache.get(key)
    if cached is not None:
        return cached
    found = _relays(session) if on_air(session) else []
    cache.set(key, found, timeout=5)
    return found


@transaction.atomic
def broadcast_started(*, session: Session, actor: Actor, why: str) -> bool:
    """The public hearing goes on the air (opened, resumed, switched on): the ledger says so
    and, once that commits, the room's publishers are relayed to their mountpoints. Nothing
    happens (False) for a session that is not on the air."""
    from microcourt.core.effects import on_commit
    from microcourt.ledger import actions as ledger

    from ..events import LedgerEvent

    session = Session.objects.select_related("case").get(pk=session.pk)  # the caller's may lag
    if not on_air(session):
        return False
    ledger.record(
        code=LedgerEvent.BROADCAST_STARTED,
        actor=actor,
        case_id=session.case_id,
        data={"session": session.pk, "why": why},
    )
    on_commit(_relay_start, session.pk)
    return True


@transaction.atomic
def broadcast_stopped(*, session: Session, actor: Actor, why: str, was_on_air: bool) -> None:
    """The public hearing comes off the air (recess, closing, switch off, protected): once
    the change commits the relays stop and the mountpoints go, closing every viewer's
    connection. The ledger says so when it ``was_on_air``; the clean-up also runs for a
    public session that was not (a relay left over from a failed stop)."""
    from microcourt.core.effects import on_commit
    from microcourt.ledger import actions as ledger

    from ..events import LedgerEvent

    if session.room is None or not (was_on_air or session.public):
        return  # never on the air: nothing relayed to take down
    if was_on_air:
        ledger.record(
            code=LedgerEvent.BROADCAST_STOPPED,
            actor=actor,
            case_id=session.case_id,
            data={"session": session.pk, "why": why},
        )
    on_commit(_relay_stop, session.pk)


def _relay_start(session_id: int) -> None:
    session = Session.objects.filter(pk=session_id).first()
    if session is not None and on_air(session):
        _relays(session)


def _relay_stop(session_id: int) -> None:
    from django.core.cache import cache

    from ..janus.broadcast import relay_stop
    from ..janus.client import JanusUnavailable, get_client

    session = Session.objects.filter(pk=session_id).first()
    if session is None or session.room is None:
        return
    try:
        relay_stop(
            get_client(), room=session.room, secret=session.room_secret, names=_names(session)
        )
    except JanusUnavailable as exc:
        logging.getLogger("microcourt.hearings").warning(
            "could not stop relaying session %s: %s", session_id, exc.detail
        )
    cache.delete(f"hearings:live-feeds:{session.pk}:{session.version}")


def live_view_start(*, session: Session, client_key: str) -> dict:
    """A member of the public starts watching: a short-lived viewer token for the Streaming
    plugin only (it cannot use the VideoRoom at all) and the pin of the session's mountpoints,
    within the cap (over it: "直播观看人数已满") and the per-address rate."""
    from django.conf import settings

    from ..janus.client import get_client
    from ..janus.config import STREAMING
    from ..models import LiveView

    session = live_session(session.pk)
    _rate_check(client_key)
    if session.status not in PLAYING or session.room is None:
        raise Conflict(_("尚未开庭，请稍后再来"), code="not_started")
    import secrets

    def admit() -> tuple[list[str], str]:
        with transaction.atomic():
            locked = Session.objects.select_for_update().get(pk=session.pk)
            gone = _expire(locked)
            if LiveView.objects.filter(session=locked).count() >= viewer_cap():
                raise LiveFull(_("直播观看人数已满，请稍后再试"))
            viewer = secrets.token_hex(16)
            LiveView.objects.create(session=locked, viewer=viewer, last_seen_at=timezone.now())
        return gone, viewer

    try:
        gone, viewer = outlast_locks(admit)
    except OperationalError as exc:
        raise Busy(_("服务器繁忙，请稍后再试。")) from exc
    _revoke(session.pk, session.room, session.room_secret, gone)
    token = viewer_token(session.pk, viewer)
    try:
        get_client().add_token(token, plugins=(STREAMING,))
    except Exception:
        LiveView.objects.filter(session=session, viewer=viewer).delete()
        raise
    return {
        "janus_url": settings.JANUS_URL,
        "token": token,
        "pin": stream_pin(session),
        "viewer": viewer,
        "heartbeat_seconds": heartbeat_seconds(),
        "expires_in": int(view_ttl().total_seconds()),
        "ice_servers": list(getattr(settings, "JANUS_ICE_SERVERS", [])),
        "feeds": feeds(session),
        "status": session.status,
    }


def live_view_heartbeat(*, session_id: int, viewer: str) -> dict:
    """The viewer is still watching: their token lives another window. A viewer whose row is
    gone (expired, revoked, the broadcast ended) gets NotFound and the page stops."""
    from ..models import LiveView

    session = live_session(session_id)

    def renew() -> tuple[int, list[str]]:
        with transaction.atomic():
            updated = LiveView.objects.filter(
                session=session,
                viewer=str(viewer)[:64],
                last_seen_at__gt=timezone.now() - view_ttl(),
            ).update(last_seen_at=timezone.now())
            return updated, _expire(session)

    try:
        updated, gone = outlast_locks(renew)
    except OperationalError as exc:
        raise Busy(_("服务器繁忙，请稍后再试。")) from exc
    _revoke(session.pk, session.room, session.room_secret, gone)
    if not updated:
        raise NotFound(_("观看已结束，请重新进入"))
    return {
        "status": session.status,
        "stage": session.stage,
        "stage_label": str(session.get_stage_display()),
        "feeds": feeds(session),
        "viewers": active_viewers(session),
    }


def live_view_leave(*, session_id: int, viewer: str) -> None:
    """The viewer left (page closed): their token is revoked at once."""
    from ..models import LiveView

    session = Session.objects.filter(pk=session_id).first()
    if session is None:
        return
    rows = LiveView.objects.filter(session=session, viewer=str(viewer)[:64])
    try:
        deleted, _rows = outlast_locks(rows.delete)
    except OperationalError:
        # Still locked after the retries: the row expires with its heartbeat window and the
        # periodic expiry revokes the token then; the page that left needs no answer but 204.
        logging.getLogger("microcourt.hearings").warning(
            "viewer leave of session %s deferred to expiry: database locked", session_id
        )
        return
    if deleted:
        _revoke(session.pk, session.room, session.room_secret, [str(viewer)[:64]])

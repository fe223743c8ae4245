"""The courtroom socket: ``ws/hearings/<session_id>/`` — the judge's controls pushed live to
every client, and each client's presence (the attendance log, 在线诉讼规则第二十五条).

Who may connect
---------------
A person with a seat in the session, or the court's people of its case (judge, assistant,
clerk, mediator: they connect without a seat and see everything). Anyone else is accepted and
then closed with **4404** (as a 404 would answer), a socket without a signed-in person with
**4401**: accepted first so that the close code, not an HTTP 403, reaches the browser (see
``spaces.consumers``). ``?seat=<id>`` picks one of the person's seats if they hold two
(their own and the physical courtroom's camera); a party asking for a seat not theirs gets
4404. **4409**: this seat opened another socket (another tab or device); the older one is
closed and must not reconnect on its own.

Server → client (JSON, every message has ``event``)
---------------------------------------------------
``{"event": "state", "in_room": true, ...}`` on connect, after ``{"action": "resync"}`` and
whenever this person's own seat changes standing (admitted, called, excused, removed).
For someone in the room it is the session detail as ``GET /api/v1/sessions/{id}`` gives it
(``id, status, stage, stage_label, locked, layout, version, seats[], exhibit_id,
exhibit_page, spotlight_seat_id, my_seat_id`` …) plus:
  ``exhibit``: ``null`` or ``{"id", "case_id", "number", "name", "pages", "page",
  "preview_url", "file_url"}`` (in a joint session only the exhibit's own case and the court
  see it; others get ``{"hidden": true}``),
  ``hands``: seat ids with a raised hand, first raised first,
  ``feeds``: ``{"<seat id>": <Janus feed id>}`` for the seats that published,
  ``attendance`` (the court only): one line per seat, its latest presence
  ``{"seat", "kind", "kind_label", "cause", "cause_label", "at", "outcome"}`` (``outcome``
  of a drop: pending | rejoined | rejoined_late | not_returned) and
  ``rejoin_grace_seconds`` (after which a pending drop counts as not returned).
For a witness not yet called (在线诉讼规则第二十六条: waits unable to see or hear) or a removed
seat: ``{"event": "state", "in_room": false, "waiting": true, "id", "status",
"status_label", "my_seat_id", "my_seat": {…}, "message": "…"}`` and nothing else of the room:
no seats, no feeds, no exhibit, no live events but ``status`` and its own seat's events.

Live events ``{"event": name, "version": n, ...}`` (``version`` = the session's; a client
that sees a gap sends ``{"action": "resync"}``):
  ``status`` {status}; ``stage`` {stage, stage_label, out_of_order};
  ``muted`` {seats: [ids], muted}; ``camera`` {seats: [ids], camera_off};
  ``spotlight`` {seat|null}; ``locked`` {locked};
  ``exhibit`` {exhibit: {...as above...}|null} (also for a page turn);
  ``called`` {seat}; ``excused`` {seat}; ``hand`` {seat, raised, hands: [ids]};
  ``floor`` {seat, muted_seats: [ids]}; ``feed`` {seat, feed_id};
  ``admitted`` / ``removed`` / ``waiting`` / ``replaced`` {seat};
  ``attendance`` {seat, kind, cause, at} (the court gets every seat's, others their own);
  ``transcript.line`` / ``transcript.edit`` {line: {id, seat_id, case_id, speaker,
  started_at, ended_at, text, gap, gap_label, stage, stage_label, edited}, case, live}: a
  line written by speech recognition or corrected (the court always; a party of the line's
  case only when ``live``, the judge's switch); ``transcript.live`` {visible};
  ``transcript.record`` {case, status, revision} (the court and that case's people).
Replies: ``{"event": "ok", "op", "ref"}`` after an action succeeded; ``{"event": "error",
"code", "field", "fields", "message", "ref"}`` when refused (``field`` names the input that
was wrong: op, seat, stage, exhibit, page, report …; message in the person's language);
``{"event": "pong"}``.

Client → server
---------------
``{"action": "control", "op": …, "seat"?, "value"?, "exhibit"?, "case"?, "page"?, "stage"?,
"note"?, "ref"?}`` — the same as ``POST /api/v1/sessions/{id}/control``. Ops (the presiding
judge unless noted): ``mute``/``unmute`` {seat}; ``mute_all``/``unmute_all`` (every seat but
the court's); ``camera_off``/``camera_on`` {seat}; ``spotlight`` {seat|null}; ``lock``/
``unlock``; ``stage`` {stage}; ``exhibit`` {exhibit: its number in the case, case?: case id in
a joint session, page?}; ``page`` {page}; ``exhibit_clear``; ``call``/``excuse`` {seat: a
witness}; ``give_floor`` {seat}; ``admit`` {seat} (the court's people); ``remove`` {seat,
note?}; ``raise_hand``/``lower_hand`` (anyone for their own seat; the court with {seat}).
``{"action": "report", "report": "media_connected"|"ice_failed"|"ice_disconnected"|"hangup"
|"page_closing"|"warning_ignored", "feed_id"?}`` — what the page knows of its own connection:
``media_connected`` once Janus says the publisher is up (with its Janus ``feed_id``, the
publisher id from ``joined``); ``ice_disconnected`` when ICE stays disconnected 5 s;
``ice_failed`` when it fails; ``hangup`` when the person presses 退出 and ``page_closing`` on
``pagehide`` — then close the socket with 1000 (1001 for a closing page);
``warning_ignored`` when the page was hidden and the judge's warning went unanswered.
A socket that drops without a ``hangup``/``page_closing`` (close code 1006 …) is a
*drop* (network failure); connecting again within the grace window
(``HEARING_REJOIN_GRACE_SECONDS``, 120 s) is a *rejoin*.
``{"action": "ping"}`` every ~20 s (keeps ``last_seen_at``); ``{"action": "resync"}``.
"""

from __future__ import annotations

import json
import logging
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings
from django.core.cache import cache
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from microcourt.core.actor import actor_of_scope
from microcourt.core.errors import DomainError, InvalidInput

from . import live, roomstate
from .actions import attendance as attendance_actions
from .actions import control as control_actions
from .models import HearingStage

log = logging.getLogger("microcourt.hearings")

# Events a socket outside the room (an uncalled witness, a removed seat) still receives:
# the session's status from the session's group, and its own seat's events.
_OUTSIDE_SESSION_EVENTS = frozenset({"status"})
_OWN_SEAT_EVENTS = frozenset({"admitted", "removed", "replaced", "called", "excused", "waiting"})
# Own-seat events after which the socket's view of the room is read again.
_RESTATE = frozenset({"admitted", "removed", "called", "excused"})
_ENTERS = frozenset({"admitted", "called"})
# 庭审笔录 (actions/transcript.py): a line written or corrected, the judge's switch, the
# record's status.
_TRANSCRIPT_EVENTS = frozenset(
    {"transcript.line", "transcript.edit", "transcript.live", "transcript.record"}
)
CURRENT_SOCKET = "hearing_seat_socket_{}"
SUPERSEDED = 4409


def _language(scope, user) -> str:
    supported = dict(settings.LANGUAGES)
    language = (scope.get("cookies") or {}).get(settings.LANGUAGE_COOKIE_NAME)
    if language not in supported:
        language = getattr(user, "preferred_language", "")
    return language if language in supported else settings.LANGUAGE_CODE


def _seat_asked(scope) -> int | None:
    """``?seat=<id>``: which of the person's seats this socket is for (one person may hold
    two, e.g. their own and the physical courtroom's camera); the usual one otherwise."""
    query = parse_qs((scope.get("query_string") or b"").decode("latin-1"))
    try:
        return int(query["seat"][0])
    except (KeyError, ValueError):
        return None


def _error(exc: DomainError, ref=None) -> dict:
    body = exc.as_dict()["error"]
    fields = body["fields"]
    return {
        "event": "error",
        "code": body["code"],
        "field": next(iter(fields), None),
        "fields": fields,
        "message": body["message"],
        "ref": ref,
    }


class HearingConsumer(AsyncJsonWebsocketConsumer):
    @classmethod
    async def encode_json(cls, content):
        return json.dumps(content, cls=DjangoJSONEncoder, ensure_ascii=False)

    @classmethod
    async def decode_json(cls, text_data):
        try:
            return json.loads(text_data)
        except (TypeError, ValueError):
            return None  # answered as an unknown action, never a crash

    async def connect(self):
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self._refuse(4401, "login required")
            return
        self.session_id = int(self.scope["url_route"]["kwargs"]["session_id"])
        self.language = _language(self.scope, user)
        entered = await self._enter()
        if entered is None:
            await self._refuse(4404, "not found")
            return
        self.seat_id, self.court, self.in_room, self.seat_case = entered
        self.groups_joined = [live.group(self.session_id)]
        if self.seat_id is not None:
            self.groups_joined.append(live.seat_group(self.seat_id))
        for name in self.groups_joined:
            await self.channel_layer.group_add(name, self.channel_name)
        await self.accept()
        if self.seat_id is not None:
            await self._supersede()
            await self._run(self._connected)
        await self._send_state()

    async def _refuse(self, code: int, reason: str) -> None:
        await self.accept()  # so that the close code, not an HTTP 403, reaches the browser
        await self.close(code=code, reason=reason)

    async def _supersede(self) -> None:
        """One socket per seat: a newer one (another tab, a reconnect before the old one was
        noticed gone) closes the older, whose disconnect then records nothing."""
        key = CURRENT_SOCKET.format(self.seat_id)
        older = await database_sync_to_async(cache.get)(key)
        await database_sync_to_async(cache.set)(key, self.channel_name, 24 * 3600)
        if older and older != self.channel_name:
            await self.channel_layer.send(older, {"type": "hearing.superseded"})

    async def _is_current(self) -> bool:
        current = await database_sync_to_async(cache.get)(CURRENT_SOCKET.format(self.seat_id))
        return current in (None, self.channel_name)

    async def hearing_superseded(self, event):
        self.superseded = True
        await self.close(code=SUPERSEDED)

    # -- reads and writes, each on a fresh look at the person's standing ---------------------

    def _standing(self):
        """(actor, session, seat) read afresh; NotFound when no longer in the session."""
        actor = actor_of_scope(self.scope)
        return roomstate.standing(actor, self.session_id, _seat_asked(self.scope))

    @database_sync_to_async
    def _enter(self):
        try:
            actor, session, seat = self._standing()
        except DomainError:
            return None
        court = roomstate.is_court(actor, session)
        in_room = roomstate.sees_room(session, seat, court)
        return (
            seat.pk if seat else None,
            court,
            in_room,
            seat.case_id if seat else None,
        )

    @database_sync_to_async
    def _call(self, fn, *args, **kwargs):
        with translation.override(self.language):
            try:
                actor, session, seat = self._standing()
            except DomainError as exc:
                return ("gone", _error(exc))
            try:
                return ("ok", fn(actor, session, seat, *args, **kwargs))
            except DomainError as exc:
                return ("error", _error(exc, kwargs.get("ref")))
            except Exception:
                log.exception("hearing socket %s: %s failed", self.session_id, fn.__name__)
                return ("error", _error(DomainError(_("操作失败，请稍后再试")), kwargs.get("ref")))

    async def _run(self, fn, *args, **kwargs):
        status, out = await self._call(fn, *args, **kwargs)
        if status == "gone":
            await self.close(code=4404)
            return None
        if status == "error":
            await self.send_json(out)
            return None
        return out

    def _connected(self, actor, session, seat):
        attendance_actions.seat_connected(seat=seat, actor=actor, device=self._device())
        return True

    def _device(self) -> str:
        headers = dict(self.scope.get("headers") or [])
        return headers.get(b"user-agent", b"").decode("latin-1")[:64]

    def _state(self, actor, session, seat):
        self.court = roomstate.is_court(actor, session)
        self.in_room = roomstate.sees_room(session, seat, self.court)
        self.seat_case = seat.case_id if seat else None
        return roomstate.state_for(actor, session, seat, court=self.court)

    async def _send_state(self) -> None:
        state = await self._run(self._state)
        if state is not None:
            await self.send_json(state)

    async def disconnect(self, code):
        for name in getattr(self, "groups_joined", []):
            await self.channel_layer.group_discard(name, self.channel_name)
        if getattr(self, "seat_id", None) is None or getattr(self, "superseded", False):
            return
        if not await self._is_current():
            return
        await database_sync_to_async(cache.delete)(CURRENT_SOCKET.format(self.seat_id))
        await self._call(self._disconnected, code)

    def _disconnected(self, actor, session, seat, code):
        attendance_actions.seat_disconnected(seat=seat, actor=actor, close_code=code)

    # -- what the client sends -----------------------------------------------------------------

    async def receive_json(self, content, **kwargs):
        if not isinstance(content, dict):
            content = {}
        action = content.get("action")
        ref = content.get("ref")
        if action == "ping":
            if self.seat_id is not None:
                await self._call(self._ping)
            await self.send_json({"event": "pong"})
        elif action == "resync":
            await self._send_state()
        elif action == "control":
            op = content.get("op")
            done = await self._run(self._control, content, ref=ref)
            if done is not None:
                await self.send_json({"event": "ok", "op": op, "ref": ref})
        elif action == "report":
            done = await self._run(self._report, content, ref=ref)
            if done is not None:
                await self.send_json({"event": "ok", "op": "report", "ref": ref})
        else:
            await self._send_invalid("action", ref)

    async def _send_invalid(self, field: str, ref) -> None:
        def build():
            with translation.override(self.language):
                return _error(control_actions.invalid(field), ref)

        await self.send_json(build())

    def _ping(self, actor, session, seat):
        attendance_actions.seat_seen(seat=seat)

    def _control(self, actor, session, seat, content, ref=None):
        control_actions.control(
            session=session,
            actor=actor,
            op=content.get("op"),
            seat=content.get("seat"),
            value=content.get("value"),
            exhibit=content.get("exhibit"),
            case=content.get("case"),
            page=content.get("page"),
            stage=content.get("stage"),
            note=content.get("note") or "",
        )
        return True

    def _report(self, actor, session, seat, content, ref=None):
        if seat is None:
            raise InvalidInput(roomstate.NO_SEAT, fields={"report": roomstate.NO_SEAT})
        attendance_actions.seat_reported(
            seat=seat,
            actor=actor,
            report=content.get("report"),
            feed_id=content.get("feed_id"),
        )
        return True

    # -- what the session pushes -----------------------------------------------------------------

    async def hearing_event(self, event):
        payload = event["event"]
        name = payload.get("event")
        own = self.seat_id is not None and payload.get("seat") == self.seat_id
        if own and name in _RESTATE:
            await self.send_json(payload)
            if name in _ENTERS:  # let in while connected: that is the entry
                await self._run(self._connected)
            await self._send_state()
            return
        if name == "status" and payload.get("status") == "open" and self.seat_id is not None:
            await self._run(self._connected)  # opened (or resumed) while connected
        if not self.in_room:
            if name in _OUTSIDE_SESSION_EVENTS or (own and name in _OWN_SEAT_EVENTS):
                await self.send_json(payload)
            return
        if name == "attendance" and not self.court and not own:
            return  # the log is the court's; a participant reads their own lines only
        if name in _TRANSCRIPT_EVENTS and not self.court:
            # The transcript is the court's while the hearing goes on unless the judge let
            # the parties read it live; a party reads the lines of their own case only.
            if payload.get("case") not in (None, self.seat_case):
                return
            if name in ("transcript.line", "transcript.edit") and not payload.get("live"):
                return
        if name == "stage" and payload.get("stage") in HearingStage.values:
            with translation.override(self.language):  # in this reader's language
                label = str(HearingStage(payload["stage"]).label)
            payload = {**payload, "stage_label": label}
        exhibit = payload.get("exhibit") if name == "exhibit" else None
        if exhibit and not (self.court or exhibit.get("case_id") == self.seat_case):
            payload = {**payload, "exhibit": {"hidden": True}}
        await self.send_json(payload)

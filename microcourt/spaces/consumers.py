"""The case space websocket: ``ws/cases/<case_id>/space/?after=<last seq>``.

On connect the consumer joins the case's group first and then sends everything after
``after`` that the member may see, so nothing committed in between is lost; live events with
a seq it already sent are dropped. Anyone not in the space is closed with 4404 (as a 404
would), a socket without a signed-in person (or with an expired session) with 4401: both
accepted first and then closed, because a handshake closed before its accept reaches the
browser as HTTP 403 / code 1006 (uvicorn), which the page cannot tell from a network
failure and would retry for ever (static/spaces/space.js stops on 4401/4404).

Standing is checked again on every request the socket makes (a participant removed, a court
role revoked while connected), and each act is recorded in the role the person acts in on
the case (``actor_of_scope`` then ``policies.member_on``)."""

from __future__ import annotations

from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.utils.translation import gettext_lazy as _

from microcourt.core.actor import actor_of_scope
from microcourt.core.errors import DomainError, NotFound

from . import actions, selectors


def _after(scope) -> int:
    query = parse_qs((scope.get("query_string") or b"").decode("latin-1"))
    try:
        return max(0, int(query.get("after", ["0"])[0]))
    except ValueError:
        return 0


class SpaceConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self):
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self._refuse(4401, "login required")
            return
        self.case_id = int(self.scope["url_route"]["kwargs"]["case_id"])
        if not await self._member():
            await self._refuse(4404, "not found")
            return
        self.group = actions.space_group(self.case_id)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()
        self.floor = _after(self.scope)
        self.sent: set[int] = set()
        await self._fill(self.floor)

    async def _refuse(self, code: int, reason: str) -> None:
        await self.accept()  # so that the close code, not an HTTP 403, reaches the browser
        await self.close(code=code, reason=reason)

    async def _fill(self, after: int) -> None:
        while True:
            backlog = await self._backlog(after)
            for item in backlog:
                await self.send_json(item)
                self.sent.add(item["seq"])
            if len(backlog) < selectors.PAGE:
                return
            after = backlog[-1]["seq"]

    def _space(self):
        """(actor bound to the case, case, member), read afresh each time."""
        actor = actor_of_scope(self.scope)
        if actor is None:
            raise NotFound(_("没有找到该案件"))  # signed out since it connected
        return selectors.space_for(actor, self.case_id)

    @database_sync_to_async
    def _member(self) -> bool:
        try:
            self._space()
        except DomainError:
            return False
        return True

    @database_sync_to_async
    def _backlog(self, after: int) -> list[dict]:
        _actor, case, member = self._space()
        return [selectors.message_out(m) for m in selectors.messages_for(case, member, after=after)]

    async def disconnect(self, code):
        if hasattr(self, "group"):
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive_json(self, content, **kwargs):
        kind = content.get("type")
        if kind == "read":
            try:
                await self._read(int(content["thread"]), int(content["seq"]))
            except (KeyError, TypeError, ValueError):
                await self.send_json({"type": "error", "code": "invalid"})
            except DomainError as exc:
                await self.send_json({"type": "error", **exc.as_dict()["error"]})
        elif kind == "resume":
            # A client that noticed a hole in the seqs asks again from its last contiguous one.
            try:
                await self._fill(max(0, int(content.get("after", 0))))
            except DomainError:
                await self.close(code=4404)
        elif kind == "ping":
            await self.send_json({"type": "pong"})

    @database_sync_to_async
    def _read(self, thread_id: int, seq: int) -> None:
        actor, case, _member = self._space()
        actions.read_mark(case=case, actor=actor, thread_id=thread_id, seq=seq)

    async def space_event(self, event):
        if self.scope["user"].pk not in event["audience"]:
            return
        payload = event["payload"]
        if payload.get("type") == "message":
            # Already sent by the gap-fill, or before what the client asked for. Pushes may
            # arrive out of order; the client places each by seq.
            if payload["seq"] <= self.floor or payload["seq"] in self.sent:
                return
            self.sent.add(payload["seq"])
        await self.send_json(payload)

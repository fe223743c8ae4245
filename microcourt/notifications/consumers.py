"""The per-user notification websocket: new in-app messages arrive without a reload.

A socket without a signed-in person (never logged in, or the session expired) is accepted
and then closed with 4401. Closing before accepting would not reach the browser: the
server (uvicorn) answers a handshake closed before its accept with HTTP 403, the browser
sees only code 1006 and keeps reconnecting; an accepted socket carries the close code, and
the page stops and says why (static/shell/app.js)."""

from asgiref.sync import sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings

from microcourt.core.actor import actor_of_scope

from . import templates
from .actions import user_group


def _language(scope, user) -> str:
    """The page's language, as the HTTP side chooses it (core.middleware.LanguageMiddleware):
    the switch's cookie, then the account's preference, then Chinese."""
    supported = dict(settings.LANGUAGES)
    language = (scope.get("cookies") or {}).get(settings.LANGUAGE_COOKIE_NAME)
    if language not in supported:
        language = getattr(user, "preferred_language", "")
    return language if language in supported else settings.LANGUAGE_CODE


class NotificationConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self):
        # The one way to an actor (it reads the user's court roles: not on the event loop).
        actor = await sync_to_async(actor_of_scope)(self.scope)
        if actor is None:
            await self.accept()
            await self.close(code=4401, reason="login required")
            return
        # Only the person's own group: a socket hears its own messages and nobody else's.
        self.group = user_group(actor.user_id)
        self.language = _language(self.scope, actor.user)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()

    async def disconnect(self, code):
        if hasattr(self, "group"):
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def notification_new(self, event):
        message = {k: v for k, v in event.items() if k not in ("type", "params", "language")}
        if event.get("language") != self.language:
            # Written in the recipient's account language; read in this page's.
            text = templates.text_of(event.get("event", ""), event.get("params"), self.language)
            if text is not None:
                message["title"], message["body"] = text
        await self.send_json(message | {"type": "notification"})

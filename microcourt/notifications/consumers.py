"""The per-user notification websocket: new in-app messages arrive without a reload."""

from asgiref.sync import sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from microcourt.core.actor import actor_of_scope

from .actions import user_group


class NotificationConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self):
        # The one way to an actor (it reads the user's court roles: not on the event loop).
        actor = await sync_to_async(actor_of_scope)(self.scope)
        if actor is None:
            await self.close(code=4401)
            return
        # Only the person's own group: a socket hears its own messages and nobody else's.
        self.group = user_group(actor.user_id)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()

    async def disconnect(self, code):
        if hasattr(self, "group"):
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def notification_new(self, event):
        await self.send_json(
            {k: v for k, v in event.items() if k != "type"} | {"type": "notification"}
        )

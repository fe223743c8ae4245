"""Live events of a session, pushed to every client in its room over the session socket
(``hearings.consumers``) once the change has committed. Every event carries the session's
``version``: a client that sees a gap reloads the state instead of trusting its copy."""

from __future__ import annotations

from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

from microcourt.core.effects import on_commit


def group(session_id: int) -> str:
    return f"hearing_{session_id}"


def seat_group(seat_id: int) -> str:
    """One seat's own channel: a message for that person only (you are muted, you are
    replaced by another device, you are called in)."""
    return f"hearing_seat_{seat_id}"


def _send(name: str, payload: dict[str, Any]) -> None:
    layer = get_channel_layer()
    if layer is not None:
        async_to_sync(layer.group_send)(name, {"type": "hearing.event", "event": payload})


def push(session_id: int, event: str, **data: Any) -> None:
    """After commit, tell everyone in the session: ``{"event": event, **data}``."""
    on_commit(_send, group(session_id), {"event": event, **data})


def push_seat(seat_id: int, event: str, **data: Any) -> None:
    on_commit(_send, seat_group(seat_id), {"event": event, **data})

import datetime as dt

from ninja import Schema


class AttachmentOut(Schema):
    name: str
    mime: str
    size: int | None
    url: str


class MessageOut(Schema):
    id: int
    seq: int
    thread: int
    thread_kind: str
    kind: str
    sender: int
    sender_name: str
    sender_role: str
    sender_role_label: str
    text: str
    attachment: AttachmentOut | None
    digest: str
    retracts: int | None
    created_at: str


class ThreadOut(Schema):
    id: int
    kind: str
    party: int | None
    last_read_seq: int


class PinOut(Schema):
    message: int
    seq: int
    text: str


class SpaceOut(Schema):
    case: int
    me: int
    role: str
    court: bool
    parties: list[int]
    threads: list[ThreadOut]
    pins: list[PinOut]
    pending_reminders: list[int]
    reads: list[dict[str, int]] = []
    reminders: dict[str, dict[str, int]] = {}


class ReadIn(Schema):
    # A missing seq is refused by the action (naming the field), after the access check.
    seq: int = 0


class ThreadReadOut(Schema):
    thread: int
    last_read_seq: int


class OkOut(Schema):
    ok: bool = True


class ReminderAckOut(Schema):
    user: int
    name: str
    acknowledged_at: dt.datetime | None
    escalated_at: dt.datetime | None

import datetime as dt

from ninja import Schema


class NotificationOut(Schema):
    id: int
    event: str
    title: str
    body: str
    url: str
    created_at: dt.datetime
    read: bool

    # In the reader's language, whatever language the message was written in.
    @staticmethod
    def resolve_title(obj) -> str:
        return obj.shown_title

    @staticmethod
    def resolve_body(obj) -> str:
        return obj.shown_body

    @staticmethod
    def resolve_read(obj) -> bool:
        return obj.read_at is not None


class UnreadCountOut(Schema):
    unread: int


class SwitchOut(Schema):
    channel: str
    label: str
    enabled: bool
    locked: bool


class CategoryOut(Schema):
    category: str
    label: str
    mandatory: bool
    reason: str
    has_required: bool
    channels: list[SwitchOut]


class PreferenceIn(Schema):
    category: str
    channel: str
    enabled: bool


class WechatBindIn(Schema):
    code: str


class WechatBindingOut(Schema):
    appid: str
    bound_at: dt.datetime

    @staticmethod
    def resolve_bound_at(obj) -> dt.datetime:
        return obj.updated_at

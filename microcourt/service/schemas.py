from __future__ import annotations

import datetime as dt

from ninja import Schema


class DocumentOut(Schema):
    title: str
    kind: str
    sha256: str


class DeliveryOut(Schema):
    channel: str
    address: str  # masked
    confirmed: bool
    reached_at: dt.datetime | None
    delivered_at: dt.datetime | None
    read_at: dt.datetime | None
    outcome: str


class ServiceOut(Schema):
    id: int
    case_id: int
    recipient_id: int
    recipient: str
    method: str
    status: str
    effective_at: dt.datetime | None
    basis: str
    effective_channel: str
    opened_at: dt.datetime | None
    paper_requested_at: dt.datetime | None = None
    tracking_number: str
    documents: list[DocumentOut]
    deliveries: list[DeliveryOut]
    certificate_url: str | None = None
    created_at: dt.datetime


class ServeIn(Schema):
    """``documents``: keys from GET …/service/documents (the case's own documents)."""

    recipients: list[int]
    documents: list[str]
    method: str = "electronic"
    tracking_number: str = ""
    carrier: str = ""
    address: str = ""
    notice_text: str = ""


class ServableOut(Schema):
    key: str
    title: str
    category: str
    sha256: str


class AddressIn(Schema):
    party_id: int | None = None
    consent: bool = True
    channels: list[str] = []
    phone: str = ""
    email: str = ""
    postal_address: str = ""
    postal_recipient: str = ""
    includes_judgments: bool = False


class AddressOut(Schema):
    id: int
    party_id: int
    consent: bool
    channels: list[str]
    includes_judgments: bool
    method: str
    created_at: dt.datetime

"""Shapes of the hearings API."""

from __future__ import annotations

import datetime as dt

from ninja import Field, Schema


class SessionIn(Schema):
    kind: str = Field(description="hearing | pretrial | evidence_exchange | judgment | inquiry")
    starts_at: dt.datetime
    duration_minutes: int = Field(60, ge=5, le=600)
    mode: str = Field("online", description="online | offline | mixed")
    venue: str = Field("", max_length=100)
    procedure: str = Field("live", description="live | async")
    layout: str = Field("courtroom", description="courtroom | broadcast")
    joint_cases: list[int] = Field(default_factory=list, description="联审: other case ids")
    waiting_room: bool = True
    # 民事诉讼法第一百三十九条: notice three days before, unless the parties waived it; the
    # waiver says when and how they agreed (it goes into the ledger).
    notice_waived: bool = False
    waiver_note: str = Field("", max_length=500)
    # A national rest day, where the court sits on it (休息日开庭).
    rest_day: bool = False


class SeatOut(Schema):
    id: int
    role: str
    role_label: str
    name: str
    case_id: int
    participation: str
    status: str
    muted: bool
    camera_off: bool
    present: bool
    called: bool


class SessionOut(Schema):
    id: int
    case_id: int
    case_number: str | None
    kind: str
    kind_label: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    duration_minutes: int
    status: str
    status_label: str
    mode: str
    procedure: str
    layout: str
    venue: str
    stage: str
    stage_label: str
    waiting_room: bool
    locked: bool
    public: bool
    joint_case_ids: list[int]
    version: int


class SessionDetailOut(SessionOut):
    seats: list[SeatOut]
    exhibit_id: int | None
    exhibit_page: int
    spotlight_seat_id: int | None
    my_seat_id: int | None


class JoinOut(Schema):
    janus_url: str
    room: int
    token: str
    display: str
    seat: str
    seat_id: int
    ice_servers: list[dict]


class ParticipationIn(Schema):
    participation: str = Field(description="video | audio | text")


class WitnessIn(Schema):
    name: str = Field(max_length=100)
    phone: str = Field(max_length=32, description="the witness's account phone number")


class RecessIn(Schema):
    note: str = Field("", max_length=500)


class OkOut(Schema):
    ok: bool = True

from __future__ import annotations

import datetime as dt

from ninja import Schema


class ExhibitOut(Schema):
    number: int
    name: str
    source: str
    purpose: str
    pages: int
    kind: str
    mime: str
    size: int
    sha256: str
    party_id: int
    submitted_by_role: str
    original_status: str
    deemed_ground: str
    court_only: bool
    preview_status: str
    # Why the preview failed ("too_many_pixels", "zip_bomb", "memory", "timeout",
    # "unreadable"); empty otherwise.
    preview_failure: str = ""
    receipt_url: str | None = None
    created_at: dt.datetime


# Inputs carry defaults: a missing field is refused by the action, in the user's language and
# naming the field — and only after the access check, so an outsider learns nothing from it.


class ObjectionIn(Schema):
    reasons: str = ""
    party_id: int | None = None


class OriginalIn(Schema):
    action: str = ""  # "require" or "confirm"
    reason: str = ""
    ground: str = ""


class CourtOnlyIn(Schema):
    court_only: bool = True


class CrossExaminationIn(Schema):
    exhibits: list[int] = []
    mode: str = ""
    deadline: dt.datetime | None = None
    session_at: dt.datetime | None = None


class CrossExaminationOut(Schema):
    id: int
    mode: str
    proposed_mode: str
    deadline: dt.datetime
    session_at: dt.datetime | None
    exhibits: list[int]


class ModeIn(Schema):
    mode: str = ""
    party_id: int | None = None


class OpinionIn(Schema):
    exhibit: int | None = None
    authenticity: str = ""
    legality: str = ""
    relevance: str = ""
    reasons: str = ""
    party_id: int | None = None


class OpinionOut(Schema):
    exhibit: int
    party_id: int
    authenticity: str
    legality: str
    relevance: str
    reasons: str
    created_at: dt.datetime


class MatrixCell(Schema):
    party_id: int
    own: bool
    opinion: OpinionOut | None


class MatrixRow(Schema):
    exhibit: int
    name: str
    cells: list[MatrixCell]


class MatrixOut(Schema):
    id: int
    mode: str
    deadline: dt.datetime
    rows: list[MatrixRow]

"""API shapes of the document readers. The ID-card shape is a published contract (filing
auto-fill and shared courts call it): change it only with a new endpoint."""

from __future__ import annotations

import datetime as dt

from ninja import Schema


class IdCardFrontOut(Schema):
    name: str
    gender: str
    ethnicity: str
    birth_date: dt.date | None
    address: str
    id_number: str
    id_number_valid: bool
    confidence: float


class BusinessLicenceOut(Schema):
    name: str
    uscc: str
    uscc_valid: bool
    legal_representative: str
    address: str
    kind: str
    founded: dt.date | None
    confidence: float

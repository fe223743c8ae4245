from __future__ import annotations

from ninja import Schema


class SignatureOut(Schema):
    field_name: str
    signer_name: str
    subject: str
    serial: str
    purpose: str  # seal / signature / unknown
    purpose_label: str
    court_code: str
    reason: str
    signing_time: str | None  # ISO 8601, from the RFC 3161 time-stamp
    intact: bool
    trusted: bool
    timestamp_valid: bool
    revoked: bool
    changed_after: bool
    valid: bool
    revision_sha256: str
    ledger_index: int | None
    receipt_url: str | None
    problems: list[str]
    notes: list[str]


class SignatureVerifyOut(Schema):
    valid: bool
    summary: str
    sha256: str
    signatures: list[SignatureOut]
    problems: list[str]

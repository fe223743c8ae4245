from __future__ import annotations

from typing import Any

from ninja import Schema


class EntryOut(Schema):
    index: int
    leaf: dict[str, Any]
    leaf_hash: str


class InclusionOut(Schema):
    index: int
    tree_size: int
    hashes: list[str]


class ConsistencyOut(Schema):
    first: int
    second: int
    hashes: list[str]


class MatchOut(Schema):
    """A receipt (``microcourt_verify`` checks it) with the entry's leaf hash."""

    leaf: dict[str, Any]
    index: int
    leaf_hash: str
    inclusion: InclusionOut
    checkpoint: str
    key: str


class LedgerVerifyOut(Schema):
    subject_digest: str
    entries: list[MatchOut]


class CosignatureIn(Schema):
    checkpoint: str
    cosignature: str


class CosignatureOut(Schema):
    witness: str
    tree_size: int
    timestamp: int


class PrivateOut(Schema):
    entry: int
    code: int
    actor_user_id: int | None
    actor_role: str
    actor_label: str
    case_id: int | None
    request_id: str
    details: dict[str, Any]

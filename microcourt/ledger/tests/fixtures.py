"""Ledger test helpers, shared with the cross-app stories in tests/test_ledger_*.py."""

from __future__ import annotations

import base64
import hashlib

import pytest
from django.db import connection, transaction

from microcourt.core.actor import Actor
from microcourt.ledger import actions, keys, notes
from microcourt.ledger.events import LedgerEvent
from microcourt.ledger.models import Entry

# A fixed log key, so runs are reproducible and nothing is written to the data directory.
LOG_SEED = base64.b64encode(hashlib.sha256(b"microcourt test log key").digest()).decode()
LOG_ORIGIN = "court.test/ledger"
WITNESS_NAME = "witness.court-b.test"
WITNESS_SEED = base64.b64encode(hashlib.sha256(b"microcourt test witness key").digest()).decode()
# Any declared code serves where the meaning of the entry does not matter.
CODE = LedgerEvent.PRIVATE_PART_VIEWED


def witness_key():
    return notes.private_key_from_base64(WITNESS_SEED)


def witness_vkey() -> str:
    return notes.vkey_for(WITNESS_NAME, witness_key(), cosigner=True)


@pytest.fixture
def ledger_settings(settings):
    settings.LEDGER_KEY = LOG_SEED
    settings.LEDGER_ORIGIN = LOG_ORIGIN
    settings.LEDGER_WITNESSES = [witness_vkey()]
    keys.clear_caches()
    yield settings
    keys.clear_caches()


def record_many(
    count: int, *, actor: Actor | None = None, digest: str | None = None, case_id: int | None = None
) -> list[Entry]:
    actor = actor or Actor.system("test")
    with transaction.atomic():
        return [
            actions.record(code=CODE, actor=actor, subject_digest=digest, case_id=case_id)
            for _ in range(count)
        ]


def flip_bit(raw: bytes, bit: int) -> bytes:
    return (int.from_bytes(raw, "big") ^ (1 << bit)).to_bytes(len(raw), "big")


def tamper(sql: str, params: list, table: str) -> None:
    """Change a row behind the application's back, as an operator with database access
    could: raw SQL, and on PostgreSQL the append-only trigger disabled first (inside the
    test's transaction, so the rollback at the end of the test re-enables it)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Deferred foreign-key checks must run first: ALTER TABLE waits for no one.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER ledger_append_only")
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER ledger_append_only")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")

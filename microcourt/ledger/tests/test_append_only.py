"""Evidence is never changed: the application refuses on every database, and on PostgreSQL
the database itself refuses, whoever asks."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from microcourt.ledger import actions, selectors
from microcourt.ledger.models import (
    AppendOnlyError,
    Checkpoint,
    Cosignature,
    Entry,
    Leaf,
    LedgerState,
    Node,
)
from microcourt.ledger.tests.fixtures import record_many

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("ledger_settings")]


@pytest.fixture
def ledger():
    entries = record_many(5)
    actions.integrate()
    selectors.checkpoint(5)
    return entries


@pytest.mark.parametrize("model", [Entry, Leaf, Node, Checkpoint])
def test_the_application_refuses_to_update_or_delete_evidence(ledger, model):
    before = _rows(model)
    assert before, "the fixture wrote no rows: nothing would be tested"
    row = model.objects.first()
    field = _a_field(model)
    setattr(row, field, _a_field_value(model))  # a real change: an unguarded save writes it
    with pytest.raises(AppendOnlyError, match="append-only"):
        row.save()
    with pytest.raises(AppendOnlyError, match="append-only"):
        row.delete()
    with pytest.raises(AppendOnlyError, match="append-only"):
        model.objects.all().update(**{field: _a_field_value(model)})
    with pytest.raises(AppendOnlyError, match="append-only"):
        model.objects.all().delete()
    with pytest.raises(AppendOnlyError, match="append-only"):
        model._base_manager.all().delete()  # what Django's cascades use
    with pytest.raises(AppendOnlyError, match="append-only"):
        model.objects.bulk_update([row], [field])
    # Refusing means refusing before the write: a guard that wrote and then raised would
    # pass every check above. Every row is still there, every column unchanged.
    assert _rows(model) == before


def _rows(model) -> dict:
    """Every row of the table, by primary key, as plain column values."""

    def plain(value):
        return bytes(value) if isinstance(value, memoryview) else value

    return {
        row.pk: {f.attname: plain(getattr(row, f.attname)) for f in model._meta.concrete_fields}
        for row in model.objects.all()
    }


def _a_field(model) -> str:
    return {Entry: "code", Leaf: "leaf_hash", Node: "hash", Checkpoint: "note"}[model]


def _a_field_value(model):
    # Differs from every value the fixture writes (codes are 4-digit, hashes 32 bytes).
    return {Entry: 1, Leaf: b"x", Node: b"x", Checkpoint: "x"}[model]


def test_a_cosignature_cannot_be_changed_either(ledger):
    with pytest.raises(AppendOnlyError):
        Cosignature.objects.all().update(line="forged")


def test_the_state_cursor_is_the_one_mutable_table(ledger):
    # Allowed: it is not evidence (the audit recomputes it from the tree).
    assert LedgerState.objects.filter(pk=1).update(entry_floor=0) == 1
    assert LedgerState.objects.get(pk=1).entry_floor == 0


def test_a_user_with_ledger_entries_cannot_be_deleted(plaintiff_zhang):
    from django.db.models import ProtectedError

    from microcourt.core.actor import Actor

    record_many(1, actor=Actor.citizen(plaintiff_zhang))
    with pytest.raises(ProtectedError):
        plaintiff_zhang.delete()


POSTGRES_ONLY = "the append-only triggers exist on PostgreSQL (CI runs it with DATABASE_URL)"


@pytest.mark.postgres
@pytest.mark.parametrize(
    ("table", "update", "where"),
    [
        ("ledger_entry", "code = 1", "id = (SELECT min(id) FROM ledger_entry)"),
        ("ledger_leaf", "leaf_hash = '\\x00'::bytea", '"index" = 0'),
        ("ledger_node", "hash = '\\x00'::bytea", 'level = 0 AND "index" = 0'),
        ("ledger_checkpoint", "note = 'forged'", "tree_size = 5"),
    ],
)
def test_the_database_refuses_raw_updates_and_deletes(ledger, table, update, where):
    if connection.vendor != "postgresql":
        pytest.skip(POSTGRES_ONLY)
    statements = [
        f"UPDATE {table} SET {update} WHERE {where}",  # noqa: S608 — the test's own constants
        f"DELETE FROM {table} WHERE {where}",  # noqa: S608
    ]
    for sql in statements:
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql)


@pytest.mark.postgres
def test_the_database_refuses_changes_to_cosignatures(ledger):
    if connection.vendor != "postgresql":
        pytest.skip(POSTGRES_ONLY)
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO ledger_cosignature (checkpoint_id, witness, line, timestamp, created_at) "
            "SELECT id, 'w', 'line', 1, now() FROM ledger_checkpoint LIMIT 1"
        )
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("DELETE FROM ledger_cosignature")

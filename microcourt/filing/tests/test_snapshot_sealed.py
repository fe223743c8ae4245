"""What the court received (the submission snapshot) names the parties — ID numbers, phones,
addresses — so it is stored sealed, and rows written before the change are sealed by the
migration; read through the application it is the same document."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from microcourt.filing.models import DecisionKind, FilingDecision

from .conftest import WANG_ID


def raw_snapshot(pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT snapshot FROM filing_filingdecision WHERE id = %s", [pk])
        return str(cursor.fetchone()[0])


def migrate(target: str | None) -> None:
    """To ``target`` of filing's migrations, or (None) every app's latest."""
    executor = MigrationExecutor(connection)
    graph = executor.loader.graph
    executor.migrate([("filing", target)] if target else graph.leaf_nodes())


@pytest.mark.django_db
def test_the_submission_snapshot_is_stored_sealed_and_reads_back_whole(submitted):
    decision = submitted.decisions.get(kind=DecisionKind.SUBMITTED)
    raw = raw_snapshot(decision.pk)
    assert raw.startswith("k1:")
    assert WANG_ID not in raw and "13933334444" not in raw and "天童南路" not in raw
    stored = FilingDecision.objects.get(pk=decision.pk).snapshot
    assert stored["digest"] == submitted.content_digest
    assert stored["claims"][0]["text"] == "判令被告偿还借款本金50000元"


@pytest.mark.django_db(transaction=True)
def test_the_migration_seals_snapshots_written_before_and_can_be_undone(submitted):
    decision = submitted.decisions.get(kind=DecisionKind.SUBMITTED)
    before = FilingDecision.objects.get(pk=decision.pk).snapshot
    try:
        migrate("0002_seed_causes")  # as the database was: plain JSON
        assert WANG_ID in raw_snapshot(decision.pk)
    finally:
        migrate(None)
    raw = raw_snapshot(decision.pk)
    assert raw.startswith("k1:") and WANG_ID not in raw
    assert FilingDecision.objects.get(pk=decision.pk).snapshot == before

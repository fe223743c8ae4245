"""Many writers at once, each in its own transaction, each integrating after its commit:
still one linear order, no gaps, no duplicates, and the root of exactly those leaves."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, transaction

import microcourt_verify as verify
from microcourt.core.actor import Actor
from microcourt.ledger import actions
from microcourt.ledger.audit import audit
from microcourt.ledger.models import Entry, Leaf, LedgerState
from microcourt.ledger.tests.fixtures import CODE
from microcourt.ledger.tests.test_merkle import ref_mth

WRITERS = 8
TRANSACTIONS = 6
PER_TRANSACTION = 5


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("ledger_settings")
def test_concurrent_writers_get_one_order_without_gaps():
    if connection.vendor != "postgresql":
        pytest.skip("concurrency is proven on PostgreSQL (CI runs it with DATABASE_URL)")
    barrier = threading.Barrier(WRITERS)
    errors: list[BaseException] = []

    def writer(number: int) -> None:
        from django.db import connection as own_connection

        try:
            barrier.wait()
            for _ in range(TRANSACTIONS):
                with transaction.atomic():  # integration runs after each commit, in-thread
                    for _ in range(PER_TRANSACTION):
                        actions.record(code=CODE, actor=Actor.system(f"writer {number}"))
        except BaseException as error:
            errors.append(error)
        finally:
            own_connection.close()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    total = WRITERS * TRANSACTIONS * PER_TRANSACTION
    assert Entry.objects.count() == total
    # Each writer's own after-commit integration put its entries in the tree (so its
    # receipts exist at once): nothing is left for the sweep.
    assert Leaf.objects.count() == total
    assert actions.integrate() == 0
    leaves = list(Leaf.objects.order_by("index").values_list("index", "entry_id"))
    assert [index for index, _ in leaves] == list(range(total))
    assert len({entry_id for _, entry_id in leaves}) == total
    public = dict(Entry.objects.values_list("id", "public_json"))
    reference = ref_mth([public[entry_id].encode() for _, entry_id in leaves])
    state = LedgerState.objects.get()
    assert (state.size, bytes(state.root_hash)) == (total, reference)
    assert verify.leaf_hash(public[leaves[0][1]].encode()) == bytes(
        Leaf.objects.get(index=0).leaf_hash
    )
    assert audit().ok

"""Recording: one writer, in the action's transaction; public part without personal data;
integration into the tree; receipts that the offline verifier accepts."""

from __future__ import annotations

import json

import pytest
from django.db import transaction
from django.test.utils import CaptureQueriesContext

import microcourt_verify as verify
from microcourt.core.actor import Actor
from microcourt.ledger import actions, events, keys, merkle, selectors
from microcourt.ledger.models import Checkpoint, Entry, Leaf, LedgerState, Node
from microcourt.ledger.store import DatabaseNodeStore
from microcourt.ledger.tests.fixtures import CODE, LOG_ORIGIN, record_many
from microcourt.ledger.tests.test_merkle import ref_mth

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("ledger_settings")]

EVIDENCE = "借款合同（扫描件）".encode() * 100


def test_a_citizens_entry_is_proven_by_a_signed_checkpoint(plaintiff_zhang):
    """张三 uploads a contract; the entry's receipt verifies offline against the log's key."""
    digest = actions.digest_of(EVIDENCE)
    with transaction.atomic():
        record_many(4)
        entry = actions.record(
            code=CODE, actor=Actor.citizen(plaintiff_zhang), subject_digest=digest, case_id=77
        )
        record_many(6)
    assert actions.integrate() == 11
    receipt = selectors.receipt(entry)
    assert set(receipt) == {"leaf", "index", "inclusion", "checkpoint", "key"}
    assert receipt["index"] == 4
    assert receipt["key"] == keys.vkey()
    result = verify.verify_receipt(receipt, file_bytes=EVIDENCE, trusted_key=keys.vkey())
    assert (result.index, result.tree_size, result.origin) == (4, 11, LOG_ORIGIN)
    assert result.subject_digest == digest
    # The checkpoint is stored, signed and kept.
    assert Checkpoint.objects.get(tree_size=11).note == receipt["checkpoint"]


def test_the_public_part_carries_no_personal_data(plaintiff_zhang):
    """Name, username, phone number, user id and case id never reach the tree."""
    with transaction.atomic():
        entry = actions.record(
            code=CODE,
            actor=Actor.citizen(plaintiff_zhang),
            case_id=4242,
            data={"phone": plaintiff_zhang.phone, "name": plaintiff_zhang.display_name},
        )
    actions.integrate()
    leaf_bytes = entry.public_json.encode("utf-8")
    assert verify.leaf_hash(leaf_bytes) == bytes(Leaf.objects.get(entry=entry).leaf_hash)
    public = json.loads(leaf_bytes)
    assert set(public) == {"v", "code", "time", "subject_digest", "case", "role"}
    assert public["role"] == "citizen"
    assert public["case"] == keys.case_ref(4242) and len(public["case"]) == 16
    for secret in (
        plaintiff_zhang.phone,
        "13811112222",
        plaintiff_zhang.display_name,
        plaintiff_zhang.username,
        f'"{plaintiff_zhang.pk}"',
        "4242",
    ):
        assert secret.encode() not in leaf_bytes, secret
    # "v" and "code" are the only numbers; no other field holds the user's id.
    others = [public[name] for name in ("time", "subject_digest", "case", "role")]
    assert plaintiff_zhang.pk not in others and str(plaintiff_zhang.pk) not in others
    # The private part keeps who and which case.
    assert (entry.actor_user_id, entry.case_id) == (plaintiff_zhang.pk, 4242)
    assert entry.details["phone"] == plaintiff_zhang.phone


def test_the_public_time_is_utc_to_the_second_and_the_json_canonical():
    (entry,) = record_many(1)
    public = json.loads(entry.public_json)
    assert public["time"].endswith("Z") and len(public["time"]) == 20
    assert verify.canonical_json(public).decode() == entry.public_json


def test_record_refuses_to_run_outside_a_transaction(monkeypatch):
    class NotAtomic:
        in_atomic_block = False

    monkeypatch.setattr(transaction, "get_connection", lambda using=None: NotAtomic())
    with pytest.raises(RuntimeError, match="inside the action's transaction"):
        actions.record(code=CODE, actor=Actor.system("test"))


def test_record_refuses_an_undeclared_code_and_a_malformed_digest():
    with transaction.atomic():
        with pytest.raises(ValueError, match="not declared"):
            actions.record(code=9999, actor=Actor.system("test"))
        with pytest.raises(ValueError, match="subject digest"):
            actions.record(code=CODE, actor=Actor.system("test"), subject_digest="md5:abc")
    assert not Entry.objects.exists()


def test_an_entry_rolls_back_with_its_action():
    with pytest.raises(ZeroDivisionError), transaction.atomic():
        record_many(3)
        1 / 0  # noqa: B018 — the action fails after recording
    assert not Entry.objects.exists()


def test_after_commit_the_entry_is_integrated_and_checkpointed_in_process(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        record_many(5)
    assert len(callbacks) == 1  # one integration per transaction, however many entries
    assert Leaf.objects.count() == 5
    assert LedgerState.objects.get().size == 5
    assert Checkpoint.objects.filter(tree_size=5).exists()


def test_one_integration_per_transaction_and_savepoint_rollbacks_are_safe(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        record_many(2)  # each call is its own savepoint, as nested actions are
        with pytest.raises(ZeroDivisionError), transaction.atomic():
            record_many(1)
            1 / 0  # noqa: B018
        kept = record_many(1)[0]
    assert len(callbacks) == 1
    assert Entry.objects.count() == 3  # the rolled-back entry is gone
    assert Leaf.objects.get(entry=kept).index == 2
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(ZeroDivisionError), transaction.atomic():
            record_many(1)
            1 / 0  # noqa: B018
        survivor = record_many(1)[0]  # the first callback went with its savepoint
    assert len(callbacks) == 1
    assert Leaf.objects.get(entry=survivor).index == 3


def test_integration_assigns_indices_without_gaps_and_tracks_the_root():
    hashes = []
    for batch in (1, 6, 3, 16, 1):
        for entry in record_many(batch):
            hashes.append(verify.leaf_hash(entry.public_json.encode()))
        actions.integrate(max_batch=4)
    assert list(Leaf.objects.order_by("index").values_list("index", flat=True)) == list(range(27))
    state = LedgerState.objects.get()
    assert state.size == 27
    # The stored nodes are exactly the complete subtrees of the RFC 9162 tree.
    nodes = {(n.level, n.index): bytes(n.hash) for n in Node.objects.all()}
    expected: dict = {}
    for index, hashed in enumerate(hashes):
        expected.update(merkle.nodes_to_append(index, hashed, expected.__getitem__))
    assert nodes == expected
    assert bytes(state.root_hash) == merkle.root_hash(merkle.InMemoryNodeStore(expected), 27)


def test_the_tree_matches_the_rfc_reference_over_leaf_bytes():
    entries = record_many(9)
    actions.integrate()
    leaves = [e.public_json.encode() for e in entries]
    assert bytes(LedgerState.objects.get().root_hash) == ref_mth(leaves)


def test_a_proof_reads_the_nodes_in_one_query(django_assert_num_queries):
    record_many(37)
    actions.integrate()
    store = DatabaseNodeStore()
    with django_assert_num_queries(1):
        merkle.inclusion_proof(store, 21, 37)
    with django_assert_num_queries(1):
        merkle.consistency_proof(store, 13, 37)
    with django_assert_num_queries(1):
        merkle.root_hash(store, 37)


def test_a_late_committing_entry_is_not_lost():
    """An entry with a smaller id that commits after larger ones were integrated is still
    integrated: by its own after-commit integration, which names its ids, or by the sweep."""
    early, late, later = (record_many(1)[0] for _ in range(3))
    # The cursor is past `early`, as if it committed after a neighbour was integrated.
    LedgerState.objects.create(pk=1, root_hash=verify.EMPTY_ROOT, last_entry_id=early.pk)
    assert actions.integrate(entry_ids=[late.pk]) == 2  # `late`, and `later` above the cursor
    assert not Leaf.objects.filter(entry=early).exists()
    assert actions.integrate(entry_ids=[early.pk]) == 1
    assert [Leaf.objects.get(entry=e).index for e in (late, later, early)] == [0, 1, 2]


def test_the_sweep_finds_what_after_commit_integration_missed():
    early, late = (record_many(1)[0] for _ in range(2))
    LedgerState.objects.create(pk=1, root_hash=verify.EMPTY_ROOT, last_entry_id=early.pk)
    actions.integrate(entry_ids=[late.pk])
    assert actions.integrate() == 1  # the periodic sweep looks above the floor, not the cursor
    assert Leaf.objects.get(entry=early).index == 1


def test_the_sweep_floor_advances_only_past_old_entries(monkeypatch):
    import datetime as dt

    entries = record_many(3)
    actions.integrate()
    assert LedgerState.objects.get().entry_floor == 0  # too recent to be sure of
    monkeypatch.setattr(actions, "FLOOR_GRACE", dt.timedelta(seconds=-60))
    actions.integrate()
    assert LedgerState.objects.get().entry_floor == entries[-1].pk


def test_a_receipt_for_an_entry_not_yet_integrated_integrates_and_signs_on_demand():
    (entry,) = record_many(1)
    assert not Checkpoint.objects.exists()
    receipt = selectors.receipt(entry)
    verify.verify_receipt(receipt, trusted_key=keys.vkey())
    assert Checkpoint.objects.get().tree_size == 1


def test_checkpoints_are_made_at_most_once_a_second_and_on_demand():
    record_many(2)
    actions.integrate()
    first = actions.checkpoint_maybe()
    assert first.tree_size == 2
    record_many(1)
    actions.integrate()
    assert actions.checkpoint_maybe() == first  # younger than a second: not yet
    import datetime as dt

    assert actions.checkpoint_maybe(interval=dt.timedelta(0)).tree_size == 3
    # Any earlier size can be signed on demand, and is kept.
    old = actions.checkpoint_for_size(1)
    assert verify.verify_checkpoint(old.note, keys.vkey()).root_hash == bytes(old.root_hash)
    assert set(Checkpoint.objects.values_list("tree_size", flat=True)) == {1, 2, 3}


def test_the_case_reference_is_stable_and_keyed(settings):
    first = keys.case_ref(7)
    assert first == keys.case_ref(7) != keys.case_ref(8)
    settings.LEDGER_CASE_KEY = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="
    assert keys.case_ref(7) != first  # unlinkable without the key


# --- The code registry ------------------------------------------------------------------------


def test_every_installed_apps_codes_are_unique_and_inside_their_blocks():
    registry = events.discover()
    codes = {event.code: event for event in registry}
    assert {2001, 3001, 3002, 9001} <= set(codes)
    for event in registry:
        assert event.code in events.BLOCKS[event.app]


def test_a_code_outside_its_block_or_used_twice_is_refused():
    from django.db import models

    class Stray(models.IntegerChoices):
        OUTSIDE = 1500, "outside"

    class Twice(models.IntegerChoices):
        AGAIN = 9001, "again"

    registry = events.Registry()
    with pytest.raises(events.RegistryError, match="outside its block"):
        registry.declare("ledger", Stray)
    registry.declare("ledger", events.LedgerEvent)
    with pytest.raises(events.RegistryError, match="declared twice"):
        registry.declare("ledger", Twice)
    with pytest.raises(events.RegistryError, match="no block"):
        registry.declare("nowhere", Stray)


def test_the_system_check_reports_a_bad_registry(monkeypatch):
    from microcourt.ledger import checks

    assert checks.ledger_codes() == []

    def broken():
        raise events.RegistryError("code 1 is declared twice")

    monkeypatch.setattr(events, "discover", broken)
    (error,) = checks.ledger_codes()
    assert error.id == "ledger.E001"


def test_the_proof_query_count_does_not_grow_with_the_tree():
    from django.db import connection

    record_many(300)
    actions.integrate()
    store = DatabaseNodeStore()
    with CaptureQueriesContext(connection) as small:
        merkle.inclusion_proof(store, 3, 5)
    with CaptureQueriesContext(connection) as large:
        merkle.inclusion_proof(store, 201, 300)
    assert len(small) == len(large) == 1

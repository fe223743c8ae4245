"""The audit recomputes everything and names the first divergence; an operator who edits the
database behind the application (raw SQL, trigger disabled) is caught, down to one bit."""

from __future__ import annotations

import logging

import pytest
from django.core.management import call_command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from microcourt.core.actor import Actor
from microcourt.ledger import actions, selectors, tasks
from microcourt.ledger.audit import audit
from microcourt.ledger.models import Checkpoint, Entry, Leaf, Node
from microcourt.ledger.tests.fixtures import flip_bit, record_many, tamper

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("ledger_settings")]

SIZE = 13


@pytest.fixture
def ledger():
    record_many(6)
    actions.integrate()
    selectors.checkpoint(6)
    entries = record_many(SIZE - 6, digest="sha256:" + "ab" * 32, case_id=3)
    actions.integrate()
    selectors.checkpoint(SIZE)
    return entries


def test_an_untouched_ledger_audits_clean(ledger, capsys):
    result = audit()
    assert result.ok, result.divergence
    assert (result.entries, result.checkpoints, result.pending) == (SIZE, 2, 0)
    call_command("ledger", "audit")
    assert capsys.readouterr().out.strip() == f"OK {SIZE} entries"


def _leaf_hash(index: int) -> bytes:
    return bytes(Leaf.objects.get(index=index).leaf_hash)


def test_a_flipped_bit_in_a_stored_leaf_hash_is_named(ledger, capsys):
    flipped = flip_bit(_leaf_hash(4), 77)
    tamper('UPDATE ledger_leaf SET leaf_hash = %s WHERE "index" = 4', [flipped], "ledger_leaf")
    result = audit()
    assert (result.divergence.table, result.divergence.where) == ("Leaf", "index 4")
    assert result.divergence.stored == flipped.hex()
    with pytest.raises(SystemExit) as exit_:
        call_command("ledger", "audit")
    assert exit_.value.code == 1
    assert "DIVERGENCE in Leaf at index 4" in capsys.readouterr().out


def test_a_flipped_bit_in_a_stored_node_is_named(ledger):
    node = Node.objects.get(level=2, index=1)
    flipped = flip_bit(bytes(node.hash), 200)
    tamper(
        'UPDATE ledger_node SET hash = %s WHERE level = 2 AND "index" = 1', [flipped], "ledger_node"
    )
    divergence = audit().divergence
    assert (divergence.table, divergence.where) == ("Node", "level 2 index 1")
    assert divergence.expected == bytes(node.hash).hex()


def test_a_flipped_bit_in_a_level_0_node_is_named(ledger):
    flipped = flip_bit(_leaf_hash(9), 0)
    tamper(
        'UPDATE ledger_node SET hash = %s WHERE level = 0 AND "index" = 9', [flipped], "ledger_node"
    )
    assert audit().divergence.where == "level 0 index 9"


def test_a_flipped_bit_in_an_entrys_public_json_is_named(ledger):
    entry = Entry.objects.get(leaf__index=7)
    raw = bytearray(entry.public_json.encode())
    position = raw.index(b'"role":"') + len('"role":"')
    raw[position] ^= 0x01  # "system" becomes "rystem"
    tamper(
        "UPDATE ledger_entry SET public_json = %s WHERE id = %s",
        [raw.decode(), entry.pk],
        "ledger_entry",
    )
    divergence = audit().divergence
    assert divergence.table == "Entry"
    assert divergence.where == f"id {entry.pk} (leaf index 7)"


def test_a_changed_column_of_an_entry_is_named(ledger):
    entry = Entry.objects.get(leaf__index=2)
    tamper("UPDATE ledger_entry SET code = 2001 WHERE id = %s", [entry.pk], "ledger_entry")
    divergence = audit().divergence
    assert divergence.table == "Entry" and "columns" in divergence.reason


def test_a_flipped_bit_in_a_checkpoint_root_is_named(ledger):
    checkpoint = Checkpoint.objects.get(tree_size=6)
    tamper(
        "UPDATE ledger_checkpoint SET root_hash = %s WHERE tree_size = 6",
        [flip_bit(bytes(checkpoint.root_hash), 3)],
        "ledger_checkpoint",
    )
    divergence = audit().divergence
    assert (divergence.table, divergence.where) == ("Checkpoint", "tree_size 6")


def test_a_checkpoint_note_with_a_forged_root_fails_its_signature(ledger):
    checkpoint = Checkpoint.objects.get(tree_size=SIZE)
    lines = checkpoint.note.split("\n")
    lines[2] = "A" + lines[2][1:] if lines[2][0] != "A" else "B" + lines[2][1:]
    tamper(
        "UPDATE ledger_checkpoint SET note = %s WHERE tree_size = %s",
        ["\n".join(lines), SIZE],
        "ledger_checkpoint",
    )
    divergence = audit().divergence
    assert divergence.table == "Checkpoint" and "does not verify" in divergence.reason


def test_a_deleted_leaf_is_a_gap(ledger):
    tamper('DELETE FROM ledger_leaf WHERE "index" = 5', [], "ledger_leaf")
    divergence = audit().divergence
    assert (divergence.table, divergence.where) == ("Leaf", "index 5")
    assert "gap" in divergence.reason


def test_a_removed_last_leaf_contradicts_the_signed_checkpoint(ledger):
    tamper('DELETE FROM ledger_node WHERE level = 0 AND "index" = 12', [], "ledger_node")
    tamper('DELETE FROM ledger_leaf WHERE "index" = 12', [], "ledger_leaf")
    divergence = audit().divergence
    assert (divergence.table, divergence.where) == ("Checkpoint", f"tree_size {SIZE}")


def test_a_wrong_state_root_is_named(ledger):
    from microcourt.ledger.models import LedgerState

    state = LedgerState.objects.get()
    LedgerState.objects.filter(pk=1).update(root_hash=flip_bit(bytes(state.root_hash), 9))
    assert audit().divergence.table == "LedgerState"


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(data=st.data())
def test_any_single_bit_flip_in_any_stored_hash_is_caught(ledger, data):
    """Hypothesis picks a table, a row and a bit; the audit must name that row."""
    from django.db import transaction

    table = data.draw(st.sampled_from(["leaf", "node", "checkpoint"]), label="table")
    bit = data.draw(st.integers(0, 255), label="bit")
    with transaction.atomic():
        if table == "leaf":
            index = data.draw(st.integers(0, SIZE - 1), label="index")
            tamper(
                'UPDATE ledger_leaf SET leaf_hash = %s WHERE "index" = %s',
                [flip_bit(_leaf_hash(index), bit), index],
                "ledger_leaf",
            )
            where = f"index {index}"
        elif table == "node":
            keys = sorted(Node.objects.values_list("level", "index"))
            level, index = data.draw(st.sampled_from(keys), label="node")
            stored = bytes(Node.objects.get(level=level, index=index).hash)
            tamper(
                'UPDATE ledger_node SET hash = %s WHERE level = %s AND "index" = %s',
                [flip_bit(stored, bit), level, index],
                "ledger_node",
            )
            where = f"level {level} index {index}"
        else:
            size = data.draw(st.sampled_from([6, SIZE]), label="tree_size")
            stored = bytes(Checkpoint.objects.get(tree_size=size).root_hash)
            tamper(
                "UPDATE ledger_checkpoint SET root_hash = %s WHERE tree_size = %s",
                [flip_bit(stored, bit), size],
                "ledger_checkpoint",
            )
            where = f"tree_size {size}"
        divergence = audit().divergence
        assert divergence is not None and divergence.where == where
        transaction.set_rollback(True)


def test_the_hourly_audit_alerts_superusers_and_court_administrators(
    ledger, caplog, court_haishu, mailoutbox, django_capture_on_commit_callbacks
):
    from microcourt.courts.tests.factories import StaffFactory
    from microcourt.identity.tests.factories import UserFactory
    from microcourt.notifications.models import Notification

    root = UserFactory(username="root", is_superuser=True, email="root@court.test")
    admin = StaffFactory(court=court_haishu, role="court_admin", user__email="admin@court.test")
    judge = StaffFactory(court=court_haishu, role="judge")
    assert tasks.ledger_audit.call() == f"OK {SIZE} entries"
    assert not Notification.objects.exists()

    tamper(
        'UPDATE ledger_leaf SET leaf_hash = %s WHERE "index" = 3',
        [flip_bit(_leaf_hash(3), 1)],
        "ledger_leaf",
    )
    with caplog.at_level(logging.ERROR), django_capture_on_commit_callbacks(execute=True):
        outcome = tasks.ledger_audit.call()
    assert outcome.startswith("DIVERGENCE in Leaf at index 3")
    assert "ledger audit failed" in caplog.text
    alerted = Notification.objects.values_list("recipient_id", "channel")
    assert set(alerted) == {
        (root.pk, "inapp"),
        (root.pk, "email"),
        (admin.user_id, "inapp"),
        (admin.user_id, "email"),
    }
    assert judge.user_id not in {recipient for recipient, _ in alerted}
    from microcourt.notifications.actions import notification_deliver

    for row in Notification.objects.filter(channel="email"):
        notification_deliver(notification_id=row.pk)
    assert {message.to[0] for message in mailoutbox} == {"root@court.test", "admin@court.test"}
    # The next hour's run does not repeat the same alert the same day.
    tasks.ledger_audit.call()
    assert Notification.objects.count() == 4


def test_the_periodic_jobs_are_declared():
    import datetime as dt

    from microcourt.core import periodic

    jobs = periodic.jobs()
    sweep = jobs["microcourt.ledger.tasks.ledger_sweep"].every
    assert sweep == dt.timedelta(seconds=5)  # each heartbeat
    assert jobs["microcourt.ledger.tasks.ledger_audit"].every == dt.timedelta(hours=1)


def test_the_sweep_integrates_and_checkpoints():
    record_many(3, actor=Actor.system("test"))
    assert tasks.ledger_sweep.call() == 3
    assert Checkpoint.objects.get().tree_size == 3

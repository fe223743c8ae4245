"""The witness's rules, with the log served in-process (the two-process story is in
tests/test_ledger_witness.py): it cosigns only what extends what it has seen."""

from __future__ import annotations

import json

import pytest
from django.test import Client

import microcourt_verify as verify
from microcourt.ledger import actions, keys, notes
from microcourt.ledger.models import Cosignature
from microcourt.ledger.tests.fixtures import (
    WITNESS_NAME,
    record_many,
    witness_key,
    witness_vkey,
)
from microcourt.ledger.witness import Seen, Witness, WitnessError, WitnessRefusal

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("ledger_settings")]

BASE = "http://court.test"


class ClientHttp:
    """The witness's HTTP, answered by Django's test client; ``rewrite`` lets a test play a
    lying log."""

    def __init__(self) -> None:
        self.client = Client()
        self.rewrite: dict[str, str] = {}

    def get(self, url: str) -> str:
        path = url.removeprefix(BASE)
        for prefix, body in self.rewrite.items():
            if path.startswith(prefix):
                return body
        response = self.client.get(path)
        if response.status_code != 200:
            raise WitnessError(f"{path} answered {response.status_code}")
        return response.content.decode()

    def post_json(self, url: str, body: dict) -> dict:
        response = self.client.post(url.removeprefix(BASE), body, content_type="application/json")
        if response.status_code >= 300:
            raise WitnessError(f"{url} answered {response.status_code}: {response.content!r}")
        return response.json()


@pytest.fixture
def http():
    return ClientHttp()


@pytest.fixture
def witness(http, tmp_path):
    return Witness(
        log=BASE,
        name=WITNESS_NAME,
        key=witness_key(),
        state_file=tmp_path / "state.json",
        http=http,
        clock=lambda: 1_750_000_000,
    )


def grow(count: int) -> None:
    record_many(count)
    actions.integrate()
    actions.checkpoint_maybe(interval=actions.dt.timedelta(0))


def test_the_witness_cosigns_a_growing_log(witness, http):
    grow(3)
    assert witness.run_once() == "cosigned court.test/ledger at tree size 3"
    grow(5)
    assert witness.run_once() == "cosigned court.test/ledger at tree size 8"
    served = http.get(f"{BASE}/api/v1/ledger/checkpoint")
    assert verify.verify_cosignature(served, witness_vkey()) == 1_750_000_000
    assert Cosignature.objects.count() == 2
    seen = json.loads(witness.state_file.read_text())
    assert seen["size"] == 8 and seen["log_key"] == keys.vkey()
    assert witness.vkey == witness_vkey()


def test_the_same_checkpoint_twice_is_fine(witness):
    grow(2)
    witness.run_once()
    witness.run_once()
    assert Cosignature.objects.count() == 1


def test_a_smaller_tree_than_seen_is_refused(witness, http):
    grow(4)
    small = http.get(f"{BASE}/api/v1/ledger/checkpoint?tree_size=2")
    grow(2)
    witness.run_once()
    http.rewrite["/api/v1/ledger/checkpoint"] = small
    with pytest.raises(WitnessRefusal, match="smaller than size 6"):
        witness.run_once()


def test_a_fork_at_the_same_size_is_refused(witness, http):
    grow(4)
    witness.run_once()
    forged_root = bytes(32)
    text = notes.checkpoint_text(keys.origin(), 4, forged_root)
    http.rewrite["/api/v1/ledger/checkpoint"] = notes.sign_note(
        text, keys.origin(), keys.signing_key()
    )
    with pytest.raises(WitnessRefusal, match="forked"):
        witness.run_once()


def test_a_rewritten_history_is_refused(witness, http):
    """The log signs a bigger tree that does not extend the old one: no consistency proof
    can bridge them, so the witness refuses and remembers nothing new."""
    grow(3)
    witness.run_once()
    text = notes.checkpoint_text(keys.origin(), 9, bytes(range(32)))
    http.rewrite["/api/v1/ledger/checkpoint"] = notes.sign_note(
        text, keys.origin(), keys.signing_key()
    )
    grow(6)
    with pytest.raises(WitnessRefusal, match="not consistent with size 3"):
        witness.run_once()
    assert Seen.load(witness.state_file).size == 3


def test_a_checkpoint_signed_by_another_key_is_refused(witness, http):
    grow(2)
    impostor = notes.generate_signing_key()
    text = notes.checkpoint_text(keys.origin(), 2, bytes(32))
    http.rewrite["/api/v1/ledger/checkpoint"] = notes.sign_note(text, keys.origin(), impostor)
    with pytest.raises(WitnessRefusal, match="does not verify"):
        witness.run_once()
    assert not witness.state_file.exists()


def test_a_pinned_key_that_is_not_the_logs_is_refused(http, tmp_path):
    grow(2)
    forged = notes.vkey_for(keys.origin(), notes.generate_signing_key())
    witness = Witness(
        log=BASE,
        name=WITNESS_NAME,
        key=witness_key(),
        state_file=tmp_path / "s.json",
        log_key=forged,
        http=http,
    )
    with pytest.raises(WitnessRefusal, match="does not verify"):
        witness.run_once()
    assert not Cosignature.objects.exists()


def test_a_changed_log_key_is_refused(witness, http, settings):
    grow(2)
    witness.run_once()
    settings.LEDGER_KEY = notes.private_key_to_base64(notes.generate_signing_key())
    with pytest.raises(WitnessRefusal, match="does not follow a key change"):
        witness.run_once()

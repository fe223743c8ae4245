"""A lawyer's story: 张三 records a contract, downloads the receipt from its page, and a lawyer
checks it with microcourt_verify.py in a separate process, offline, with the court's key."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import transaction

from microcourt.core.actor import Actor
from microcourt.ledger import actions
from microcourt.ledger.tests.fixtures import CODE, ledger_settings, record_many  # noqa: F401

VERIFIER = Path(__file__).resolve().parent.parent / "microcourt_verify.py"
CONTRACT = "房屋租赁合同\n出租方：……\n承租方：……\n月租金人民币叁仟元整。\n".encode() * 200

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("ledger_settings")]


def run(*args: object) -> subprocess.CompletedProcess[str]:
    # A bare interpreter: the verifier needs nothing from the project.
    return subprocess.run(
        [sys.executable, "-I", str(VERIFIER), *map(str, args)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.fixture
def downloaded(client, plaintiff_zhang, tmp_path):
    record_many(6)
    with transaction.atomic():
        actions.record(
            code=CODE,
            actor=Actor.citizen(plaintiff_zhang),
            subject_digest=actions.digest_of(CONTRACT),
            case_id=31,
        )
    record_many(4)
    actions.integrate()
    receipt = client.get("/ledger/receipts/6.json")
    assert receipt.status_code == 200
    (tmp_path / "receipt.json").write_bytes(receipt.content)
    (tmp_path / "contract.pdf").write_bytes(CONTRACT)
    key = client.get("/api/v1/ledger/key").content.decode()
    return tmp_path, key


def test_the_receipt_verifies_offline_with_the_file_and_the_courts_key(downloaded):
    folder, key = downloaded
    result = run(
        "receipt", folder / "receipt.json", "--file", folder / "contract.pdf", "--key", key
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith("VALID: entry 6 is recorded in ledger court.test/ledger")
    assert "contract.pdf matches sha256:" in result.stdout


def test_a_different_file_is_rejected(downloaded):
    folder, key = downloaded
    (folder / "other.pdf").write_bytes(CONTRACT.replace("叁仟".encode(), "叁万".encode()))
    result = run("receipt", folder / "receipt.json", "--file", folder / "other.pdf", "--key", key)
    assert result.returncode == 1
    assert result.stdout.startswith("INVALID: the file does not match the receipt")


def test_an_edited_receipt_is_rejected(downloaded):
    folder, key = downloaded
    receipt = json.loads((folder / "receipt.json").read_text())
    receipt["leaf"]["role"] = "judge"
    (folder / "receipt.json").write_text(json.dumps(receipt))
    result = run("receipt", folder / "receipt.json", "--key", key)
    assert result.returncode == 1
    assert "does not lead to the signed root" in result.stdout


def test_two_checkpoints_are_consistent(client, downloaded):
    folder, key = downloaded
    record_many(5)
    actions.integrate()
    (folder / "old.txt").write_bytes(client.get("/api/v1/ledger/checkpoint?tree_size=11").content)
    (folder / "new.txt").write_bytes(client.get("/api/v1/ledger/checkpoint?tree_size=16").content)
    proof = client.get("/api/v1/ledger/proof/consistency?first=11&second=16").content
    (folder / "proof.json").write_bytes(proof)
    result = run(
        "consistency",
        folder / "old.txt",
        folder / "new.txt",
        "--proof",
        folder / "proof.json",
        "--key",
        key,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "at size 16 extends its state at size 11" in result.stdout

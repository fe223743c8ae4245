"""The standalone verifier: canonical JSON, receipts, and the command line in a subprocess."""

from __future__ import annotations

import base64
import hashlib
import json
import struct
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import rfc8785
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given, settings
from hypothesis import strategies as st

import microcourt_verify as verify
from microcourt.ledger import merkle, notes

VERIFIER = Path(verify.__file__).resolve()

# --- RFC 8785 canonical JSON --------------------------------------------------------------------

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**53) + 1, 2**53 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda children: (
        st.lists(children, max_size=5) | st.dictionaries(st.text(), children, max_size=5)
    ),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(json_values)
def test_canonical_json_equals_the_rfc8785_package(value: Any) -> None:
    assert verify.canonical_json(value) == rfc8785.dumps(value)


@settings(max_examples=200, deadline=None)
@given(st.floats(allow_nan=False, allow_infinity=False))
def test_canonical_numbers_equal_the_rfc8785_package_and_round_trip(number: float) -> None:
    text = verify.canonical_json(number)
    assert text == rfc8785.dumps(number)
    assert float(text) == number


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.text(st.characters(codec="utf-8"), max_size=4), st.none(), max_size=8))
def test_keys_sort_by_utf16_code_units(value: dict[str, None]) -> None:
    assert verify.canonical_json(value) == rfc8785.dumps(value)


# RFC 8785 Appendix B: IEEE 754 bit patterns and their required text.
RFC8785_NUMBERS = [
    ("0000000000000000", "0"),
    ("8000000000000000", "0"),
    ("0000000000000001", "5e-324"),
    ("8000000000000001", "-5e-324"),
    ("7fefffffffffffff", "1.7976931348623157e+308"),
    ("ffefffffffffffff", "-1.7976931348623157e+308"),
    ("4340000000000000", "9007199254740992"),
    ("c340000000000000", "-9007199254740992"),
    ("4430000000000000", "295147905179352830000"),
    ("44b52d02c7e14af5", "9.999999999999997e+22"),
    ("44b52d02c7e14af6", "1e+23"),
    ("44b52d02c7e14af7", "1.0000000000000001e+23"),
    ("444b1ae4d6e2ef4e", "999999999999999700000"),
    ("444b1ae4d6e2ef4f", "999999999999999900000"),
    ("444b1ae4d6e2ef50", "1e+21"),
    ("3eb0c6f7a0b5ed8c", "9.999999999999997e-7"),
    ("3eb0c6f7a0b5ed8d", "0.000001"),
    ("41b3de4355555553", "333333333.3333332"),
    ("41b3de4355555554", "333333333.33333325"),
    ("41b3de4355555555", "333333333.3333333"),
    ("41b3de4355555556", "333333333.3333334"),
    ("41b3de4355555557", "333333333.33333343"),
    ("becbf647612f3696", "-0.0000033333333333333333"),
    ("43143ff3c1cb0959", "1424953923781206.2"),
]


@pytest.mark.parametrize(("bits", "expected"), RFC8785_NUMBERS)
def test_rfc8785_appendix_b_numbers(bits: str, expected: str) -> None:
    (number,) = struct.unpack(">d", bytes.fromhex(bits))
    assert verify.canonical_json(number) == expected.encode()


# github.com/cyberphone/json-canonicalization, testdata/input and testdata/output (the RFC's
# reference implementation's test data).
CYBERPHONE = [
    (
        '{"numbers": [1E30, 4.50, 333333333.33333329, 2e-3, 0.000000000000000000000000001],'
        ' "escaping": "\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/",'
        ' "literals": [null, true, false]}',
        '{"escaping":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/","literals":[null,true,false],'
        '"numbers":[1e+30,4.5,333333333.3333333,0.002,1e-27]}',
    ),
    (
        '{"\\u20ac": "Euro Sign", "1": "One", "\\u0080": "Control\\u007f",'
        ' "\\ud83d\\ude02": "Smiley", "\\u00f6": "Latin Small Letter O With Diaeresis",'
        ' "\\ufb33": "Hebrew Letter Dalet With Dagesh", "</script>": "Browser Challenge"}',
        '{"1":"One","</script>":"Browser Challenge","\u0080":"Control\u007f",'
        '"ö":"Latin Small Letter O With Diaeresis","€":"Euro Sign","😂":"Smiley",'
        '"\ufb33":"Hebrew Letter Dalet With Dagesh"}',
    ),
    (
        '{"peach": "This sorting order", "péché": "is wrong according to French",'
        ' "pêche": "but canonicalization MUST", "sin": "ingnore locale"}',
        '{"peach":"This sorting order","péché":"is wrong according to French",'
        '"pêche":"but canonicalization MUST","sin":"ingnore locale"}',
    ),
]


@pytest.mark.parametrize(("source", "expected"), CYBERPHONE)
def test_cyberphone_reference_vectors(source: str, expected: str) -> None:
    assert verify.canonical_json(json.loads(source)) == expected.encode()


@pytest.mark.parametrize(
    "value",
    [float("nan"), float("inf"), -float("inf"), 2**53, -(2**53), "\ud800", {"\udc00": 1}],
)
def test_values_json_cannot_hold_exactly_are_refused(value: object) -> None:
    with pytest.raises(ValueError):
        verify.canonical_json(value)


@pytest.mark.parametrize("value", [{1: "one"}, {1, 2}, b"bytes", object()])
def test_non_json_values_are_refused(value: object) -> None:
    with pytest.raises(TypeError):
        verify.canonical_json(value)


# --- A small ledger, built with the proving and signing sides -----------------------------------

LOG = "court.example/ledger"
WITNESS = "witness.court-b.example/w1"
EVIDENCE = "借条原件扫描件 — loan note scan\n".encode() * 50


def _public_part(index: int) -> dict[str, Any]:
    return {
        "code": 2001 + index % 7,
        "time": f"2025-03-{1 + index % 28:02d}T08:00:00Z",
        "case": f"c-{index:04d}",
        "actor_role": "原告" if index % 2 else "court",
        "subject_digest": "sha256:" + hashlib.sha256(b"file %d" % index).hexdigest(),
        "amount": 1234.5 + index,
    }


@dataclass
class Ledger:
    key: Ed25519PrivateKey
    witness_key: Ed25519PrivateKey
    store: merkle.InMemoryNodeStore
    leaves: list[dict[str, Any]]

    @property
    def vkey(self) -> str:
        return notes.vkey_for(LOG, self.key)

    @property
    def witness_vkey(self) -> str:
        return notes.vkey_for(WITNESS, self.witness_key, cosigner=True)

    def checkpoint(self, size: int) -> str:
        text = notes.checkpoint_text(LOG, size, merkle.root_hash(self.store, size))
        signed = notes.sign_note(text, LOG, self.key)
        return notes.add_signatures(signed, [notes.cosign(text, WITNESS, self.witness_key, 1)])

    def receipt(self, index: int, size: int) -> dict[str, Any]:
        hashes = merkle.inclusion_proof(self.store, index, size)
        receipt = {
            "leaf": self.leaves[index],
            "index": index,
            "inclusion": {"index": index, "tree_size": size, "hashes": _b64(hashes)},
            "checkpoint": self.checkpoint(size),
            "key": self.vkey,
        }
        # As the API serves it, and a copy each test may change freely.
        return json.loads(json.dumps(receipt))

    def consistency(self, first: int, second: int) -> dict[str, Any]:
        proof = merkle.consistency_proof(self.store, first, second)
        return {"first": first, "second": second, "hashes": _b64(proof)}


def _b64(hashes: list[bytes]) -> list[str]:
    return [base64.b64encode(h).decode() for h in hashes]


@pytest.fixture(scope="module")
def ledger() -> Ledger:
    leaves = [_public_part(i) for i in range(13)]
    leaves[5]["subject_digest"] = "sha256:" + hashlib.sha256(EVIDENCE).hexdigest()
    del leaves[7]["subject_digest"]
    store = merkle.InMemoryNodeStore()
    hashes = [verify.leaf_hash(verify.canonical_json(leaf)) for leaf in leaves]
    store.put_nodes(merkle.append_many(0, hashes[:6], store))
    store.put_nodes(merkle.append_many(6, hashes[6:], store))
    return Ledger(notes.generate_signing_key(), notes.generate_signing_key(), store, leaves)


def test_a_receipt_verifies_with_its_file_key_and_witness(ledger: Ledger) -> None:
    result = verify.verify_receipt(
        ledger.receipt(5, 13),
        file_bytes=EVIDENCE,
        trusted_key=ledger.vkey,
        witnesses=[ledger.witness_vkey],
    )
    assert (result.index, result.tree_size, result.origin) == (5, 13, LOG)
    assert result.root_hash == merkle.root_hash(ledger.store, 13)
    assert result.file_checked
    assert result.cosignatures == {WITNESS: 1}


def _tampered(receipt: dict[str, Any], path: str, value: object) -> dict[str, Any]:
    changed = json.loads(json.dumps(receipt))
    *parents, last = path.split(".")
    target = changed
    for part in parents:
        target = target[part]
    if value is KeyError:
        del target[last]
    else:
        target[last] = value
    return changed


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        ("leaf.code", 9999, "does not lead to the signed root"),
        ("leaf.actor_role", "被告", "does not lead to the signed root"),
        ("leaf.extra", "field", "does not lead to the signed root"),
        ("index", 6, "index differ"),
        ("inclusion.index", 4, "index differ"),
        ("inclusion.tree_size", 12, "is for size 13"),
        ("inclusion.hashes", [], "fewer hashes"),
        ("inclusion.hashes", ["not base64"], "not valid base64"),
        ("inclusion.hashes", ["AAAA"], "32-byte"),
        ("checkpoint", "garbage", "malformed note"),
        ("key", "court.example/ledger+00000000+AQ==", "must be 32 bytes"),
        ("leaf", KeyError, "no 'leaf' field"),
        ("index", "5", "must be an integer"),
        ("index", True, "must be an integer"),
        ("leaf.amount", float("inf"), "not canonical JSON"),
    ],
)
def test_tampered_receipts_are_rejected(
    ledger: Ledger, path: str, value: object, message: str
) -> None:
    receipt = _tampered(ledger.receipt(5, 13), path, value)
    with pytest.raises(verify.VerificationError, match=message):
        verify.verify_receipt(receipt)


def test_a_receipt_signed_by_another_key_is_rejected(ledger: Ledger) -> None:
    receipt = ledger.receipt(5, 13)
    impostor = notes.generate_signing_key()
    text = verify.parse_note(receipt["checkpoint"]).text
    receipt["checkpoint"] = notes.sign_note(text, LOG, impostor)
    with pytest.raises(verify.VerificationError, match="no signature by a trusted key"):
        verify.verify_receipt(receipt)
    receipt["key"] = notes.vkey_for(LOG, impostor)
    verify.verify_receipt(receipt)
    with pytest.raises(verify.VerificationError, match="not the trusted key"):
        verify.verify_receipt(receipt, trusted_key=ledger.vkey)


def test_a_wrong_file_is_rejected(ledger: Ledger) -> None:
    with pytest.raises(verify.VerificationError, match="does not match the receipt"):
        verify.verify_receipt(ledger.receipt(5, 13), file_bytes=EVIDENCE + b"!")
    assert verify.verify_receipt(ledger.receipt(7, 13)).subject_digest is None
    with pytest.raises(verify.VerificationError, match="no subject digest"):
        verify.verify_receipt(ledger.receipt(7, 13), file_bytes=EVIDENCE)


def test_a_missing_cosignature_is_reported(ledger: Ledger) -> None:
    other = notes.vkey_for("witness.elsewhere.example", notes.generate_signing_key(), cosigner=True)
    with pytest.raises(verify.VerificationError, match="no cosignature by witness"):
        verify.verify_receipt(ledger.receipt(5, 13), witnesses=[other])


def test_every_receipt_of_every_size_verifies(ledger: Ledger) -> None:
    for size in range(1, 14):
        for index in range(size):
            verify.verify_receipt(ledger.receipt(index, size), trusted_key=ledger.vkey)


def test_checkpoint_consistency_helper(ledger: Ledger) -> None:
    old = verify.verify_checkpoint(ledger.checkpoint(5), ledger.vkey)
    new = verify.verify_checkpoint(ledger.checkpoint(13), ledger.vkey)
    verify.verify_checkpoint_consistency(old, new, ledger.consistency(5, 13))
    with pytest.raises(verify.VerificationError, match="sizes 5 and 13"):
        verify.verify_checkpoint_consistency(old, new, ledger.consistency(6, 13))
    other = verify.Checkpoint("elsewhere.example/log", 13, new.root_hash)
    with pytest.raises(verify.VerificationError, match="different logs"):
        verify.verify_checkpoint_consistency(old, other, ledger.consistency(5, 13))


# --- The command line, as a lawyer runs it ------------------------------------------------------


def run(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(VERIFIER), *map(str, args)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def _write(path: Path, content: object) -> Path:
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content if isinstance(content, str) else json.dumps(content), "utf-8")
    return path


def test_cli_accepts_a_valid_receipt(ledger: Ledger, tmp_path: Path) -> None:
    receipt = _write(tmp_path / "receipt.json", ledger.receipt(5, 13))
    evidence = _write(tmp_path / "evidence.pdf", EVIDENCE)

    plain = run("receipt", receipt)
    assert plain.returncode == 0, plain.stdout + plain.stderr
    assert plain.stdout.startswith(f"VALID: entry 5 is recorded in ledger {LOG} (tree size 13).")
    assert "warning" in plain.stdout

    full = run("receipt", receipt, "--file", evidence, "--key", ledger.vkey)
    full_with_witness = run(
        "receipt",
        receipt,
        "--file",
        evidence,
        "--key",
        ledger.vkey,
        "--witness",
        ledger.witness_vkey,
    )
    for completed in (full, full_with_witness):
        assert completed.returncode == 0, completed.stdout + completed.stderr
        assert f"{evidence} matches sha256:{hashlib.sha256(EVIDENCE).hexdigest()}" in (
            completed.stdout
        )
        assert "warning" not in completed.stdout
    assert f"witness:    {WITNESS} cosigned at 1970-01-01 00:00:01 UTC" in full_with_witness.stdout


@pytest.mark.parametrize(
    "case", ["wrong file", "tampered leaf", "wrong key", "forged checkpoint", "absent witness"]
)
def test_cli_rejects_an_invalid_receipt(ledger: Ledger, tmp_path: Path, case: str) -> None:
    receipt = ledger.receipt(5, 13)
    args: list[str | Path] = []
    if case == "wrong file":
        args = ["--file", _write(tmp_path / "other.pdf", EVIDENCE[:-1])]
    elif case == "tampered leaf":
        receipt["leaf"]["case"] = "c-9999"
    elif case == "wrong key":
        args = ["--key", notes.vkey_for(LOG, notes.generate_signing_key())]
    elif case == "forged checkpoint":
        receipt["checkpoint"] = receipt["checkpoint"].replace("\n13\n", "\n14\n")
    else:
        witness = notes.vkey_for(WITNESS, notes.generate_signing_key(), cosigner=True)
        args = ["--witness", witness]
    completed = run("receipt", _write(tmp_path / "receipt.json", receipt), *args)
    assert completed.returncode == 1, completed.stdout + completed.stderr
    assert completed.stdout.startswith("INVALID: ")
    assert len(completed.stdout.strip().splitlines()) == 1


@pytest.mark.parametrize(
    "content", ["{not json", b"\xff\xfe", "", None], ids=["garbage", "binary", "empty", "missing"]
)
def test_cli_reports_unreadable_input_as_a_usage_error(
    tmp_path: Path, content: str | bytes | None
) -> None:
    path = tmp_path / "receipt.json"
    if content is not None:
        _write(path, content)
    completed = run("receipt", path)
    assert completed.returncode == 2, completed.stdout + completed.stderr
    assert completed.stderr.startswith("ERROR: ")
    assert completed.stdout == ""


def test_cli_consistency(ledger: Ledger, tmp_path: Path) -> None:
    old = _write(tmp_path / "old.checkpoint", ledger.checkpoint(5))
    new = _write(tmp_path / "new.checkpoint", ledger.checkpoint(13))
    proof = _write(tmp_path / "proof.json", ledger.consistency(5, 13))

    valid = run("consistency", old, new, "--proof", proof, "--key", ledger.vkey)
    assert valid.returncode == 0, valid.stdout + valid.stderr
    assert valid.stdout.startswith(f"VALID: ledger {LOG} at size 13 extends its state at size 5")

    backwards = run("consistency", new, old, "--proof", proof, "--key", ledger.vkey)
    assert backwards.returncode == 1
    assert backwards.stdout.startswith("INVALID: ")

    forged = ledger.consistency(5, 13)
    forged["hashes"][0] = base64.b64encode(bytes(32)).decode()
    bad_proof = _write(tmp_path / "forged.json", forged)
    rewritten = run("consistency", old, new, "--proof", bad_proof, "--key", ledger.vkey)
    assert rewritten.returncode == 1
    assert rewritten.stdout.startswith("INVALID: the consistency proof does not lead to")

    stranger = notes.vkey_for(LOG, notes.generate_signing_key())
    assert run("consistency", old, new, "--proof", proof, "--key", stranger).returncode == 1

    missing = run("consistency", old, tmp_path / "nope", "--proof", proof, "--key", ledger.vkey)
    assert missing.returncode == 2
    assert "cannot read" in missing.stderr


def test_cli_usage_errors(capsys: pytest.CaptureFixture[str]) -> None:
    assert verify.main([]) == 2
    assert verify.main(["consistency", "old", "new"]) == 2
    assert verify.main(["receipt", "--help"]) == 0
    assert "--file" in capsys.readouterr().out

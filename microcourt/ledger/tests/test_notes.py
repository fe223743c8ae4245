"""Signed notes, checkpoints and cosignatures against independent implementations' bytes."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

import microcourt_verify as verify
from microcourt.ledger import notes

# --- golang.org/x/mod/sumdb/note --------------------------------------------------------------
# Copied from github.com/golang/mod, sumdb/note/note.go (package example) and note_test.go
# (TestNewVerifier, TestSign, TestOpen): Go's reference implementation of signed notes.

PETER_VKEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
PETER_SKEY = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
ENOCH_VKEY = "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop"
PETER_TEXT = (
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n"
)
PETER_SIG = (
    "— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngot"
    "pRZb6KE6RyyBwJnAM=\n"
)
ENOCH_SIG = (
    "— EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox3"
    "3WWd1RvMc+QQ=\n"
)
PETER_NOTE = PETER_TEXT + "\n" + PETER_SIG


def _peter_key() -> Ed25519PrivateKey:
    # A Go signer key is PRIVATE+KEY+<name>+<id>+base64(0x01 ‖ Ed25519 seed).
    return notes.private_key_from_seed(base64.b64decode(PETER_SKEY.split("+", 4)[4])[1:])


def test_go_reference_note_verifies() -> None:
    assert verify.verify_note(PETER_NOTE, [verify.parse_vkey(PETER_VKEY)]) == PETER_TEXT


def test_our_signature_is_byte_identical_to_gos() -> None:
    key = _peter_key()
    assert notes.vkey_for("PeterNeumann", key.public_key()) == PETER_VKEY
    assert notes.sign_note(PETER_TEXT, "PeterNeumann", key) == PETER_NOTE


def test_unknown_signatures_are_ignored_and_known_ones_all_checked() -> None:
    peter, enoch = verify.parse_vkey(PETER_VKEY), verify.parse_vkey(ENOCH_VKEY)
    both = PETER_TEXT + "\n" + PETER_SIG + ENOCH_SIG
    assert verify.verify_note(both, [peter]) == PETER_TEXT
    assert verify.verify_note(both, [enoch]) == PETER_TEXT
    assert verify.verify_note(both, [peter, enoch]) == PETER_TEXT
    with pytest.raises(verify.VerificationError, match="no signature by a trusted key"):
        verify.verify_note(both, [])
    with pytest.raises(verify.VerificationError, match="no signature by a trusted key"):
        verify.verify_note(PETER_TEXT + "\n" + ENOCH_SIG, [peter])


def test_a_known_key_with_a_bad_signature_rejects_the_note() -> None:
    corrupt = PETER_SIG[:60] + "ABCD" + PETER_SIG[60:]
    with pytest.raises(verify.VerificationError, match="does not verify"):
        verify.verify_note(PETER_TEXT + "\n" + corrupt, [verify.parse_vkey(PETER_VKEY)])
    changed = PETER_NOTE.replace("problem,", "problem;")
    with pytest.raises(verify.VerificationError, match="altered"):
        verify.verify_note(changed, [verify.parse_vkey(PETER_VKEY)])


@pytest.mark.parametrize(
    "note",
    [
        PETER_TEXT,
        PETER_TEXT + "\n",
        PETER_TEXT + "\n" + PETER_SIG[:-1],
        "\x01" + PETER_TEXT + "\n" + PETER_SIG,
        PETER_TEXT + "\n" + "— Bad Name x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2"
        "pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=",
        PETER_TEXT + "\n" + PETER_SIG + "Unexpected line.\n",
        PETER_TEXT + "\n" + PETER_SIG * 101,
    ],
)
def test_go_malformed_notes_are_rejected(note: str) -> None:
    with pytest.raises(verify.VerificationError, match="malformed note"):
        verify.verify_note(note, [verify.parse_vkey(PETER_VKEY)])


def test_invalid_utf8_is_a_malformed_note() -> None:
    with pytest.raises(verify.VerificationError, match="malformed note"):
        verify.verify_note(b"\xff" + PETER_NOTE.encode(), [verify.parse_vkey(PETER_VKEY)])


def test_every_mangling_of_a_vkey_is_rejected_as_go_does() -> None:
    for start in range(len(PETER_VKEY)):
        for end in range(start + 1, len(PETER_VKEY) + 1):
            if (start, end) != (0, len(PETER_VKEY)):
                with pytest.raises(verify.VerificationError):
                    verify.parse_vkey(PETER_VKEY[start:end])
    for position in range(len(PETER_VKEY)):
        mangled = PETER_VKEY[:position] + chr(ord(PETER_VKEY[position]) + 1)
        with pytest.raises(verify.VerificationError):
            verify.parse_vkey(mangled + PETER_VKEY[position + 1 :])
    # Go's wrong key length and unknown algorithm, each with a matching key ID.
    for vkey in [
        "PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY==",
        "PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
    ]:
        with pytest.raises(verify.VerificationError):
            verify.parse_vkey(vkey)


# --- c2sp.org/signed-note example -------------------------------------------------------------
# The spec's example key and note, as also pinned by florolf/tlog-scales
# (tests/test_signing.py, class TestC2SPSignedNote).

SPEC_VKEY = "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k"
SPEC_NOTE = (
    "This is an example message.\n\n— example.com/foo Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONnc"
    "AlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=\n"
)


def test_c2sp_signed_note_example_verifies() -> None:
    verifier = verify.parse_vkey(SPEC_VKEY)
    assert (verifier.name, verifier.key_id.hex(), verifier.sig_type) == (
        "example.com/foo",
        "530d903a",
        verify.SIG_ED25519,
    )
    assert verifier.public_key.hex() == (
        "e932791ae6e7a840a46164c904786426d5e7821dd8b29a00d61cae72afdd4da4"
    )
    assert verifier.vkey == SPEC_VKEY
    assert verify.verify_note(SPEC_NOTE, [verifier]) == "This is an example message.\n"


# --- Real checkpoints -------------------------------------------------------------------------
# sum.golang.org: from github.com/transparency-dev/formats, log/note_test.go
# (TestSumDBNoteParsing). Its origin differs from its key name, so it is checked with
# verify_note + parse_checkpoint rather than verify_checkpoint, which insists they match.

SUMDB_VKEY = "sum.golang.org+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8"
SUMDB_CHECKPOINT = (
    "go.sum database tree\n6476701\nmb8QLQIs0Z0yP5Cstq6guj87oXWeC9gEM8oVikmm9Wk=\n\n"
    "— sum.golang.org Az3grsLX85Gz+s1SiTbgkuqxgItqFq7gsMUEyVnrsa9LM7Us9S+1xbFIGu95949rj4nPRYfvimWE"
    "PWL+o3GeoWwOoAw=\n"
)

# A transparency.dev static-CT log checkpoint with its RFC 6962 (0x05) and Ed25519 log
# signatures and five witness cosignatures (0x04), from github.com/florolf/tlog-scales,
# tests/test_signing.py (TestCheckpointSigning); the vkeys are the log's and remora.n621.de's,
# the latter also in transparency-dev/formats note/note_cosigv1_test.go.
ARCHE = "arche2025h1.staging.ct.transparency.dev"
ARCHE_VKEY = f"{ARCHE}+ba2f06c0+AU0vHmlGCS/PdN8b2OaGmKprLI8HKM+dJ472xgFYh15f"
REMORA_VKEY = "remora.n621.de+da77ade7+BOvN63jn/bLvkieywe8R6UYAtVtNbZpXh34x7onlmtw2"
ARCHE_CHECKPOINT = f"""{ARCHE}
1432088532
U7WM79jrzyhGZ5/GUBTpM7NzwdyfFx61t3RovgcC4Ro=

— {ARCHE} zTM8sQAAAZ5W0WdjBAMARjBEAiBjW5IQf9pvsYLfQFX6hoGREPMHbdQ3urbllzalApkptQIgIpwtEroeW2BXaHAI4kJXFbon5Ch9MNL5zRNZ55lvGt0=
— {ARCHE} ui8GwCF1+kWqZrxGdhj4aX3gcw7XUlXQQabg/27lefwhUkzbC3NygNI75MdhL1bfTW9g8Ei59RA23oHP7Ry1k3ZFWwQ=
— transparency.dev/DEV:witness-little-garden 2AQqhwAAAABqEiEgzgFIqqhbUoDwjMWE6UP8nd8/KYTzwZ2rhIgcqoXHAwVkjZr4AscylP3v7sEodkRAErumC2q44vdgJY096st5BQ==
— witness1.smartit.nu/witness1 pIyCDwAAAABqEiEghIp82KWebrw7/oHQwlTAm3g2RKS4+eebl8eO0WH+/iEcxZ75W3u5hNI7TOQtmJbqmNWVuE0tgh0XwzdZsDsUAQ==
— remora.n621.de 2net5wAAAABqEiEgPlfF3V06o0Y+fHM+J5J9s27wgxxcOVSpZ/2g/KSiXCg9DEZI+aVCIobWX9sXTynk5XeU/zZ0WBxtqB0DrAWfBw==
— witness.stagemole.eu Z/euoAAAAABqEiEgw0i+7g2ENfDAWHmtRzCfKTHSDwYDJA2NmKeGi9Y8FtEyOUvVr+AJmIY/2TUFucgKi7lI7cUiOvKFYe/TmN9DAg==
"""  # noqa: E501 - published signature lines, kept byte for byte


def test_sum_golang_org_checkpoint_verifies() -> None:
    text = verify.verify_note(SUMDB_CHECKPOINT, [verify.parse_vkey(SUMDB_VKEY)])
    checkpoint = verify.parse_checkpoint(text)
    assert (checkpoint.origin, checkpoint.size) == ("go.sum database tree", 6476701)
    assert checkpoint.root_hash == base64.b64decode("mb8QLQIs0Z0yP5Cstq6guj87oXWeC9gEM8oVikmm9Wk=")


def test_a_real_witnessed_checkpoint_and_its_cosignature_verify() -> None:
    checkpoint = verify.verify_checkpoint(ARCHE_CHECKPOINT, ARCHE_VKEY)
    assert (checkpoint.origin, checkpoint.size) == (ARCHE, 1432088532)
    assert verify.parse_vkey(REMORA_VKEY).sig_type == verify.SIG_COSIGNATURE
    assert verify.verify_cosignature(ARCHE_CHECKPOINT, REMORA_VKEY) == 0x6A122120


def test_a_changed_real_checkpoint_fails_both_signatures() -> None:
    forged = ARCHE_CHECKPOINT.replace("1432088532", "1432088533")
    with pytest.raises(verify.VerificationError, match="altered"):
        verify.verify_checkpoint(forged, ARCHE_VKEY)
    with pytest.raises(verify.VerificationError, match="altered after cosigning"):
        verify.verify_cosignature(forged, REMORA_VKEY)


def test_key_roles_are_not_interchangeable() -> None:
    with pytest.raises(verify.VerificationError, match="witness key, not a log key"):
        verify.verify_checkpoint(ARCHE_CHECKPOINT, REMORA_VKEY)
    with pytest.raises(verify.VerificationError, match="not a witness cosigner key"):
        verify.verify_cosignature(ARCHE_CHECKPOINT, ARCHE_VKEY)


def test_transparency_dev_cosigner_vkeys_parse() -> None:
    # From github.com/transparency-dev/formats, note/note_cosigv1_test.go (TestCoSigV1NewVerifier).
    assert verify.parse_vkey(REMORA_VKEY).key_id.hex() == "da77ade7"
    plain = verify.parse_vkey("TEST+7997405c+AQcC+FTVKf0jlTdHDY3rbevmnKxxPjigCXlVtGe6RIr6")
    assert plain.sig_type == verify.SIG_ED25519
    # Its key as a cosigner is a different key ID, as tlog-cosignature requires.
    assert verify.key_id("TEST", verify.SIG_COSIGNATURE, plain.public_key) != plain.key_id


def test_c2sp_cosignature_example_line_layout() -> None:
    # c2sp.org/tlog-cosignature's example line: key ID, 8-byte timestamp (the spec's
    # "time 1679315147"), then the 64-byte Ed25519 signature.
    line = (
        "— witness.example.com/w1 jWbPPwAAAABkGFDLEZMHwSRaJNiIDoe9DYn/zXcrtPHeolMI5OWXEhZCB9dlrDJ"
        "sX3b2oyin1nPZqhf5nNo0xUe+mbIUBkBIfZ+qnA=="
    )
    signature = verify.parse_signature_line(line)
    assert signature.key_id.hex() == "8d66cf3f"
    assert len(signature.signature) == 8 + 64
    assert int.from_bytes(signature.signature[:8], "big") == 1679315147
    assert signature.line == line


# Malformed checkpoints from github.com/transparency-dev/formats, log/checkpoint_test.go
# (TestUnmarshalLogState), plus our stricter rules: a 32-byte root and no leading zeros.
@pytest.mark.parametrize(
    "text",
    [
        "Head\n9944\n",
        "\n9944\ndGhlIHZpZXcgZnJvbSB0aGUgdHJlZSB0b3BzIGlzIGdyZWF0IQ==\n",
        "Log\n123\nYmFuYW5hcw==",
        "Log\nbananas\ndGhlIHZpZXcgZnJvbSB0aGUgdHJlZSB0b3BzIGlzIGdyZWF0IQ==\n",
        "Log\n-34\ndGhlIHZpZXcgZnJvbSB0aGUgdHJlZSB0b3BzIGlzIGdyZWF0IQ==\n",
        "Log\n3438945738945739845734895735\ndGhlIHZpZXcgZnJvbSB0aGUgdHJlZSB0b3BzIGlzIGdyZWF0IQ==\n",
        "Log\n123\nThisIsn'tBase64\n",
        "Log\n123\nYmFuYW5hcw==\n",
        "Log\n0123\nmb8QLQIs0Z0yP5Cstq6guj87oXWeC9gEM8oVikmm9Wk=\n",
        "Log\n+123\nmb8QLQIs0Z0yP5Cstq6guj87oXWeC9gEM8oVikmm9Wk=\n",
        "Log\n١٢٣\nmb8QLQIs0Z0yP5Cstq6guj87oXWeC9gEM8oVikmm9Wk=\n",
        "Log\n123\nmb8QLQIs0Z0yP5Cstq6guj87oXWeC9gEM8oVikmm9Wl=\n",
        "Log\n123\nmb8QLQIs0Z0yP5Cstq6guj87oXWeC9gEM8oVikmm9Wk=\n\n",
    ],
)
def test_malformed_checkpoints_are_rejected(text: str) -> None:
    with pytest.raises(verify.VerificationError, match="checkpoint"):
        verify.parse_checkpoint(text)


def test_checkpoint_extension_lines_are_kept() -> None:
    root = "mb8QLQIs0Z0yP5Cstq6guj87oXWeC9gEM8oVikmm9Wk="
    checkpoint = verify.parse_checkpoint(f"Log\n0\n{root}\nfirst\nsecond\n")
    assert checkpoint == verify.Checkpoint("Log", 0, base64.b64decode(root), ("first", "second"))


# --- Our signing side, round trip --------------------------------------------------------------

LOG = "court.example/ledger"
WITNESS = "witness.court-b.example/w1"
ROOT = hashlib.sha256(b"a root").digest()


def test_checkpoint_signing_and_cosigning_round_trip() -> None:
    log_key, witness_key = notes.generate_signing_key(), notes.generate_signing_key()
    text = notes.checkpoint_text(LOG, 42, ROOT)
    assert text == f"{LOG}\n42\n{base64.b64encode(ROOT).decode()}\n"
    signed = notes.sign_note(text, LOG, log_key)
    log_vkey = notes.vkey_for(LOG, log_key.public_key())
    witness_vkey = notes.vkey_for(WITNESS, witness_key.public_key(), cosigner=True)
    assert verify.verify_checkpoint(signed, log_vkey) == verify.Checkpoint(LOG, 42, ROOT)

    cosigned = notes.add_signatures(signed, [notes.cosign(text, WITNESS, witness_key, 1700000000)])
    assert cosigned.startswith(signed)
    assert verify.verify_cosignature(cosigned, witness_vkey) == 1700000000
    assert verify.verify_checkpoint(cosigned, log_vkey).size == 42

    recosigned = notes.add_signatures(
        cosigned, [notes.cosign(text, WITNESS, witness_key, 1700000060) + "\n"]
    )
    assert len(verify.parse_note(recosigned).signatures) == 2
    assert verify.verify_cosignature(recosigned, witness_vkey) == 1700000060


def test_a_cosignature_binds_its_timestamp_and_the_checkpoint() -> None:
    witness_key = notes.generate_signing_key()
    witness_vkey = notes.vkey_for(WITNESS, witness_key, cosigner=True)
    text = notes.checkpoint_text(LOG, 42, ROOT)
    line = notes.cosign(text, WITNESS, witness_key, 1700000000)
    signed = notes.sign_note(text, LOG, notes.generate_signing_key())
    cosigned = notes.add_signatures(signed, [line])
    payload = bytearray(verify.parse_signature_line(line).signature)
    payload[7] ^= 1
    moved = verify.Signature(WITNESS, verify.parse_vkey(witness_vkey).key_id, bytes(payload))
    with pytest.raises(verify.VerificationError, match="altered after cosigning"):
        verify.verify_cosignature(notes.add_signatures(signed, [moved.line]), witness_vkey)
    with pytest.raises(verify.VerificationError, match="altered after cosigning"):
        verify.verify_cosignature(cosigned.replace("\n42\n", "\n43\n"), witness_vkey)
    with pytest.raises(verify.VerificationError, match="no cosignature by witness"):
        verify.verify_cosignature(signed, witness_vkey)


def test_checkpoint_origin_must_be_the_log_key_name() -> None:
    key = notes.generate_signing_key()
    signed = notes.sign_note(notes.checkpoint_text("other.example/log", 1, ROOT), LOG, key)
    with pytest.raises(verify.VerificationError, match=r"is for log 'other\.example/log'"):
        verify.verify_checkpoint(signed, notes.vkey_for(LOG, key))


def test_private_keys_round_trip_through_seed_and_base64() -> None:
    key = notes.generate_signing_key()
    seed = notes.private_key_seed(key)
    assert len(seed) == 32
    assert notes.private_key_seed(notes.private_key_from_seed(seed)) == seed
    encoded = notes.private_key_to_base64(key)
    assert notes.private_key_seed(notes.private_key_from_base64(encoded + "\n")) == seed
    with pytest.raises(ValueError, match="32 bytes"):
        notes.private_key_from_seed(seed[:31])
    with pytest.raises(ValueError, match="base64"):
        notes.private_key_from_base64("not base64!")


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda key: notes.sign_note("no newline", LOG, key), "end with a newline"),
        (lambda key: notes.sign_note("bell\a\n", LOG, key), "control characters"),
        (lambda key: notes.sign_note("text\n", "two words", key), "invalid key name"),
        (lambda key: notes.sign_note("text\n", "a+b", key), "invalid key name"),
        (lambda key: notes.checkpoint_text(LOG, 1, ROOT[:31]), "32 bytes"),
        (lambda key: notes.checkpoint_text("", 1, ROOT), "origin"),
        (lambda key: notes.checkpoint_text(LOG, 1, ROOT, [""]), "extension"),
        (lambda key: notes.cosign("not a checkpoint\n", WITNESS, key, 1), "checkpoint"),
        (lambda key: notes.cosign(notes.checkpoint_text(LOG, 1, ROOT), WITNESS, key, -1), "POSIX"),
        (lambda key: notes.add_signatures("text\n\n— x AAAAAAA=\n", ["junk"]), "em dash"),
    ],
)
def test_signing_refuses_what_verifiers_would_reject(
    call: Callable[[Ed25519PrivateKey], object], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        call(notes.generate_signing_key())

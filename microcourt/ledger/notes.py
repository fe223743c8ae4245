"""The signing side of the ledger's notes: C2SP signed-note, tlog-checkpoint, tlog-cosignature.

Parsing and verification come from ``microcourt_verify``; every note made here is parsed back
with it before it is returned, so the log can never publish a note its verifiers reject.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterable

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from microcourt_verify import (
    MAX_TIMESTAMP,
    SIG_COSIGNATURE,
    SIG_ED25519,
    Signature,
    Verifier,
    cosignature_message,
    parse_checkpoint,
    parse_note,
    parse_signature_line,
)

SEED_SIZE = 32


def generate_signing_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


def private_key_from_seed(seed: bytes) -> Ed25519PrivateKey:
    """The Ed25519 key of an RFC 8032 32-byte seed (the form Go's ``ed25519.Seed`` returns)."""
    if len(seed) != SEED_SIZE:
        raise ValueError(f"an Ed25519 seed must be {SEED_SIZE} bytes, not {len(seed)}")
    return Ed25519PrivateKey.from_private_bytes(seed)


def private_key_seed(private_key: Ed25519PrivateKey) -> bytes:
    return private_key.private_bytes_raw()


def private_key_from_base64(text: str) -> Ed25519PrivateKey:
    """Read a key stored as the standard base64 of its seed, e.g. from a setting."""
    try:
        seed = base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("the signing key is not valid base64") from None
    return private_key_from_seed(seed)


def private_key_to_base64(private_key: Ed25519PrivateKey) -> str:
    return base64.b64encode(private_key_seed(private_key)).decode("ascii")


def _public_bytes(key: Ed25519PrivateKey | Ed25519PublicKey) -> bytes:
    public_key = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    return public_key.public_bytes(Encoding.Raw, PublicFormat.Raw)


def vkey_for(
    name: str, public_key: Ed25519PublicKey | Ed25519PrivateKey, *, cosigner: bool = False
) -> str:
    """The verifier key string of a log key, or of a witness key with ``cosigner=True``."""
    sig_type = SIG_COSIGNATURE if cosigner else SIG_ED25519
    return Verifier(name, sig_type, _public_bytes(public_key)).vkey


def checkpoint_text(origin: str, size: int, root: bytes, extensions: Iterable[str] = ()) -> str:
    encoded_root = base64.b64encode(root).decode("ascii")
    text = f"{origin}\n{size}\n{encoded_root}\n" + "".join(f"{line}\n" for line in extensions)
    parse_checkpoint(text)
    return text


def sign_note(text: str, name: str, private_key: Ed25519PrivateKey) -> str:
    """Sign ``text`` (which ends with a newline) as key ``name``: the signed note."""
    if not text.endswith("\n"):
        raise ValueError("a note's text must end with a newline")
    kid = Verifier(name, SIG_ED25519, _public_bytes(private_key)).key_id
    note = f"{text}\n{Signature(name, kid, private_key.sign(text.encode())).line}\n"
    parse_note(note)
    return note


def cosign(note_text: str, name: str, private_key: Ed25519PrivateKey, timestamp: int) -> str:
    """A witness's cosignature line (without newline) on a checkpoint's note text.

    The caller must first have verified the log's signature and the checkpoint's consistency
    with the largest checkpoint it cosigned before: that is what a cosignature asserts.
    """
    parse_checkpoint(note_text)
    if not 0 <= timestamp <= MAX_TIMESTAMP:
        raise ValueError(f"timestamp {timestamp} is not a POSIX time a cosignature can carry")
    kid = Verifier(name, SIG_COSIGNATURE, _public_bytes(private_key)).key_id
    signed = private_key.sign(cosignature_message(note_text, timestamp))
    return Signature(name, kid, timestamp.to_bytes(8, "big") + signed).line


def add_signatures(note: str, lines: Iterable[str]) -> str:
    """Add signature lines to a signed note; a new line replaces one by the same key.

    Verifiers only check the first signature per key, so keeping one per key keeps the newest
    cosignature the one that counts.
    """
    parsed = parse_note(note)
    signatures: dict[tuple[str, bytes], Signature] = {}
    for signature in parsed.signatures:
        signatures.setdefault((signature.name, signature.key_id), signature)
    for line in lines:
        signature = parse_signature_line(line.removesuffix("\n"))
        identity = (signature.name, signature.key_id)
        signatures.pop(identity, None)
        signatures[identity] = signature
    return parsed.text + "\n" + "".join(f"{sig.line}\n" for sig in signatures.values())

"""microcourt-verify: check microcourt ledger receipts and checkpoints, fully offline.

One file, the Python standard library and ``cryptography``: copy it anywhere and run

    python microcourt_verify.py receipt RECEIPT.json [--file FILE] [--key VKEY] [--witness VKEY]
    python microcourt_verify.py consistency OLD NEW --proof PROOF.json --key VKEY

Exit status: 0 valid, 1 invalid, 2 usage or input/output error.

The formats are public standards, so any independent implementation can check the same bytes:
RFC 9162 §2.1 (Merkle tree, inclusion and consistency proofs), RFC 8785 (JSON canonicalization),
C2SP signed-note, tlog-checkpoint and tlog-cosignature. The court's server imports this module
for all verification, so the offline verifier and the server can never disagree.
"""

from __future__ import annotations

import argparse
import base64
import binascii
import hashlib
import json
import math
import re
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TypeVar

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

__all__ = [
    "EMPTY_ROOT",
    "HASH_SIZE",
    "MAX_TIMESTAMP",
    "SIG_COSIGNATURE",
    "SIG_ED25519",
    "Checkpoint",
    "Note",
    "ReceiptResult",
    "Signature",
    "VerificationError",
    "Verifier",
    "canonical_json",
    "cosignature_message",
    "key_id",
    "leaf_hash",
    "main",
    "node_hash",
    "parse_checkpoint",
    "parse_note",
    "parse_signature_line",
    "parse_vkey",
    "root_from_inclusion",
    "verify_checkpoint",
    "verify_checkpoint_consistency",
    "verify_consistency",
    "verify_cosignature",
    "verify_inclusion",
    "verify_note",
    "verify_receipt",
]

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()

SIG_ED25519 = 0x01
SIG_COSIGNATURE = 0x04
MAX_TIMESTAMP = 2**63 - 1
# Go's golang.org/x/mod/sumdb/note stops at 100 signatures; C2SP requires accepting at least 16.
MAX_SIGNATURES = 100
MAX_TREE_SIZE = 2**64 - 1

_SIGNATURE_PREFIX = "\N{EM DASH} "
_T = TypeVar("_T")
_SUBJECT_DIGEST = re.compile(r"sha256:[0-9a-f]{64}")


class VerificationError(ValueError):
    """Something does not verify or is malformed; the message says what, in plain English."""


# --- RFC 9162 §2.1: hashes and proofs ---------------------------------------------------------


def leaf_hash(leaf_bytes: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + leaf_bytes).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def _check_hash(value: bytes, what: str) -> None:
    if not isinstance(value, bytes) or len(value) != HASH_SIZE:
        raise VerificationError(f"{what} must be a {HASH_SIZE}-byte SHA-256 hash")


def root_from_inclusion(
    index: int, tree_size: int, leaf_hash: bytes, proof: Sequence[bytes]
) -> bytes:
    """The root that an inclusion proof leads to (RFC 9162 §2.1.3.2)."""
    if not 0 <= index < tree_size:
        raise VerificationError(f"leaf index {index} is outside a tree of size {tree_size}")
    _check_hash(leaf_hash, "the leaf hash")
    for position, sibling in enumerate(proof):
        _check_hash(sibling, f"inclusion proof hash #{position}")
    fn, sn, r = index, tree_size - 1, leaf_hash
    for sibling in proof:
        if sn == 0:
            raise VerificationError(
                f"the inclusion proof has more hashes than a tree of size {tree_size} needs"
            )
        if fn & 1 or fn == sn:
            r = node_hash(sibling, r)
            while fn and not fn & 1:
                fn, sn = fn >> 1, sn >> 1
        else:
            r = node_hash(r, sibling)
        fn, sn = fn >> 1, sn >> 1
    if sn != 0:
        raise VerificationError(
            f"the inclusion proof has fewer hashes than a tree of size {tree_size} needs"
        )
    return r


def verify_inclusion(
    index: int, tree_size: int, leaf_hash: bytes, proof: Sequence[bytes], root: bytes
) -> None:
    """Check that a leaf hash is at ``index`` in the tree of ``tree_size`` with ``root``."""
    _check_hash(root, "the root hash")
    if root_from_inclusion(index, tree_size, leaf_hash, proof) != root:
        raise VerificationError(
            f"the inclusion proof for entry {index} does not lead to the signed root of the tree "
            f"of size {tree_size}: the entry or the proof has been altered"
        )


def verify_consistency(
    first: int, second: int, first_root: bytes, second_root: bytes, proof: Sequence[bytes]
) -> None:
    """Check that the tree of size ``second`` extends that of size ``first`` (RFC 9162 §2.1.4.2)."""
    if not 0 <= first <= second:
        raise VerificationError(
            f"a tree of size {second} cannot extend a tree of size {first}: sizes only grow"
        )
    _check_hash(first_root, "the old root hash")
    _check_hash(second_root, "the new root hash")
    for position, item in enumerate(proof):
        _check_hash(item, f"consistency proof hash #{position}")
    if first in (0, second):
        if proof:
            raise VerificationError(
                f"a consistency proof from size {first} to size {second} must be empty"
            )
        if first == second and first_root != second_root:
            raise VerificationError(
                "two checkpoints of the same size have different roots: the log forked"
            )
        if first == 0 and first_root != EMPTY_ROOT:
            raise VerificationError("the root of an empty tree must be the SHA-256 of nothing")
        return
    fr, sr = _roots_from_consistency(first, second, first_root, proof)
    if fr != first_root:
        raise VerificationError(
            f"the consistency proof does not lead to the old root (size {first}): "
            "the old checkpoint is not a prefix of the new one"
        )
    if sr != second_root:
        raise VerificationError(
            f"the consistency proof does not lead to the new root (size {second}): "
            "the log's history was rewritten"
        )


def _roots_from_consistency(
    first: int, second: int, first_root: bytes, proof: Sequence[bytes]
) -> tuple[bytes, bytes]:
    if not proof:
        raise VerificationError(f"the consistency proof from size {first} to {second} is empty")
    path = [first_root, *proof] if first & (first - 1) == 0 else list(proof)
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            raise VerificationError(
                f"the consistency proof has more hashes than sizes {first} and {second} need"
            )
        if fn & 1 or fn == sn:
            fr, sr = node_hash(c, fr), node_hash(c, sr)
            while fn and not fn & 1:
                fn, sn = fn >> 1, sn >> 1
        else:
            sr = node_hash(sr, c)
        fn, sn = fn >> 1, sn >> 1
    if sn != 0:
        raise VerificationError(
            f"the consistency proof has fewer hashes than sizes {first} and {second} need"
        )
    return fr, sr


# --- RFC 8785: JSON canonicalization ------------------------------------------------------------

_JSON_ESCAPES = {
    '"': '\\"',
    "\\": "\\\\",
    "\b": "\\b",
    "\f": "\\f",
    "\n": "\\n",
    "\r": "\\r",
    "\t": "\\t",
}
_JSON_TO_ESCAPE = re.compile(r'["\\\x00-\x1f]')
# I-JSON (RFC 7493), which RFC 8785 builds on: integers beyond this lose precision as doubles.
_MAX_SAFE_INTEGER = 2**53 - 1


def canonical_json(value: object) -> bytes:
    """The RFC 8785 (JCS) canonical UTF-8 bytes of a JSON value."""
    try:
        return _jcs(value).encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("JSON strings must be valid Unicode (no lone surrogates)") from None


def _jcs(value: object) -> str:
    if value is None or isinstance(value, bool):
        return {None: "null", True: "true", False: "false"}[value]
    if isinstance(value, int):
        if abs(value) > _MAX_SAFE_INTEGER:
            raise ValueError(f"integer {value} is outside the range JSON numbers hold exactly")
        return str(value)
    if isinstance(value, float):
        return _jcs_number(value)
    if isinstance(value, str):
        return _jcs_string(value)
    if isinstance(value, list | tuple):
        return "[" + ",".join(_jcs(item) for item in value) + "]"
    if isinstance(value, dict):
        if not all(isinstance(key, str) for key in value):
            raise TypeError("JSON object keys must be strings")
        # JCS orders keys by UTF-16 code units, which big-endian UTF-16 bytes compare as.
        keys = sorted(value, key=lambda key: key.encode("utf-16-be", "surrogatepass"))
        return "{" + ",".join(f"{_jcs_string(key)}:{_jcs(value[key])}" for key in keys) + "}"
    raise TypeError(f"{type(value).__name__} is not a JSON value")


def _jcs_string(text: str) -> str:
    escaped = _JSON_TO_ESCAPE.sub(
        lambda match: _JSON_ESCAPES.get(match[0]) or f"\\u{ord(match[0]):04x}", text
    )
    return f'"{escaped}"'


def _jcs_number(number: float) -> str:
    """ECMAScript Number.prototype.toString, as RFC 8785 §3.2.2.3 requires."""
    if not math.isfinite(number):
        raise ValueError(f"{number} is not a JSON number")
    if number == 0:
        return "0"
    # repr gives the shortest digits that round-trip, the same digits ECMAScript chooses;
    # only their layout differs.
    mantissa, _, exponent = repr(abs(number)).partition("e")
    whole, _, fraction = mantissa.partition(".")
    digits = whole + fraction
    significant = digits.lstrip("0")
    # The value is 0.<significant> * 10**n, in ECMAScript's terms.
    n = len(whole) + int(exponent or 0) - (len(digits) - len(significant))
    s = significant.rstrip("0")
    k = len(s)
    if k <= n <= 21:
        text = s + "0" * (n - k)
    elif 0 < n <= 21:
        text = f"{s[:n]}.{s[n:]}"
    elif -6 < n <= 0:
        text = "0." + "0" * -n + s
    else:
        mantissa = s if k == 1 else f"{s[0]}.{s[1:]}"
        text = f"{mantissa}e{n - 1:+d}"
    return "-" + text if number < 0 else text


# --- C2SP signed-note ---------------------------------------------------------------------------


def _b64decode(text: str, what: str) -> bytes:
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise VerificationError(f"{what} is not valid base64") from None
    # Only the canonical encoding is accepted, so one value has exactly one spelling.
    if base64.b64encode(raw).decode("ascii") != text:
        raise VerificationError(f"{what} is not canonical base64")
    return raw


def _b64encode(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def _is_valid_name(name: str) -> bool:
    return bool(name) and "+" not in name and not any(char.isspace() for char in name)


def key_id(name: str, type_byte: int, public_key: bytes) -> bytes:
    """The 4-byte key ID: SHA-256(name ‖ 0x0A ‖ type ‖ public key)[:4]."""
    return hashlib.sha256(name.encode() + b"\n" + bytes([type_byte]) + public_key).digest()[:4]


def cosignature_message(note_text: str, timestamp: int) -> bytes:
    """What a tlog-cosignature/v1 Ed25519 signature signs."""
    return f"cosignature/v1\ntime {timestamp}\n{note_text}".encode()


@dataclass(frozen=True)
class Verifier:
    """A public key that checks note signatures: Ed25519 (0x01) or a witness cosigner (0x04)."""

    name: str
    sig_type: int
    public_key: bytes
    key_id: bytes = field(init=False)

    def __post_init__(self) -> None:
        if not _is_valid_name(self.name):
            raise VerificationError(
                f"invalid key name {self.name!r}: it must be non-empty, without spaces or '+'"
            )
        if self.sig_type not in (SIG_ED25519, SIG_COSIGNATURE):
            raise VerificationError(
                f"unsupported signature type 0x{self.sig_type:02x} "
                "(only Ed25519 0x01 and cosignature 0x04 are known)"
            )
        if len(self.public_key) != 32:
            raise VerificationError("an Ed25519 public key must be 32 bytes")
        object.__setattr__(self, "key_id", key_id(self.name, self.sig_type, self.public_key))

    @property
    def vkey(self) -> str:
        material = _b64encode(bytes([self.sig_type]) + self.public_key)
        return f"{self.name}+{self.key_id.hex()}+{material}"

    def verify(self, text: str, signature: bytes) -> bool:
        """Whether ``signature`` (the bytes after the key ID) signs the note ``text``."""
        message = text.encode()
        if self.sig_type == SIG_COSIGNATURE:
            if len(signature) != 8 + 64:
                return False
            timestamp = int.from_bytes(signature[:8], "big")
            if timestamp > MAX_TIMESTAMP:
                return False
            message, signature = cosignature_message(text, timestamp), signature[8:]
        try:
            Ed25519PublicKey.from_public_bytes(self.public_key).verify(signature, message)
        except InvalidSignature:
            return False
        return True


def parse_vkey(vkey: str) -> Verifier:
    """Parse ``<name>+<8 hex digit key ID>+<base64(type ‖ public key)>``."""
    name, plus1, rest = vkey.partition("+")
    hex_id, plus2, material = rest.partition("+")
    if not plus1 or not plus2 or not re.fullmatch("[0-9a-f]{8}", hex_id):
        raise VerificationError(
            f"malformed verifier key {vkey!r}: expected <name>+<8 hex digits>+<base64 key>"
        )
    raw = _b64decode(material, "the verifier key's public key")
    if not raw:
        raise VerificationError(f"malformed verifier key {vkey!r}: the public key is empty")
    verifier = Verifier(name, raw[0], raw[1:])
    if verifier.key_id.hex() != hex_id:
        raise VerificationError(
            f"verifier key {vkey!r} is corrupt: its key ID should be {verifier.key_id.hex()}"
        )
    return verifier


@dataclass(frozen=True)
class Signature:
    """One signature line: the signer's name, its key ID and the signature bytes after the ID."""

    name: str
    key_id: bytes
    signature: bytes

    @property
    def line(self) -> str:
        return f"{_SIGNATURE_PREFIX}{self.name} {_b64encode(self.key_id + self.signature)}"


@dataclass(frozen=True)
class Note:
    text: str
    signatures: tuple[Signature, ...]


def parse_signature_line(line: str) -> Signature:
    """Parse ``— <name> <base64(key ID ‖ signature)>`` (without the newline)."""
    if not line.startswith(_SIGNATURE_PREFIX):
        raise VerificationError(
            f"malformed note: signature line {line!r} does not start with an em dash and a space"
        )
    name, space, encoded = line[len(_SIGNATURE_PREFIX) :].partition(" ")
    if not space or not _is_valid_name(name):
        raise VerificationError(f"malformed note: signature line {line!r} has no valid key name")
    raw = _b64decode(encoded, f"the signature of {name}")
    if len(raw) < 5:
        raise VerificationError(f"malformed note: the signature of {name} is too short")
    return Signature(name, raw[:4], raw[4:])


def parse_note(note: str | bytes) -> Note:
    """Split a signed note into its text and signature lines, rejecting malformed notes."""
    if isinstance(note, bytes):
        try:
            note = note.decode("utf-8")
        except UnicodeDecodeError:
            raise VerificationError("malformed note: it is not valid UTF-8") from None
    if any(char < " " and char != "\n" for char in note):
        raise VerificationError("malformed note: it contains control characters")
    split = note.rfind("\n\n")
    if split < 0:
        raise VerificationError("malformed note: there is no blank line before the signatures")
    text, block = note[: split + 1], note[split + 2 :]
    if not block.endswith("\n"):
        raise VerificationError("malformed note: it must end with a signature line and a newline")
    lines = block[:-1].split("\n")
    if len(lines) > MAX_SIGNATURES:
        raise VerificationError(f"malformed note: more than {MAX_SIGNATURES} signatures")
    return Note(text, tuple(parse_signature_line(line) for line in lines))


def verify_note(note: str | bytes, verifiers: Iterable[Verifier]) -> str:
    """Return the note's text if a known key signed it.

    Signatures by unknown keys are ignored (C2SP signed-note); a signature by a known key that
    does not verify rejects the whole note, as Go's golang.org/x/mod/sumdb/note does.
    """
    parsed = parse_note(note)
    known: dict[tuple[str, bytes], Verifier] = {}
    for verifier in verifiers:
        identity = (verifier.name, verifier.key_id)
        if known.setdefault(identity, verifier) != verifier:
            raise VerificationError(f"two different keys share the name and ID {verifier.vkey}")
    checked: set[tuple[str, bytes]] = set()
    for signature in parsed.signatures:
        identity = (signature.name, signature.key_id)
        verifier = known.get(identity)
        if verifier is None or identity in checked:
            continue
        checked.add(identity)
        if not verifier.verify(parsed.text, signature.signature):
            raise VerificationError(
                f"the signature of {signature.name}+{signature.key_id.hex()} does not verify: "
                "the text was altered after signing"
            )
    if not checked:
        names = ", ".join(sorted(f"{name}+{kid.hex()}" for name, kid in known)) or "none given"
        raise VerificationError(f"the note has no signature by a trusted key ({names})")
    return parsed.text


# --- C2SP tlog-checkpoint and tlog-cosignature --------------------------------------------------


@dataclass(frozen=True)
class Checkpoint:
    origin: str
    size: int
    root_hash: bytes
    extensions: tuple[str, ...] = ()


def parse_checkpoint(text: str) -> Checkpoint:
    """Parse a checkpoint note text: origin, decimal tree size, base64 root, extension lines."""
    if not text.endswith("\n"):
        raise VerificationError("malformed checkpoint: the text must end with a newline")
    lines = text[:-1].split("\n")
    if len(lines) < 3:
        raise VerificationError("malformed checkpoint: it needs origin, size and root hash lines")
    origin, size, root, *extensions = lines
    if not origin:
        raise VerificationError("malformed checkpoint: the origin line is empty")
    if not re.fullmatch("0|[1-9][0-9]*", size) or int(size) > MAX_TREE_SIZE:
        raise VerificationError(
            f"malformed checkpoint: tree size {size!r} is not decimal without leading zeros"
        )
    root_hash = _b64decode(root, "the checkpoint root hash")
    if len(root_hash) != HASH_SIZE:
        raise VerificationError(f"malformed checkpoint: the root hash is not {HASH_SIZE} bytes")
    if not all(extensions):
        raise VerificationError("malformed checkpoint: extension lines must not be empty")
    return Checkpoint(origin, int(size), root_hash, tuple(extensions))


def _log_verifier(key: str | Verifier) -> Verifier:
    verifier = parse_vkey(key) if isinstance(key, str) else key
    if verifier.sig_type != SIG_ED25519:
        raise VerificationError(f"{verifier.vkey} is a witness key, not a log key")
    return verifier


def verify_checkpoint(note: str | bytes, key: str | Verifier) -> Checkpoint:
    """Verify a checkpoint signed by the log key ``key``, whose name is the log's origin."""
    verifier = _log_verifier(key)
    checkpoint = parse_checkpoint(verify_note(note, [verifier]))
    if checkpoint.origin != verifier.name:
        raise VerificationError(
            f"the checkpoint is for log {checkpoint.origin!r}, but the key is {verifier.name!r}'s"
        )
    return checkpoint


def verify_cosignature(note: str | bytes, cosigner: str | Verifier) -> int:
    """Verify a witness's cosignature on a checkpoint note; return its POSIX timestamp."""
    verifier = parse_vkey(cosigner) if isinstance(cosigner, str) else cosigner
    if verifier.sig_type != SIG_COSIGNATURE:
        raise VerificationError(f"{verifier.vkey} is not a witness cosigner key (type 0x04)")
    parsed = parse_note(note)
    parse_checkpoint(parsed.text)
    for signature in parsed.signatures:
        if (signature.name, signature.key_id) == (verifier.name, verifier.key_id):
            if not verifier.verify(parsed.text, signature.signature):
                raise VerificationError(
                    f"the cosignature of witness {verifier.name} does not verify: "
                    "the checkpoint was altered after cosigning"
                )
            return int.from_bytes(signature.signature[:8], "big")
    raise VerificationError(f"the checkpoint has no cosignature by witness {verifier.name}")


# --- Receipts and checkpoint consistency (the API's JSON shapes) ------------------------------


def _field(obj: object, name: str, kind: type[_T], where: str) -> _T:
    if not isinstance(obj, Mapping):
        raise VerificationError(f"{where} must be a JSON object")
    if name not in obj:
        raise VerificationError(f"{where} has no {name!r} field")
    value = obj[name]
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        expected = {int: "an integer", str: "a string", list: "a list", dict: "an object"}[kind]
        raise VerificationError(f"{where}: {name!r} must be {expected}")
    return value


def _hashes(obj: object, where: str) -> list[bytes]:
    hashes = []
    for position, item in enumerate(_field(obj, "hashes", list, where)):
        what = f"{where} hash #{position}"
        if not isinstance(item, str):
            raise VerificationError(f"{what} must be a base64 string")
        raw = _b64decode(item, what)
        _check_hash(raw, what)
        hashes.append(raw)
    return hashes


@dataclass(frozen=True)
class ReceiptResult:
    index: int
    tree_size: int
    origin: str
    root_hash: bytes
    leaf_hash: bytes
    key: str
    subject_digest: str | None
    file_checked: bool
    cosignatures: dict[str, int]


def verify_receipt(
    receipt: Mapping[str, object],
    *,
    file_bytes: bytes | None = None,
    trusted_key: str | None = None,
    witnesses: Sequence[str] = (),
) -> ReceiptResult:
    """Verify a receipt: its entry is in the log whose signed checkpoint it carries.

    With ``trusted_key`` the checkpoint must be signed by that key, which the receipt must
    name; otherwise the receipt's own key is used, which proves integrity but not origin.
    With ``file_bytes`` the file's SHA-256 must be the entry's subject digest. Every witness
    key in ``witnesses`` must have cosigned the checkpoint.
    """
    leaf = _field(receipt, "leaf", dict, "the receipt")
    index = _field(receipt, "index", int, "the receipt")
    inclusion = _field(receipt, "inclusion", dict, "the receipt")
    note = _field(receipt, "checkpoint", str, "the receipt")
    key = _field(receipt, "key", str, "the receipt").strip()
    if _field(inclusion, "index", int, "the inclusion proof") != index:
        raise VerificationError("the receipt's index and its inclusion proof's index differ")
    tree_size = _field(inclusion, "tree_size", int, "the inclusion proof")
    proof = _hashes(inclusion, "the inclusion proof")
    try:
        hashed_leaf = leaf_hash(canonical_json(leaf))
    except (TypeError, ValueError) as error:
        raise VerificationError(f"the receipt's entry is not canonical JSON: {error}") from None

    if trusted_key is not None:
        trusted_key = trusted_key.strip()
        if key != trusted_key:
            raise VerificationError(
                f"the receipt is signed with key {key}, not the trusted key {trusted_key}"
            )
    checkpoint = verify_checkpoint(note, key)
    if checkpoint.size != tree_size:
        raise VerificationError(
            f"the inclusion proof is for tree size {tree_size}, "
            f"but the checkpoint is for size {checkpoint.size}"
        )
    verify_inclusion(index, tree_size, hashed_leaf, proof, checkpoint.root_hash)

    subject_digest = leaf.get("subject_digest")
    if file_bytes is not None:
        if not isinstance(subject_digest, str) or not _SUBJECT_DIGEST.fullmatch(subject_digest):
            raise VerificationError(
                "the receipt's entry has no subject digest of the form sha256:<64 hex digits>, "
                "so no file can be matched to it"
            )
        actual = "sha256:" + hashlib.sha256(file_bytes).hexdigest()
        if actual != subject_digest:
            raise VerificationError(
                f"the file does not match the receipt: its digest is {actual}, "
                f"the receipt records {subject_digest}"
            )
    cosigners = [parse_vkey(witness.strip()) for witness in witnesses]
    return ReceiptResult(
        index=index,
        tree_size=tree_size,
        origin=checkpoint.origin,
        root_hash=checkpoint.root_hash,
        leaf_hash=hashed_leaf,
        key=key,
        subject_digest=subject_digest if isinstance(subject_digest, str) else None,
        file_checked=file_bytes is not None,
        cosignatures={cosigner.name: verify_cosignature(note, cosigner) for cosigner in cosigners},
    )


def verify_checkpoint_consistency(
    old: Checkpoint, new: Checkpoint, proof: Mapping[str, object]
) -> None:
    """Check that ``new`` extends ``old``, given the API's ``{"first", "second", "hashes"}``."""
    if old.origin != new.origin:
        raise VerificationError(
            f"the checkpoints are from different logs: {old.origin!r} and {new.origin!r}"
        )
    first = _field(proof, "first", int, "the consistency proof")
    second = _field(proof, "second", int, "the consistency proof")
    if (first, second) != (old.size, new.size):
        raise VerificationError(
            f"the proof is from size {first} to {second}, "
            f"but the checkpoints have sizes {old.size} and {new.size}"
        )
    hashes = _hashes(proof, "the consistency proof")
    verify_consistency(first, second, old.root_hash, new.root_hash, hashes)


# --- Command line -------------------------------------------------------------------------------


class _UsageError(Exception):
    pass


def _read_bytes(path: str) -> bytes:
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except OSError as error:
        raise _UsageError(f"cannot read {path}: {error.strerror or error}") from None


def _read_json(path: str) -> object:
    try:
        return json.loads(_read_bytes(path))
    except ValueError as error:
        raise _UsageError(f"{path} is not valid JSON: {error}") from None


def _when(timestamp: int) -> str:
    try:
        return datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    except (OverflowError, OSError, ValueError):
        return f"POSIX time {timestamp}"


def _receipt_command(args: argparse.Namespace) -> list[str]:
    receipt = _read_json(args.receipt)
    if not isinstance(receipt, dict):
        raise VerificationError("the receipt must be a JSON object")
    file_bytes = None if args.file is None else _read_bytes(args.file)
    result = verify_receipt(
        receipt, file_bytes=file_bytes, trusted_key=args.key, witnesses=args.witness
    )
    lines = [
        f"VALID: entry {result.index} is recorded in ledger {result.origin} "
        f"(tree size {result.tree_size}).",
        f"  leaf hash:  {_b64encode(result.leaf_hash)}",
        f"  root hash:  {_b64encode(result.root_hash)}",
        f"  log key:    {result.key}",
    ]
    if args.key is None:
        lines.append(
            "  warning:    the key was taken from the receipt itself; compare it with the key "
            "the court publishes, or pass it with --key"
        )
    if result.file_checked:
        lines.append(f"  file:       {args.file} matches {result.subject_digest}")
    elif result.subject_digest is not None:
        lines.append(f"  subject:    {result.subject_digest} (pass --file to check a file)")
    for name, timestamp in result.cosignatures.items():
        lines.append(f"  witness:    {name} cosigned at {_when(timestamp)}")
    return lines


def _consistency_command(args: argparse.Namespace) -> list[str]:
    old_note, new_note = _read_bytes(args.old), _read_bytes(args.new)
    proof = _read_json(args.proof)
    if not isinstance(proof, dict):
        raise VerificationError("the consistency proof must be a JSON object")
    old = verify_checkpoint(old_note, args.key)
    new = verify_checkpoint(new_note, args.key)
    verify_checkpoint_consistency(old, new, proof)
    return [
        f"VALID: ledger {new.origin} at size {new.size} extends its state at size {old.size}; "
        "no recorded entry was changed or removed.",
        f"  old root:  {_b64encode(old.root_hash)}",
        f"  new root:  {_b64encode(new.root_hash)}",
        f"  log key:   {args.key}",
    ]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="microcourt-verify",
        description="Verify microcourt ledger receipts and checkpoints offline.",
        epilog="Exit status: 0 valid, 1 invalid, 2 usage or input/output error.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    receipt = commands.add_parser("receipt", help="check that a receipt's entry is in the ledger")
    receipt.add_argument("receipt", help="the receipt JSON file")
    receipt.add_argument("--file", help="the evidence file the receipt should describe")
    receipt.add_argument("--key", help="the court's published ledger key (vkey)")
    receipt.add_argument(
        "--witness",
        action="append",
        default=[],
        metavar="VKEY",
        help="a witness key whose cosignature the checkpoint must carry (repeatable)",
    )
    consistency = commands.add_parser(
        "consistency", help="check that a newer checkpoint extends an older one"
    )
    consistency.add_argument("old", help="the older signed checkpoint file")
    consistency.add_argument("new", help="the newer signed checkpoint file")
    consistency.add_argument("--proof", required=True, help="the consistency proof JSON file")
    consistency.add_argument("--key", required=True, help="the court's ledger key (vkey)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    try:
        args = _parser().parse_args(argv)
    except SystemExit as exit_:
        return exit_.code if isinstance(exit_.code, int) else 2
    command = _receipt_command if args.command == "receipt" else _consistency_command
    try:
        lines = command(args)
    except _UsageError as error:
        print(f"ERROR: {error}", file=sys.stderr)
        return 2
    except VerificationError as error:
        print(f"INVALID: {error}")
        return 1
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

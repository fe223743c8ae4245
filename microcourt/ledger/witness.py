"""A witness, as another court's deployment runs it against our log (C2SP tlog-witness style).

Each round: take the log's key (pinned, or fetched and then remembered), fetch the latest
checkpoint, verify its signature, verify that it extends the largest checkpoint this witness
has seen (an RFC 9162 consistency proof from the log), remember it, then cosign it and hand the
cosignature to the log. A checkpoint that is badly signed, smaller than one already seen, of the
same size with another root, or not provably consistent is refused: the witness never cosigns
a tree that contradicts what it has seen, which is what makes a forked log detectable.

Only the standard library, ``microcourt_verify`` and ``notes`` are used: no database.
"""

from __future__ import annotations

import base64
import json
import os
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

import microcourt_verify as verify

from . import notes


class WitnessRefusal(Exception):
    """The log showed something a witness must not cosign; the message says what."""


class WitnessError(Exception):
    """The log could not be reached or answered nonsense; try again later."""


class Http(Protocol):
    def get(self, url: str) -> str: ...

    def post_json(self, url: str, body: dict[str, Any]) -> dict[str, Any]: ...


class UrllibHttp:
    def __init__(self, timeout: float = 10) -> None:
        self.timeout = timeout

    def _call(self, url: str, body: bytes | None = None) -> str:
        if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
            raise WitnessError(f"{url} is not an http(s) URL")
        headers = {"Content-Type": "application/json"} if body is not None else {}
        # Only http(s), checked above.
        request = urllib.request.Request(url, data=body, headers=headers)  # noqa: S310
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                return response.read().decode("utf-8")
        except urllib.error.HTTPError as error:
            detail = error.read().decode("utf-8", "replace")[:500]
            raise WitnessError(f"{url} answered {error.code}: {detail}") from None
        except (urllib.error.URLError, OSError) as error:
            raise WitnessError(f"cannot reach {url}: {error}") from None

    def get(self, url: str) -> str:
        return self._call(url)

    def post_json(self, url: str, body: dict[str, Any]) -> dict[str, Any]:
        return json.loads(self._call(url, json.dumps(body).encode("utf-8")))


@dataclass
class Seen:
    """The largest checkpoint this witness has verified, per log (the state file)."""

    log_key: str
    size: int
    root: bytes

    @classmethod
    def load(cls, path: Path) -> Seen | None:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except ValueError as error:
            raise WitnessRefusal(f"the state file {path} is corrupt: {error}") from None
        return cls(data["log_key"], int(data["size"]), base64.b64decode(data["root"]))

    def save(self, path: Path) -> None:
        """Write-then-rename, so a crash never leaves a half-written state behind."""
        data = {
            "log_key": self.log_key,
            "size": self.size,
            "root": base64.b64encode(self.root).decode("ascii"),
        }
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(data, handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)


def load_or_create_key(path: Path) -> tuple[Ed25519PrivateKey, bool]:
    """The witness's key (base64 seed in a 0600 file), made on first use."""
    try:
        return notes.private_key_from_base64(path.read_text(encoding="ascii")), False
    except FileNotFoundError:
        pass
    key = notes.generate_signing_key()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(notes.private_key_to_base64(key) + "\n")
    return key, True


class Witness:
    def __init__(
        self,
        *,
        log: str,
        name: str,
        key: Ed25519PrivateKey,
        state_file: Path,
        log_key: str | None = None,
        http: Http | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.api = log.rstrip("/") + "/api/v1/ledger"
        self.name = name
        self.key = key
        self.state_file = state_file
        self.pinned_key = log_key.strip() if log_key else None
        self.http = http or UrllibHttp()
        self.clock = clock

    @property
    def vkey(self) -> str:
        return notes.vkey_for(self.name, self.key, cosigner=True)

    def _log_key(self, seen: Seen | None) -> verify.Verifier:
        text = self.pinned_key or self.http.get(f"{self.api}/key").strip()
        try:
            log_key = verify.parse_vkey(text)
        except verify.VerificationError as error:
            raise WitnessRefusal(f"the log key is unusable: {error}") from None
        if seen is not None and seen.log_key != log_key.vkey:
            raise WitnessRefusal(
                f"the log's key is now {log_key.vkey}, but this witness has followed "
                f"{seen.log_key}; a witness does not follow a key change by itself"
            )
        return log_key

    def run_once(self) -> str:
        """One round; returns what was done, raises WitnessRefusal or WitnessError."""
        seen = Seen.load(self.state_file)
        log_key = self._log_key(seen)
        note = self.http.get(f"{self.api}/checkpoint")
        try:
            checkpoint = verify.verify_checkpoint(note, log_key)
        except verify.VerificationError as error:
            raise WitnessRefusal(f"the checkpoint does not verify: {error}") from None
        text = verify.parse_note(note).text
        if seen is not None:
            self._check_extends(seen, checkpoint)
        Seen(log_key.vkey, checkpoint.size, checkpoint.root_hash).save(self.state_file)
        line = notes.cosign(text, self.name, self.key, int(self.clock()))
        self.http.post_json(f"{self.api}/cosignatures", {"checkpoint": note, "cosignature": line})
        return f"cosigned {checkpoint.origin} at tree size {checkpoint.size}"

    def _check_extends(self, seen: Seen, checkpoint: verify.Checkpoint) -> None:
        if checkpoint.size < seen.size:
            raise WitnessRefusal(
                f"the log offers tree size {checkpoint.size}, smaller than size {seen.size} "
                "this witness already saw: a log never shrinks"
            )
        if checkpoint.size == seen.size:
            if checkpoint.root_hash != seen.root:
                raise WitnessRefusal(
                    f"the log offers a root for tree size {checkpoint.size} that differs from "
                    "the one this witness saw: the log forked"
                )
            return
        query = urllib.parse.urlencode({"first": seen.size, "second": checkpoint.size})
        try:
            proof = json.loads(self.http.get(f"{self.api}/proof/consistency?{query}"))
            old = verify.Checkpoint(checkpoint.origin, seen.size, seen.root)
            verify.verify_checkpoint_consistency(old, checkpoint, proof)
        except (verify.VerificationError, ValueError) as error:
            raise WitnessRefusal(
                f"tree size {checkpoint.size} is not consistent with size {seen.size}: {error}"
            ) from None

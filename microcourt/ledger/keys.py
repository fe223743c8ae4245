"""The log's keys: its Ed25519 signing key, its verifier key, the witnesses it accepts and the
key of the pseudonymous case reference."""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import os
import tempfile
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.dispatch import receiver

import microcourt_verify as verify

from . import notes


def origin() -> str:
    """The log's origin line, which is also its key name."""
    return settings.LEDGER_ORIGIN


@functools.cache
def signing_key() -> Ed25519PrivateKey:
    if settings.LEDGER_KEY:
        return notes.private_key_from_base64(settings.LEDGER_KEY)
    return _development_key(Path(settings.LEDGER_KEY_FILE))


def _development_key(path: Path) -> Ed25519PrivateKey:
    """Read the key file, or make it. The file appears atomically, complete (written aside,
    then hard-linked into place, which fails if it exists), so the web process and the worker
    starting together agree on one key instead of each writing its own."""
    try:
        return notes.private_key_from_base64(path.read_text(encoding="ascii"))
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    key = notes.generate_signing_key()
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".ledger-key.")
    try:
        with os.fdopen(fd, "w", encoding="ascii") as handle:  # mkstemp makes it 0600
            handle.write(notes.private_key_to_base64(key) + "\n")
        os.link(temporary, path)
    except FileExistsError:
        return notes.private_key_from_base64(path.read_text(encoding="ascii"))
    finally:
        os.unlink(temporary)
    return key


@functools.cache
def vkey() -> str:
    return notes.vkey_for(origin(), signing_key())


@functools.cache
def verifier() -> verify.Verifier:
    return verify.parse_vkey(vkey())


@functools.cache
def witnesses() -> dict[tuple[str, bytes], verify.Verifier]:
    """The witness cosigner keys the log accepts, by (name, key ID)."""
    accepted = {}
    for text in settings.LEDGER_WITNESSES:
        try:
            witness = verify.parse_vkey(text.strip())
        except verify.VerificationError as error:
            raise ImproperlyConfigured(f"MICROCOURT_LEDGER_WITNESSES: {error}") from None
        if witness.sig_type != verify.SIG_COSIGNATURE:
            raise ImproperlyConfigured(
                f"MICROCOURT_LEDGER_WITNESSES: {text} is not a cosigner key (type 0x04)"
            )
        accepted[witness.name, witness.key_id] = witness
    return accepted


@functools.cache
def _case_key() -> bytes:
    if settings.LEDGER_CASE_KEY:
        return base64.b64decode(settings.LEDGER_CASE_KEY, validate=True)
    return hmac.new(
        settings.SECRET_KEY.encode(), b"microcourt ledger case reference", hashlib.sha256
    ).digest()


def case_ref(case_id: int) -> str:
    """The pseudonym of a case in the public part: stable, unlinkable without the key."""
    return hmac.new(_case_key(), f"case:{case_id}".encode(), hashlib.sha256).hexdigest()[:16]


def clear_caches() -> None:
    for cached in (signing_key, vkey, verifier, witnesses, _case_key):
        cached.cache_clear()


@receiver(setting_changed)
def _settings_changed(*, setting: str, **kwargs: object) -> None:
    if setting.startswith("LEDGER_") or setting == "SECRET_KEY":
        clear_caches()

"""The bank that pays people (案款发放, mass refunds), behind ``settings.PAYOUT_BACKEND``.

A backend transfers once per idempotency key: a key it has seen is not transferred again,
and the first transfer's reference is returned, as a bank's idempotent transfer API
answers. The default :class:`LocalTransferBackend` records transfers in an append-only
JSON-lines file under ``DATA_DIR`` and keeps that promise itself (ARCHITECTURE §4.13: the
default runs locally and really).
"""

from __future__ import annotations

import fcntl
import json
import os
import secrets
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

from microcourt.core.crypto import mask

DEFAULT_BACKEND = "microcourt.payments.providers.bank.LocalTransferBackend"


class TransferRefused(Exception):
    """The bank refused the transfer for good (closed account, name mismatch)."""


@dataclass(frozen=True)
class TransferResult:
    reference: str
    replayed: bool  # the bank had this key already and did not transfer again


class LocalTransferBackend:
    """A bank on this machine: each transfer is one line of ``DATA_DIR/payouts.jsonl``,
    keyed by the idempotency key."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = Path(path or Path(settings.DATA_DIR) / "payouts.jsonl")

    def transfer(
        self,
        *,
        idempotency_key: str,
        amount: Decimal,
        bank_name: str,
        account_number: str,
        account_name: str,
    ) -> TransferResult:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            for record in self._read(fd):
                if record.get("key") == idempotency_key:
                    return TransferResult(reference=record["reference"], replayed=True)
            at = timezone.now()
            record = {
                "key": idempotency_key,
                "reference": f"BT{at:%Y%m%d%H%M%S}{secrets.token_hex(6).upper()}",
                "amount": format(amount, "f"),
                "bank": bank_name,
                # The bank's own record, not ours to keep in clear: masked.
                "account": mask(account_number, keep_start=4, keep_end=4),
                "name": account_name,
                "at": at.isoformat(timespec="seconds"),
            }
            line = json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n"
            os.write(fd, line.encode("utf-8"))  # one write: O_APPEND keeps lines whole
            os.fsync(fd)
            return TransferResult(reference=record["reference"], replayed=False)
        finally:
            os.close(fd)  # also releases the lock

    @staticmethod
    def _read(fd: int) -> list[dict]:
        os.lseek(fd, 0, os.SEEK_SET)
        chunks = []
        while chunk := os.read(fd, 1 << 16):
            chunks.append(chunk)
        records = []
        for line in b"".join(chunks).splitlines():
            try:
                records.append(json.loads(line))
            except ValueError:
                continue  # a torn last line: that transfer never completed
        return records


def get_backend():
    return import_string(getattr(settings, "PAYOUT_BACKEND", DEFAULT_BACKEND))()

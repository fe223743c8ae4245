"""Payouts to people (案款发放, mass refunds): a payee proves identity and gives a bank
account; batches of payouts run exactly once per payee even if a worker is killed mid-batch
(issue 5 item 5).

Exactly once rests on two things. Each payout is claimed with a conditional UPDATE
(pending → sending, stamped ``claimed_at``), so two workers never send the same payout at
once. And every attempt carries the payout's ``idempotency_key`` to the bank, which refuses
a second transfer for a key it has seen and answers with the first: a worker killed after
the bank paid but before our row said so leaves a claim that goes stale after
:data:`STALE_CLAIM`; the next run claims it again and sends the same key, and the bank
does not pay twice.

The bank sits behind ``settings.PAYOUT_BACKEND``; the default
:class:`LocalTransferBackend` records transfers in an append-only JSON-lines file under
``DATA_DIR`` and keeps that promise itself.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import os
import re
import secrets
import uuid
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

from microcourt.core.actor import Actor
from microcourt.core.crypto import mask
from microcourt.core.effects import on_commit
from microcourt.core.errors import Forbidden, InvalidInput
from microcourt.core.money import display, parse_amount
from microcourt.identity import selectors as identity_selectors
from microcourt.ledger import actions as ledger
from microcourt.notifications import actions as notifications

from . import accounts
from .events import LedgerEvent
from .models import PayeeAccount, Payout, PayoutBatch, PayoutBatchStatus, PayoutStatus
from .states import STAFF

DEFAULT_BACKEND = "microcourt.payments.payouts.LocalTransferBackend"
# A claim older than this belongs to a worker that died: the payout is sent again, same key.
STALE_CLAIM = dt.timedelta(minutes=5)
ACCOUNT_NUMBER = re.compile(r"[0-9]{8,30}")


# --------------------------------------------------------------------------- the bank


class TransferRefused(Exception):
    """The bank refused the transfer for good (closed account, name mismatch)."""


@dataclass(frozen=True)
class TransferResult:
    reference: str
    replayed: bool  # the bank had this key already and did not transfer again


class LocalTransferBackend:
    """A bank on this machine: each transfer is one line of ``DATA_DIR/payouts.jsonl``,
    keyed by the idempotency key. A key seen before is not transferred again; the first
    transfer's reference is returned, as a bank's idempotent transfer API answers."""

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


# --------------------------------------------------------------------------- payees


@transaction.atomic
def payee_account_register(
    *, user, bank_name: str, account_number: str, account_name: str, actor: Actor
) -> PayeeAccount:
    """A real-name verified person gives a bank account in their own verified name."""
    if actor.user_id != user.pk and actor.role not in STAFF:
        raise Forbidden(_("只能登记本人的收款账户"))
    if not identity_selectors.is_verified(user):
        raise InvalidInput(
            _("请先完成实名认证"), fields={"verification": _("收款人须先完成实名认证")}
        )
    bank_name = (bank_name or "").strip()
    if not bank_name:
        raise InvalidInput(_("请填写开户银行"), fields={"bank_name": _("请填写开户银行")})
    number = re.sub(r"[\s-]", "", account_number or "")
    if not ACCOUNT_NUMBER.fullmatch(number):
        raise InvalidInput(
            _("银行账号格式不正确"), fields={"account_number": _("请输入8至30位数字")}
        )
    account_name = (account_name or "").strip()
    if account_name != user.real_name.name:
        raise InvalidInput(
            _("户名与实名认证姓名不一致"),
            fields={"account_name": _("户名须与实名认证的姓名一致")},
        )
    payee = PayeeAccount.objects.create(
        user=user, bank_name=bank_name, account_number=number, account_name=account_name
    )
    ledger.record(
        code=LedgerEvent.PAYEE_REGISTERED,
        actor=actor,
        data={
            "payee": payee.pk,
            "user": user.pk,
            "bank": bank_name,
            "account": payee.masked_number,
        },
    )
    return payee


# --------------------------------------------------------------------------- batches


@transaction.atomic
def payout_batch_create(
    *, actor: Actor, items: list[tuple[PayeeAccount, Decimal | str, int | None]]
) -> PayoutBatch:
    """Court staff make a batch: one payout per (payee account, amount, case)."""
    if actor.role not in STAFF:
        raise Forbidden(_("只有法院工作人员可以发起付款"))
    if not items:
        raise InvalidInput(_("付款批次不能为空"), fields={"items": _("请至少添加一笔付款")})
    batch = PayoutBatch.objects.create(created_by=actor.user)
    total = Decimal("0.00")
    for payee, amount, case_id in items:
        value = parse_amount(amount, field="amount", allow_zero=False)
        total += value
        Payout.objects.create(
            batch=batch,
            payee=payee,
            case_id=case_id,
            amount=value,
            idempotency_key=f"PO-{uuid.uuid4().hex}",
        )
    on_commit(_run_later, batch.pk)
    ledger.record(
        code=LedgerEvent.PAYOUT_BATCH_CREATED,
        actor=actor,
        data={"batch": batch.pk, "count": len(items), "total": str(total)},
    )
    return batch


def _run_later(batch_id: int) -> None:
    from .tasks import payout_batch_run as task

    task.enqueue(batch_id)


def _claimable(now: dt.datetime) -> Q:
    return Q(status=PayoutStatus.PENDING) | Q(
        status=PayoutStatus.SENDING, claimed_at__lt=now - STALE_CLAIM
    )


def payout_batch_run(batch_id: int) -> dict[str, int]:
    """Send every payout of the batch that is pending or whose claim went stale; returns
    counts by outcome. Safe to run twice, concurrently, or after a killed run."""
    backend = get_backend()
    counts = {"sent": 0, "failed": 0, "skipped": 0}
    PayoutBatch.objects.filter(pk=batch_id, status=PayoutBatchStatus.OPEN).update(
        status=PayoutBatchStatus.RUNNING, updated_at=timezone.now()
    )
    candidates = Payout.objects.filter(_claimable(timezone.now()), batch_id=batch_id)
    for payout in list(candidates.select_related("payee")):
        now = timezone.now()
        claimed = Payout.objects.filter(
            _claimable(now), pk=payout.pk, status=payout.status, claimed_at=payout.claimed_at
        ).update(
            status=PayoutStatus.SENDING,
            claimed_at=now,
            updated_at=now,
            attempts=payout.attempts + 1,
        )
        if claimed != 1:  # another worker has it
            counts["skipped"] += 1
            continue
        try:
            result = backend.transfer(
                idempotency_key=payout.idempotency_key,
                amount=payout.amount,
                bank_name=payout.payee.bank_name,
                account_number=payout.payee.account_number,
                account_name=payout.payee.account_name,
            )
        except TransferRefused as exc:
            _payout_mark_failed(payout_id=payout.pk, reason=str(exc))
            counts["failed"] += 1
            continue
        _payout_mark_sent(payout_id=payout.pk, reference=result.reference)
        counts["sent"] += 1
    if not Payout.objects.filter(
        batch_id=batch_id, status__in=[PayoutStatus.PENDING, PayoutStatus.SENDING]
    ).exists():
        PayoutBatch.objects.filter(pk=batch_id).update(
            status=PayoutBatchStatus.DONE, updated_at=timezone.now()
        )
    return counts


@transaction.atomic
def _payout_mark_sent(*, payout_id: int, reference: str) -> None:
    payout = (
        Payout.objects.select_for_update(of=("self",))
        .select_related("payee__user")
        .get(pk=payout_id)
    )
    if payout.status != PayoutStatus.SENDING:
        return
    now = timezone.now()
    payout.status, payout.provider_ref, payout.sent_at = PayoutStatus.SENT, reference[:64], now
    payout.save(update_fields=["status", "provider_ref", "sent_at", "updated_at"])
    accounts.movement_record(
        kind="payout", amount=payout.amount, case_id=payout.case_id, note=reference
    )
    ledger.record(
        code=LedgerEvent.PAYOUT_SENT,
        actor=Actor.system("payout batch"),
        case_id=payout.case_id,
        data={
            "payout": payout.pk,
            "batch": payout.batch_id,
            "amount": str(payout.amount),
            "reference": payout.provider_ref,
            "account": payout.payee.masked_number,
        },
    )
    notifications.notify(
        recipient=payout.payee.user,
        event="payments.payout_sent",
        title=str(_("法院已向您付款")),
        body=str(
            _("%(amount)s 已转入您尾号 %(tail)s 的银行账户。")
            % {"amount": display(payout.amount), "tail": payout.payee.account_number[-4:]}
        ),
        idempotency_key=f"payments.payout_sent:{payout.idempotency_key}",
    )


@transaction.atomic
def _payout_mark_failed(*, payout_id: int, reason: str) -> None:
    payout = Payout.objects.select_for_update().get(pk=payout_id)
    if payout.status != PayoutStatus.SENDING:
        return
    payout.status, payout.failure = PayoutStatus.FAILED, reason[:200]
    payout.save(update_fields=["status", "failure", "updated_at"])
    ledger.record(
        code=LedgerEvent.PAYOUT_FAILED,
        actor=Actor.system("payout batch"),
        case_id=payout.case_id,
        data={"payout": payout.pk, "batch": payout.batch_id, "reason": payout.failure},
    )


def payouts_resume() -> list[int]:
    """Run every batch that has payouts pending or with a stale claim (a killed worker)."""
    batch_ids = sorted(
        set(Payout.objects.filter(_claimable(timezone.now())).values_list("batch_id", flat=True))
    )
    for batch_id in batch_ids:
        payout_batch_run(batch_id)
    return batch_ids

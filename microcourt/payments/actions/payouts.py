"""Payouts to people (案款发放, mass refunds): a payee proves identity and gives a bank
account; batches of payouts run exactly once per payee even if a worker is killed mid-batch
(issue 5 item 5).

Exactly once rests on two things. Each payout is claimed (pending → sending, stamped
``claimed_at``) on its locked row through the payout's state machine, so two workers never
send the same payout at once. And every attempt carries the payout's ``idempotency_key`` to
the bank (``providers.bank``), which refuses a second transfer for a key it has seen and
answers with the first: a worker killed after the bank paid but before our row said so
leaves a claim that goes stale after :data:`STALE_CLAIM`; the next run claims it again and
sends the same key, and the bank does not pay twice.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from decimal import Decimal

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from microcourt.core.actor import Actor
from microcourt.core.effects import on_commit
from microcourt.core.errors import Conflict, InvalidInput
from microcourt.core.money import display, parse_amount
from microcourt.identity import selectors as identity_selectors
from microcourt.ledger import actions as ledger
from microcourt.notifications import actions as notifications

from .. import policies
from ..events import LedgerEvent
from ..models import PayeeAccount, Payout, PayoutBatch, PayoutStatus
from ..providers.bank import TransferRefused, get_backend
from ..states import PAYOUT, PAYOUT_BATCH
from .accounts import movement_record

# A claim older than this belongs to a worker that died: the payout is sent again, same key.
STALE_CLAIM = dt.timedelta(minutes=5)
ACCOUNT_NUMBER = re.compile(r"[0-9]{8,30}")
SYSTEM = Actor.system("payout batch")


# --------------------------------------------------------------------------- payees


@transaction.atomic
def payee_account_register(
    *, user, bank_name: str, account_number: str, account_name: str, actor: Actor
) -> PayeeAccount:
    """A real-name verified person gives a bank account in their own verified name (or the
    court's account keepers record it at the counter: ``policies.require_register_payee``)."""
    policies.require_register_payee(actor, user)
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
    """Court staff make a batch: one payout per (payee account, amount, case). Who may:
    ``policies.require_make_payouts`` (for a case's money, its court's people)."""
    actor = policies.require_make_payouts(actor, [case_id for _p, _a, case_id in items])
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
    from ..tasks import payout_batch_run as task

    task.enqueue(batch_id)


def _claimable(now: dt.datetime) -> Q:
    return Q(status=PayoutStatus.PENDING) | Q(
        status=PayoutStatus.SENDING, claimed_at__lt=now - STALE_CLAIM
    )


def _batch_move(batch_id: int, transition: str) -> None:
    """Move the batch if it is where the transition starts; another worker having moved it
    first is no error."""
    with transaction.atomic():
        batch = PayoutBatch.objects.select_for_update().get(pk=batch_id)
        if batch.status not in PAYOUT_BATCH[transition].sources:
            return
        try:
            PAYOUT_BATCH.apply(batch, transition, actor=SYSTEM)
        except Conflict:
            return


@transaction.atomic
def _payout_claim(payout: Payout) -> Payout | None:
    """Claim one payout for this worker, or ``None`` when another worker has it. The row is
    locked and read again: a claim made meanwhile (even a re-claim of a stale one, which the
    state alone does not show) changes ``claimed_at``, and this worker steps back."""
    now = timezone.now()
    locked = (
        Payout.objects.select_for_update(of=("self",))
        .select_related("payee")
        .filter(_claimable(now), pk=payout.pk, claimed_at=payout.claimed_at)
        .first()
    )
    if locked is None or locked.status != payout.status:
        return None
    try:
        return PAYOUT.apply(
            locked,
            "claim",
            actor=SYSTEM,
            note=f"attempt {locked.attempts + 1}",
            updates={"claimed_at": now, "attempts": locked.attempts + 1},
        )
    except Conflict:
        return None


def payout_batch_run(batch_id: int) -> dict[str, int]:
    """Send every payout of the batch that is pending or whose claim went stale; returns
    counts by outcome. Safe to run twice, concurrently, or after a killed run."""
    backend = get_backend()
    counts = {"sent": 0, "failed": 0, "skipped": 0}
    _batch_move(batch_id, "start")
    candidates = Payout.objects.filter(_claimable(timezone.now()), batch_id=batch_id)
    for candidate in list(candidates):
        payout = _payout_claim(candidate)
        if payout is None:  # another worker has it
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
        _batch_move(batch_id, "finish")
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
    PAYOUT.apply(
        payout,
        "sent",
        actor=SYSTEM,
        updates={"provider_ref": reference[:64], "sent_at": timezone.now()},
    )
    movement_record(kind="payout", amount=payout.amount, case_id=payout.case_id, note=reference)
    notifications.notify(
        recipient=payout.payee.user,
        event="payments.payout_sent",
        params={"amount": display(payout.amount), "tail": payout.payee.account_number[-4:]},
        idempotency_key=f"payments.payout_sent:{payout.idempotency_key}",
    )


@transaction.atomic
def _payout_mark_failed(*, payout_id: int, reason: str) -> None:
    payout = (
        Payout.objects.select_for_update(of=("self",)).select_related("payee").get(pk=payout_id)
    )
    if payout.status != PayoutStatus.SENDING:
        return
    PAYOUT.apply(payout, "fail", actor=SYSTEM, note=reason[:200], updates={"failure": reason[:200]})


def payouts_resume() -> list[int]:
    """Run every batch that has payouts pending or with a stale claim (a killed worker)."""
    batch_ids = sorted(
        set(Payout.objects.filter(_claimable(timezone.now())).values_list("batch_id", flat=True))
    )
    for batch_id in batch_ids:
        payout_batch_run(batch_id)
    return batch_ids

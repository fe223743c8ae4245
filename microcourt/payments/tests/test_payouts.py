"""Payouts: a payee proves identity and gives an account in their own name; a batch
killed after the bank paid but before we recorded it, restarted after the stale window,
pays nobody twice."""

import datetime as dt
import json
from collections import Counter
from decimal import Decimal

import pytest

from microcourt.core.actor import Actor, actor_for
from microcourt.core.errors import Forbidden, InvalidInput, NotFound
from microcourt.identity import verification
from microcourt.ledger.models import Entry
from microcourt.payments import selectors
from microcourt.payments.actions import payouts
from microcourt.payments.events import LedgerEvent
from microcourt.payments.models import (
    PayeeAccount,
    Payout,
    PayoutBatch,
    PayoutBatchStatus,
    PayoutStatus,
)
from microcourt.payments.providers import bank

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _bank_records(settings, tmp_path):
    settings.DATA_DIR = tmp_path


def verify(user, clerk, name, number):
    verification.verification_in_person(
        actor=actor_for(clerk), user=user, id_type="resident_id", name=name, id_number=number
    )


@pytest.fixture
def zhang_account(plaintiff_zhang, clerk_zhao):
    verify(plaintiff_zhang, clerk_zhao, "张三", "330203199001011236")
    return payouts.payee_account_register(
        user=plaintiff_zhang,
        bank_name="中国工商银行宁波分行",
        account_number="6222 0239 0100 1234 567",
        account_name="张三",
        actor=Actor.citizen(plaintiff_zhang),
    )


@pytest.fixture
def wang_account(defendant_wang, clerk_zhao):
    verify(defendant_wang, clerk_zhao, "王五", "11010519491231002X")
    return payouts.payee_account_register(
        user=defendant_wang,
        bank_name="中国建设银行北京分行",
        account_number="6217000010001234",
        account_name="王五",
        actor=Actor.citizen(defendant_wang),
    )


def transfers_by_key(tmp_path):
    lines = (tmp_path / "payouts.jsonl").read_text(encoding="utf-8").splitlines()
    return Counter(json.loads(line)["key"] for line in lines)


def test_an_unverified_payee_is_refused(defendant_wang):
    with pytest.raises(InvalidInput) as refused:
        payouts.payee_account_register(
            user=defendant_wang,
            bank_name="中国银行",
            account_number="6217000010001234",
            account_name="王五",
            actor=Actor.citizen(defendant_wang),
        )
    assert "verification" in refused.value.fields
    assert not PayeeAccount.objects.exists()


def test_an_account_in_another_name_is_refused(plaintiff_zhang, clerk_zhao):
    verify(plaintiff_zhang, clerk_zhao, "张三", "330203199001011236")
    with pytest.raises(InvalidInput) as refused:
        payouts.payee_account_register(
            user=plaintiff_zhang,
            bank_name="中国银行",
            account_number="6217000010001234",
            account_name="李四",
            actor=Actor.citizen(plaintiff_zhang),
        )
    assert "account_name" in refused.value.fields
    assert not PayeeAccount.objects.exists()


def test_the_account_number_is_encrypted_and_masked(zhang_account):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT account_number FROM payments_payeeaccount WHERE id = %s", [zhang_account.pk]
        )
        stored = cursor.fetchone()[0]
    assert "6222023901001234567" not in stored
    assert zhang_account.masked_number == "6222***********4567"
    entry = Entry.objects.get(code=LedgerEvent.PAYEE_REGISTERED)
    assert "6222023901001234567" not in json.dumps(entry.details)


def test_only_staff_make_a_batch(zhang_account, plaintiff_zhang):
    with pytest.raises(Forbidden):
        payouts.payout_batch_create(
            actor=Actor.citizen(plaintiff_zhang), items=[(zhang_account, "100", None)]
        )
    assert not PayoutBatch.objects.exists()


def test_staff_with_no_standing_on_the_case_pay_out_none_of_its_money(
    zhang_account, officer_yinzhou, judge_qian, loan_case
):
    """A case's money goes out only on the word of its court's people on the case."""
    for user in (officer_yinzhou, judge_qian):
        with pytest.raises(NotFound):
            payouts.payout_batch_create(
                actor=actor_for(user), items=[(zhang_account, "100", loan_case.pk)]
            )
    assert not PayoutBatch.objects.exists() and not Payout.objects.exists()


def test_a_batch_killed_mid_way_and_restarted_pays_nobody_twice(
    zhang_account, wang_account, clerk_zhao, monkeypatch, tmp_path, loan_case
):
    batch = payouts.payout_batch_create(
        actor=actor_for(clerk_zhao),
        items=[
            (zhang_account, "1200.50", loan_case.pk),
            (wang_account, Decimal("800"), loan_case.pk),
        ],
    )
    first, second = batch.payouts.order_by("pk")

    # The worker dies right after the bank paid Zhang, before our row says "sent".
    original = payouts._payout_mark_sent
    killed = []

    def die_once(**kwargs):
        if not killed:
            killed.append(kwargs["payout_id"])
            raise SystemExit("worker killed")
        return original(**kwargs)

    monkeypatch.setattr(payouts, "_payout_mark_sent", die_once)
    with pytest.raises(SystemExit):
        payouts.payout_batch_run(batch.pk)
    first.refresh_from_db()
    assert first.status == PayoutStatus.SENDING
    assert transfers_by_key(tmp_path) == {first.idempotency_key: 1}

    # A restart inside the stale window leaves the fresh claim alone …
    assert payouts.payout_batch_run(batch.pk) == {"sent": 1, "failed": 0, "skipped": 0}
    first.refresh_from_db()
    assert first.status == PayoutStatus.SENDING
    # … and after it, sends the same key again: the bank does not pay twice.
    Payout.objects.filter(pk=first.pk).update(
        claimed_at=first.claimed_at - payouts.STALE_CLAIM - dt.timedelta(seconds=1)
    )
    assert payouts.payouts_resume() == [batch.pk]

    assert transfers_by_key(tmp_path) == {first.idempotency_key: 1, second.idempotency_key: 1}
    assert set(Payout.objects.values_list("status", flat=True)) == {PayoutStatus.SENT}
    first.refresh_from_db()
    assert first.attempts == 2 and first.provider_ref
    assert PayoutBatch.objects.get(pk=batch.pk).status == PayoutBatchStatus.DONE
    assert Entry.objects.filter(code=LedgerEvent.PAYOUT_SENT).count() == 2
    assert selectors.case_account(loan_case.pk)["balance"] == Decimal("-2000.50")
    # Running again finds nothing to do.
    assert payouts.payout_batch_run(batch.pk) == {"sent": 0, "failed": 0, "skipped": 0}
    assert sum(transfers_by_key(tmp_path).values()) == 2


def test_a_refused_transfer_fails_the_payout(zhang_account, clerk_zhao, monkeypatch):
    batch = payouts.payout_batch_create(
        actor=actor_for(clerk_zhao), items=[(zhang_account, "10", None)]
    )

    def refuse(self, **kwargs):
        raise bank.TransferRefused("account closed")

    monkeypatch.setattr(bank.LocalTransferBackend, "transfer", refuse)
    assert payouts.payout_batch_run(batch.pk) == {"sent": 0, "failed": 1, "skipped": 0}
    payout = Payout.objects.get()
    assert payout.status == PayoutStatus.FAILED and payout.failure == "account closed"
    assert Entry.objects.filter(code=LedgerEvent.PAYOUT_FAILED).exists()

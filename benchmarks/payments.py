"""Payments (issue 5): 10,000 sandbox payment callbacks with duplicates mixed in, on PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/microcourt_bench \
        .venv/bin/python -m benchmarks.payments

Creates 10,000 orders, has the sandbox provider sign one "paid" callback per order plus 2,000
duplicates (shuffled, so some duplicates arrive before their original), and feeds every
callback through ``payments.actions.callback_receive`` — the code path the callback URL runs
(signature check, raw callback stored, order row locked, payment recorded once, ledger
entry, notification). Reports callbacks/s and checks that exactly 10,000 distinct payments
were recorded. The payments, ledger and notification tables of that database are emptied
first: never point it at a database that matters.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import sys
import time

from benchmarks.ledger import TABLES, _ensure_database

ORDERS = int(os.environ.get("BENCH_ORDERS", "10000"))
DUPLICATES = ORDERS // 5


def main() -> int:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit("benchmarks.payments needs DATABASE_URL=postgres://… (a database it may empty)")
    _ensure_database(url)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "microcourt.settings.test")
    import django

    django.setup()
    from decimal import Decimal

    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from microcourt.identity.models import User
    from microcourt.payments import actions
    from microcourt.payments.models import Payment, PaymentOrder
    from microcourt.payments.providers.base import get_provider

    call_command("migrate", verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute(
            f"TRUNCATE payments_payment, payments_callbacklog, payments_paymentorder, "
            f"notifications_notification, {TABLES} RESTART IDENTITY CASCADE"
        )
    payer, _ = User.objects.get_or_create(username="bench_payer")
    today = timezone.localdate()
    PaymentOrder.objects.bulk_create(
        PaymentOrder(
            number=f"MCBENCH{i:010d}",
            payer=payer,
            kind="acceptance",
            description="benchmark",
            amount=Decimal("1050.00"),
            due_date=today + dt.timedelta(days=7),
            provider="sandbox",
        )
        for i in range(ORDERS)
    )
    sandbox = get_provider("sandbox")
    now = timezone.now().isoformat(timespec="seconds")
    bodies = [
        sandbox.callback_body(
            {
                "provider": "sandbox",
                "out_trade_no": f"MCBENCH{i:010d}",
                "trade_no": f"SBXBENCH{i:010d}",
                "status": "paid",
                "amount": "1050.00",
                "at": now,
            }
        )
        for i in range(ORDERS)
    ]
    rng = random.Random(7)
    deliveries = bodies + rng.sample(bodies, DUPLICATES)
    rng.shuffle(deliveries)
    signed = [(sandbox.signed_headers(b.encode()), b.encode()) for b in deliveries]
    started = time.perf_counter()
    statuses = [
        actions.callback_receive(provider="sandbox", headers=h, body=b)[0] for h, b in signed
    ]
    elapsed = time.perf_counter() - started
    payments = Payment.objects.count()
    distinct = Payment.objects.values("order").distinct().count()
    print(
        f"callbacks: {len(signed)} ({ORDERS} orders + {DUPLICATES} duplicates), "
        f"{elapsed:.1f} s, {len(signed) / elapsed:.0f} callbacks/s"
    )
    print(
        f"answered 200: {statuses.count(200)}; payments recorded: {payments}; "
        f"distinct orders paid: {distinct}; expected {ORDERS}"
    )
    ok = payments == distinct == ORDERS
    print("exactly once:", "yes" if ok else "NO")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())

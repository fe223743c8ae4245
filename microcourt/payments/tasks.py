import datetime as dt

from django_tasks import task

from microcourt.core.periodic import periodic

# Task modules are found by their app's ``tasks`` module; the sandbox provider's callback
# delivery lives with the provider, so it is imported here to be registered with the rest.
from microcourt.payments.providers.sandbox import deliver_sandbox_callback  # noqa: F401


@task()
def store_receipt(order_id: int) -> str:
    """Render, seal, store and record the electronic receipt of a paid order (idempotent)."""
    from .actions import receipts
    from .models import PaymentOrder

    order = PaymentOrder.objects.select_related("payment", "payer", "court").get(pk=order_id)
    return receipts.receipt_store(order)


@periodic(every=dt.timedelta(minutes=1))
@task()
def reconcile() -> list[str]:
    """Settle orders a provider says are paid but whose callback never arrived here."""
    from .actions import trades

    return trades.reconcile()


@task()
def refund_send(refund_id: int) -> str:
    """Send one refund to its provider (idempotent: a decided refund is not sent again)."""
    from .actions import refunds

    return refunds.refund_send(refund_id=refund_id)


@periodic(every=dt.timedelta(minutes=1))
@task()
def refunds_requery() -> list[str]:
    """Ask again about refunds still processing, with their own refund numbers."""
    from .actions import refunds

    return refunds.refunds_requery()


@task()
def payout_batch_run(batch_id: int) -> dict[str, int]:
    """Run one payout batch (safe to run twice or after a killed run)."""
    from .actions import payouts

    return payouts.payout_batch_run(batch_id)


@periodic(every=dt.timedelta(minutes=1))
@task()
def payouts_resume() -> list[int]:
    """Finish batches left with pending payouts or claims of a killed worker."""
    from .actions import payouts

    return payouts.payouts_resume()

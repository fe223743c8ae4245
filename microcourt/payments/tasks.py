import datetime as dt

from django_tasks import task

from microcourt.core.periodic import periodic

# Task modules are found by their app's ``tasks`` module; the sandbox provider's callback
# delivery lives with the provider, so it is imported here to be registered with the rest.
from microcourt.payments.providers.sandbox import deliver_sandbox_callback  # noqa: F401


@task()
def store_receipt(order_id: int) -> str:
    """Render and store the electronic receipt of a paid order (idempotent)."""
    from . import receipts
    from .models import PaymentOrder

    order = PaymentOrder.objects.select_related("payment", "payer", "court").get(pk=order_id)
    return receipts.store(order).sha256


@periodic(every=dt.timedelta(minutes=1))
@task()
def reconcile() -> list[str]:
    """Settle orders a provider says are paid but whose callback never arrived here."""
    from . import actions

    return actions.reconcile()

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from microcourt.core.errors import NotFound

from .models import PaymentOrder


def orders_of(user) -> QuerySet[PaymentOrder]:
    return (
        PaymentOrder.objects.filter(payer=user)
        .select_related("court")
        .order_by("-created_at", "-pk")
    )


def order_for(user, number: str) -> PaymentOrder:
    """The payer's own order; anyone else gets "not found" (ARCHITECTURE §4.4)."""
    order = orders_of(user).filter(number=number).first()
    if order is None:
        raise NotFound(_("没有找到该缴费单"))
    return order

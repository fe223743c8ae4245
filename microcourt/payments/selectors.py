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


def orders_for_case(case_id: int) -> QuerySet[PaymentOrder]:
    """A case's fee orders (for the court's notices and the case page)."""
    return (
        PaymentOrder.objects.filter(case_id=case_id)
        .select_related("court", "payer")
        .order_by("created_at", "pk")
    )


def overdue_case_fees(today) -> QuerySet[PaymentOrder]:
    """Unpaid acceptance fees past their due day with no relief application pending: the
    case is deemed withdrawn (《诉讼费用交纳办法》第二十二条). An approved deferral has
    already moved the due day."""
    from .models import FeeKind, OrderStatus, ReliefStatus

    return (
        PaymentOrder.objects.filter(
            case_id__isnull=False,
            kind__in=(FeeKind.ACCEPTANCE, FeeKind.APPEAL),
            status__in=(OrderStatus.PENDING, OrderStatus.FAILED),
            due_date__lt=today,
        )
        .exclude(relief_applications__status=ReliefStatus.PENDING)
        .order_by("due_date", "pk")
    )


def case_account_visible(case_id: int, user_id: int) -> bool:
    """Court staff see a case's account only when the case's fees are paid to their court."""
    from microcourt.courts import selectors as court_selectors

    return PaymentOrder.objects.filter(
        case_id=case_id, court_id__in=court_selectors.docket_court_ids(user_id)
    ).exists()

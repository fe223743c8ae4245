"""张三 files a loan case from his phone; 李立案 accepts it; the case gets its 案号, the fee
notice and the acceptance notices; 王五 is told to link to the case."""

import pytest

from microcourt.cases.models import Case, CaseParticipant
from microcourt.filing import review
from microcourt.filing.models import FilingStatus
from microcourt.ledger.models import Entry
from microcourt.notifications.models import Notification
from microcourt.payments.models import PaymentOrder

pytestmark = pytest.mark.django_db


def test_submitting_starts_the_clock_and_accepting_gives_the_case_its_number(
    submitted, officer_li, plaintiff_zhang
):
    assert submitted.status == FilingStatus.SUBMITTED
    assert submitted.review_due_at is not None
    assert submitted.content_digest.startswith("sha256:")
    filing = review.filing_accept(filing=submitted, actor=officer_li)
    case = Case.objects.get(pk=filing.case_id)
    assert case.number.startswith(f"（{case.year}）浙0203民初")
    roles = set(CaseParticipant.objects.filter(case=case).values_list("display_name", "role"))
    assert roles == {("张三", "plaintiff"), ("王五", "defendant")}
    order = PaymentOrder.objects.get(case_id=case.pk)
    assert str(order.amount) == "1050.00"
    assert Notification.objects.filter(event="filing.invitation").count() == 1
    assert Entry.objects.filter(case_id=case.pk).exists()

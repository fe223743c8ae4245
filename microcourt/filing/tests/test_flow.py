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


def test_the_complaint_assistant_writes_the_claims_facts_and_the_complaint_files(
    draft, zhang, officer_li
):
    from django.core.files.storage import default_storage
    from pypdf import PdfReader

    from microcourt.filing import actions
    from microcourt.filing.models import FilingMaterial

    from .test_complaint import SAMPLES

    answers, _parties = SAMPLES["private_lending"]
    actions.complaint_generate(filing=draft, actor=zhang, answers=answers)
    draft.refresh_from_db()
    claims = list(draft.claims.values_list("text", "amount"))
    assert claims[0][1] == 50000 and "伍万元整" in claims[0][0]
    assert claims[-1][0].startswith("本案诉讼费用由被告")
    assert "民法典" in draft.facts
    generated = FilingMaterial.objects.filter(filing=draft, generated=True, removed=False)
    assert {m.name for m in generated} == {"民事起诉状.pdf", "民事起诉状.docx"}
    pdf = generated.get(mime="application/pdf")
    with default_storage.open(pdf.path) as f:
        text = "".join(p.extract_text() for p in PdfReader(f).pages)
    assert "民 事 起 诉 状" in text and "王五" in text and "宁波市海曙区人民法院" in text
    # The answers are kept even when the assistant refuses them, so nothing typed is lost.
    bad = {**answers, "principal": "-1"}
    with pytest.raises(Exception) as refused:
        actions.complaint_generate(filing=draft, actor=zhang, answers=bad)
    assert "elements.principal" in refused.value.fields
    draft.refresh_from_db()
    assert draft.elements["principal"] == "-1"

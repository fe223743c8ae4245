"""登记立案 then 分案: the case accepted at the filing desk reaches a judge of the civil
division at once (the judge's space opens for them); where the court has no judge who may
take it, acceptance still succeeds and the case waits for the division head."""

import pytest
from django.urls import reverse

from microcourt.cases.models import CaseParticipant
from microcourt.courts.events import LedgerEvent
from microcourt.courts.models import Division, StaffAssignment
from microcourt.filing import review
from microcourt.ledger.models import Entry

pytestmark = pytest.mark.django_db


@pytest.fixture
def civil(court_haishu, judge_chen, clerk_zhao):
    division = Division.objects.create(court=court_haishu, name="民事审判第一庭", kind="civil")
    StaffAssignment.objects.filter(user__in=[judge_chen, clerk_zhao]).update(division=division)
    return division


def test_the_accepted_case_reaches_the_civil_divisions_judge_who_opens_its_space(
    client, civil, submitted, officer_li, judge_chen, clerk_zhao
):
    from microcourt.identity.tests.test_mfa import enrol_totp

    filing = review.filing_accept(filing=submitted, actor=officer_li, note="符合起诉条件")
    case = filing.case
    seated = dict(
        CaseParticipant.objects.filter(
            case=case, active=True, role__in=("judge", "clerk")
        ).values_list("role", "user_id")
    )
    assert seated == {"judge": judge_chen.pk, "clerk": clerk_zhao.pk}
    assert Entry.objects.filter(case_id=case.pk, code=LedgerEvent.CASE_ASSIGNED).exists()

    enrol_totp(judge_chen)
    client.force_login(judge_chen)
    workbench = client.get(reverse("workbench")).content.decode()
    assert case.number in workbench
    space = client.get(reverse("spaces:space", args=[case.pk]))
    assert space.status_code == 200 and case.number in space.content.decode()


def test_without_divisions_acceptance_succeeds_and_the_case_waits(submitted, officer_li):
    filing = review.filing_accept(filing=submitted, actor=officer_li, note="符合起诉条件")
    assert filing.case.status == "accepted"
    assert not filing.case.participants.filter(role="judge").exists()
    assert Entry.objects.filter(case_id=filing.case.pk, code=LedgerEvent.CASE_QUEUED).exists()

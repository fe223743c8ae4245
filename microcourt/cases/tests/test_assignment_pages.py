"""The pages of 分案: the judge finds a newly assigned case on the workbench and opens its
space; the 庭长 assigns from the queue page (CSRF form, errors naming the field); nobody
else reaches that page or its form; the judge's workbench has no 立案审查 link that 404s."""

import random

import pytest
from django.urls import reverse

from microcourt.cases import actions
from microcourt.courts.events import LedgerEvent
from microcourt.courts.models import Division, StaffAssignment
from microcourt.courts.tests.factories import CourtFactory, StaffFactory
from microcourt.ledger.models import Entry

pytestmark = pytest.mark.django_db


def staff_login(client, user):
    """Court staff log in with a second factor (enrolled here, as the set-up page does)."""
    from allauth.mfa.models import Authenticator

    from microcourt.identity.tests.test_mfa import enrol_totp

    if not Authenticator.objects.filter(user=user).exists():
        enrol_totp(user)
    client.force_login(user)


@pytest.fixture
def civil(court_haishu, judge_chen, clerk_zhao):
    division = Division.objects.create(court=court_haishu, name="民事审判第一庭", kind="civil")
    StaffAssignment.objects.filter(user__in=[judge_chen, clerk_zhao]).update(division=division)
    return division


@pytest.fixture
def head_feng(court_haishu, civil):
    return StaffFactory(
        court=court_haishu,
        division=civil,
        role="division_head",
        user__username="head_feng",
        user__display_name="冯庭长",
    ).user


@pytest.fixture
def accepted(loan_case, officer_li, civil):
    return actions.case_accept(case=loan_case, actor=officer_li)


def test_the_judge_finds_the_new_case_on_the_workbench_and_opens_its_space(
    client, accepted, officer_li, judge_chen
):
    actions.case_assign(case=accepted, actor=officer_li, rng=random.Random(1))
    staff_login(client, judge_chen)
    page = client.get(reverse("workbench"))
    html = page.content.decode()
    assert page.status_code == 200
    assert accepted.number in html and accepted.title in html
    assert "已受理" in html  # the stage
    assert "审限届满" in html  # the next deadline
    space_url = reverse("spaces:space", args=[accepted.pk])
    assert f'href="{space_url}"' in html
    assert f'href="{reverse("filing:case", args=[accepted.pk])}"' in html
    space = client.get(space_url)
    assert space.status_code == 200
    assert accepted.number in space.content.decode()


def test_unread_messages_in_the_case_space_are_counted_on_the_workbench(
    client, accepted, officer_li, judge_chen, zhang
):
    from microcourt.spaces import actions as space_actions

    actions.case_assign(case=accepted, actor=officer_li, rng=random.Random(1))
    for text in ("法官您好", "请问何时开庭"):
        space_actions.message_post(case=accepted, actor=zhang, text=text)
    staff_login(client, judge_chen)
    html = client.get(reverse("workbench")).content.decode()
    assert '<strong class="mc-unread">2</strong>' in html


def test_a_judge_without_the_filing_desk_sees_no_link_to_it(client, judge_chen, officer_li):
    staff_login(client, judge_chen)
    html = client.get(reverse("workbench")).content.decode()
    assert reverse("filing:desk") not in html
    staff_login(client, officer_li.user)
    html = client.get(reverse("workbench")).content.decode()
    assert reverse("filing:desk") in html
    assert client.get(reverse("filing:desk")).status_code == 200


def test_the_head_assigns_a_waiting_case_from_the_queue_page(
    client, accepted, head_feng, judge_chen
):
    staff_login(client, head_feng)
    board = client.get(reverse("workbench_assignment"))
    assert board.status_code == 200
    html = board.content.decode()
    assert accepted.number in html and "等待分案" in html and "陈法官" in html
    assert "csrfmiddlewaretoken" in html
    answer = client.post(reverse("workbench_assign", args=[accepted.pk]), {"judge": judge_chen.pk})
    assert answer.status_code == 302
    assert accepted.participants.filter(user=judge_chen, role="judge", active=True).exists()
    assert Entry.objects.filter(case_id=accepted.pk, code=LedgerEvent.CASE_ASSIGNED).exists()


def test_a_reassignment_without_a_reason_names_the_field_and_changes_nothing(
    client, accepted, head_feng, judge_chen, court_haishu, civil
):
    other = StaffFactory(
        court=court_haishu, division=civil, role="judge", user__display_name="林法官"
    ).user
    staff_login(client, head_feng)
    client.post(reverse("workbench_assign", args=[accepted.pk]), {"judge": judge_chen.pk})
    answer = client.post(
        reverse("workbench_assign", args=[accepted.pk]), {"judge": other.pk, "reason": ""}
    )
    assert answer.status_code == 400
    html = answer.content.decode()
    assert "请填写变更承办法官的理由" in html
    assert f'id="reason-{accepted.pk}"' in html and 'aria-invalid="true"' in html
    assert accepted.participants.filter(user=judge_chen, role="judge", active=True).exists()


def test_nobody_but_the_head_reaches_the_queue_or_its_form(
    client, accepted, judge_chen, officer_li, on_panel
):
    on_panel(accepted, judge_chen)
    elsewhere = CourtFactory(code="浙0204", name="宁波市江北区人民法院")
    Division.objects.create(court=elsewhere, name="民事审判第一庭", kind="civil")
    other_head = StaffFactory(court=elsewhere, role="division_head").user
    for who in (judge_chen, officer_li.user):
        staff_login(client, who)
        assert client.get(reverse("workbench_assignment")).status_code == 404
    # Another court's head has a board of their own, without this court's cases.
    staff_login(client, other_head)
    board = client.get(reverse("workbench_assignment"))
    assert board.status_code == 200 and accepted.number not in board.content.decode()
    for who in (judge_chen, officer_li.user, other_head):
        staff_login(client, who)
        answer = client.post(
            reverse("workbench_assign", args=[accepted.pk]), {"judge": judge_chen.pk}
        )
        assert answer.status_code == 404
    assert not Entry.objects.filter(case_id=accepted.pk, code=LedgerEvent.CASE_REASSIGNED)


def test_the_head_sets_the_divisions_rule_on_the_board(client, head_feng, civil, judge_chen):
    from microcourt.courts.models import AssignmentRule

    staff_login(client, head_feng)
    url = reverse("workbench_assignment")
    wrong = client.post(url, {"division": civil.pk, "kind": "lottery"})
    assert wrong.status_code == 400
    assert "请选择有效的分案方式" in wrong.content.decode()
    assert not AssignmentRule.objects.exists()
    assert client.post(url, {"division": civil.pk, "kind": "rotation"}).status_code == 302
    assert AssignmentRule.objects.get(division=civil).kind == "rotation"
    assert Entry.objects.filter(code=LedgerEvent.ASSIGNMENT_RULE_SET).count() == 1
    # A judge of the division cannot.
    staff_login(client, judge_chen)
    assert client.post(url, {"division": civil.pk, "kind": "manual"}).status_code == 404
    assert AssignmentRule.objects.get(division=civil).kind == "rotation"


def test_the_head_grants_回避_from_the_board_and_the_case_goes_to_another_judge(
    client, accepted, head_feng, judge_chen, court_haishu, civil
):
    other = StaffFactory(
        court=court_haishu, division=civil, role="judge", user__display_name="林法官"
    ).user
    staff_login(client, head_feng)
    client.post(reverse("workbench_assign", args=[accepted.pk]), {"judge": judge_chen.pk})
    board = client.get(reverse("workbench_assignment")).content.decode()
    assert reverse("workbench_recusal", args=[accepted.pk]) in board and "准许回避" in board
    # Without a reason: refused naming the field, the judge stays.
    refused = client.post(
        reverse("workbench_recusal", args=[accepted.pk]), {"user": judge_chen.pk, "reason": ""}
    )
    assert refused.status_code == 400
    html = refused.content.decode()
    assert f'id="recusal-reason-{accepted.pk}"' in html and 'aria-invalid="true"' in html
    assert accepted.participants.filter(user=judge_chen, role="judge", active=True).exists()
    # With one: 陈法官 leaves the panel and the rule gives the case to the division's other judge.
    answer = client.post(
        reverse("workbench_recusal", args=[accepted.pk]),
        {"user": judge_chen.pk, "reason": "承办法官与被告系近亲属（民诉法第四十七条）"},
    )
    assert answer.status_code == 302
    assert not accepted.participants.filter(user=judge_chen, role="judge", active=True).exists()
    assert accepted.participants.filter(user=other, role="judge", active=True).exists()
    assert Entry.objects.filter(case_id=accepted.pk, code=LedgerEvent.RECUSAL_GRANTED).exists()


def test_only_the_head_grants_回避(client, accepted, head_feng, judge_chen, officer_li):
    staff_login(client, head_feng)
    client.post(reverse("workbench_assign", args=[accepted.pk]), {"judge": judge_chen.pk})
    for who in (judge_chen, officer_li.user):
        staff_login(client, who)
        answer = client.post(
            reverse("workbench_recusal", args=[accepted.pk]),
            {"user": judge_chen.pk, "reason": "不想办"},
        )
        assert answer.status_code == 404
    assert accepted.participants.filter(user=judge_chen, role="judge", active=True).exists()
    assert not Entry.objects.filter(case_id=accepted.pk, code=LedgerEvent.RECUSAL_GRANTED)

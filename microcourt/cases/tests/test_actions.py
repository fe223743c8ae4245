"""The case's life: opened, accepted with its 案号, tried, closed or withdrawn; who may do
what; and the ledger entry each action leaves."""

import pytest

from microcourt.cases import actions
from microcourt.cases.events import LedgerEvent
from microcourt.cases.models import Case, CaseParticipant, CaseStatus
from microcourt.cases.states import CASE
from microcourt.core.actor import Actor
from microcourt.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from microcourt.ledger.models import Entry


def entries(case, code):
    return Entry.objects.filter(case_id=case.pk, code=code)


def test_every_state_is_reachable_from_filed():
    assert CASE.reachable() == set(CaseStatus.values)


@pytest.mark.django_db
def test_zhang_files_and_the_opening_is_recorded(open_case, plaintiff_zhang):
    case = open_case()
    assert case.status == CaseStatus.FILED and case.number is None
    assert str(case.amount_claimed) == "12000.50" and case.filed_by == plaintiff_zhang
    entry = entries(case, LedgerEvent.CASE_OPENED).get()
    assert entry.actor_user == plaintiff_zhang and entry.details["case_type"] == "民初"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"title": "  "}, "title"),
        ({"cause": ""}, "cause"),
        ({"title": "长" * 201}, "title"),
        ({"amount_claimed": "-1"}, "amount_claimed"),
        ({"amount_claimed": "abc"}, "amount_claimed"),
    ],
)
def test_bad_input_names_the_field_and_opens_nothing(open_case, overrides, field):
    with pytest.raises(InvalidInput) as caught:
        open_case(**overrides)
    assert field in caught.value.fields
    assert not Case.objects.exists()


@pytest.mark.django_db
def test_the_whole_walk_accept_try_close_each_step_in_the_ledger(
    loan_case, officer_li, panel_judge
):
    judge = panel_judge
    case = actions.case_accept(case=loan_case, actor=officer_li, note="符合起诉条件")
    assert case.accepted_at is not None
    actions.case_start_trial(case=case, actor=judge)
    actions.case_close(case=case, actor=judge, note="判决")
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED and case.number == "（2026）浙0203民初1号"
    accepted = entries(case, LedgerEvent.CASE_ACCEPTED).get()
    assert accepted.details["to"] == "accepted" and accepted.details["note"] == "符合起诉条件"
    assert entries(case, LedgerEvent.CASE_NUMBER_ASSIGNED).get().details["number"] == case.number
    assert entries(case, LedgerEvent.CASE_TRIAL_STARTED).exists()
    assert entries(case, LedgerEvent.CASE_CLOSED).exists()


@pytest.mark.django_db
def test_unpaid_fees_let_the_system_deem_the_case_withdrawn(loan_case, officer_li):
    actions.case_accept(case=loan_case, actor=officer_li)
    system = Actor.system("fee unpaid: 按撤诉处理")
    actions.case_withdraw(case=loan_case, actor=system)
    assert Case.objects.get(pk=loan_case.pk).status == CaseStatus.WITHDRAWN
    entry = entries(loan_case, LedgerEvent.CASE_WITHDRAWN).get()
    assert entry.actor_label == "system:fee unpaid: 按撤诉处理"


@pytest.mark.django_db
def test_a_citizen_cannot_accept_even_their_own_case(loan_case, zhang):
    with pytest.raises(Forbidden):
        actions.case_accept(case=loan_case, actor=zhang)
    loan_case.refresh_from_db()
    assert loan_case.status == CaseStatus.FILED and loan_case.number is None
    assert not entries(loan_case, LedgerEvent.CASE_ACCEPTED).exists()


@pytest.mark.django_db
def test_claiming_a_role_one_does_not_hold_at_the_court_counts_for_nothing(
    loan_case, judge_chen, clerk_zhao, on_panel
):
    # 陈法官 is a judge at 海曙 but not on this case: claiming to be its administrator does
    # not show him the case.
    claimed = Actor(user=judge_chen, role="court_admin", court_id=loan_case.court_id)
    with pytest.raises(NotFound):
        actions.case_accept(case=loan_case, actor=claimed)
    # 赵书记员 is the case's clerk: claiming to be a filing officer does not let him accept.
    on_panel(loan_case, clerk_zhao, role="clerk")
    claimed = Actor(user=clerk_zhao, role="filing_officer", court_id=loan_case.court_id)
    with pytest.raises(Forbidden):
        actions.case_accept(case=loan_case, actor=claimed)
    loan_case.refresh_from_db()
    assert loan_case.status == CaseStatus.FILED and loan_case.number is None


@pytest.mark.django_db
def test_staff_of_another_court_cannot_even_find_the_case(loan_case):
    from microcourt.courts.tests.factories import StaffFactory

    stranger = StaffFactory(role="filing_officer")
    actor = Actor(user=stranger.user, role="filing_officer", court_id=stranger.court_id)
    with pytest.raises(NotFound):
        actions.case_accept(case=loan_case, actor=actor)


@pytest.mark.django_db
def test_a_stale_accept_conflicts_and_no_second_number_is_used(loan_case, officer_li, panel_judge):
    judge = panel_judge
    stale = Case.objects.get(pk=loan_case.pk)
    actions.case_accept(case=loan_case, actor=officer_li)
    with pytest.raises(Conflict):
        actions.case_accept(case=stale, actor=judge)
    assert entries(loan_case, LedgerEvent.CASE_NUMBER_ASSIGNED).count() == 1
    from microcourt.cases.models import CaseNumberCounter

    assert CaseNumberCounter.objects.get().last_serial == 1


@pytest.mark.django_db
def test_a_trial_cannot_start_before_acceptance(loan_case, panel_judge):
    judge = panel_judge
    with pytest.raises(Conflict):
        actions.case_start_trial(case=loan_case, actor=judge)


@pytest.mark.django_db
def test_participants_are_added_with_their_roles_and_recorded(
    loan_case, zhang, officer_li, judge_chen
):
    plaintiff = loan_case.participants.get(role="plaintiff")
    agent = actions.participant_add(
        case=loan_case,
        actor=zhang,
        role="agent",
        display_name="刘律师",
        represents=plaintiff,
    )
    assert agent.represents == plaintiff and agent.user is None
    offline = actions.participant_add(
        case=loan_case, actor=officer_li, role="third_party", display_name="宁波某某公司"
    )
    assert offline.user is None
    actions.participant_add(
        case=loan_case, actor=officer_li, role="judge", user=judge_chen, display_name="陈法官"
    )
    added = entries(loan_case, LedgerEvent.PARTICIPANT_ADDED)
    assert added.count() == 5  # plaintiff, defendant, agent, third party, judge
    assert {e.details["role"] for e in added} == {
        "plaintiff",
        "defendant",
        "agent",
        "third_party",
        "judge",
    }


@pytest.mark.django_db
def test_participant_rules_refuse_with_the_field(loan_case, zhang, officer_li, plaintiff_zhang):
    plaintiff = loan_case.participants.get(role="plaintiff")
    with pytest.raises(InvalidInput) as caught:
        actions.participant_add(case=loan_case, actor=zhang, role="agent", display_name="刘律师")
    assert "represents" in caught.value.fields
    with pytest.raises(InvalidInput) as caught:
        actions.participant_add(
            case=loan_case,
            actor=zhang,
            role="defendant",
            display_name="赵六",
            represents=plaintiff,
        )
    assert "represents" in caught.value.fields
    with pytest.raises(InvalidInput) as caught:
        actions.participant_add(case=loan_case, actor=zhang, role="witness?", display_name="x")
    assert "role" in caught.value.fields
    with pytest.raises(InvalidInput) as caught:
        actions.participant_add(case=loan_case, actor=zhang, role="defendant", display_name=" ")
    assert "display_name" in caught.value.fields
    with pytest.raises(Forbidden):
        actions.participant_add(
            case=loan_case, actor=zhang, role="judge", user=plaintiff_zhang, display_name="张三"
        )
    with pytest.raises(Conflict):
        actions.participant_add(
            case=loan_case,
            actor=officer_li,
            role="plaintiff",
            user=plaintiff_zhang,
            display_name="张三",
        )
    assert CaseParticipant.objects.filter(case=loan_case).count() == 2


@pytest.mark.django_db
def test_after_acceptance_only_the_court_adds_participants(loan_case, zhang, officer_li):
    actions.case_accept(case=loan_case, actor=officer_li)
    with pytest.raises(Forbidden):
        actions.participant_add(case=loan_case, actor=zhang, role="defendant", display_name="赵六")
    actions.participant_add(case=loan_case, actor=officer_li, role="defendant", display_name="赵六")

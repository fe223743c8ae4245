"""Who sees a case: its participants and its court's staff; everyone else gets 404."""

import pytest

from microcourt.cases import selectors
from microcourt.core.actor import Actor
from microcourt.core.errors import NotFound
from microcourt.courts.tests.factories import StaffFactory
from microcourt.identity.tests.factories import UserFactory


@pytest.mark.django_db
def test_the_defendant_sees_the_case(loan_case, defendant_wang):
    wang = Actor.citizen(defendant_wang)
    assert selectors.case_for(wang, loan_case.pk) == loan_case
    assert list(selectors.cases_for(wang)) == [loan_case]
    assert selectors.roles_of(wang, loan_case) == {"defendant"}


@pytest.mark.django_db
def test_a_non_participant_gets_not_found_like_a_missing_case(loan_case):
    stranger = Actor.citizen(UserFactory())
    with pytest.raises(NotFound) as hidden:
        selectors.case_for(stranger, loan_case.pk)
    with pytest.raises(NotFound) as missing:
        selectors.case_for(stranger, loan_case.pk + 1000)
    assert str(hidden.value.message) == str(missing.value.message)
    assert not selectors.cases_for(stranger).exists()


@pytest.mark.django_db
def test_staff_see_the_cases_they_are_on_and_not_others(loan_case, clerk_zhao, on_panel):
    clerk = Actor(user=clerk_zhao, role="clerk", court_id=loan_case.court_id)
    # A clerk of the court who is not on the case does not see it (ADR 0001).
    with pytest.raises(NotFound):
        selectors.case_for(clerk, loan_case.pk)
    on_panel(loan_case, clerk_zhao, role="clerk")
    assert selectors.case_for(clerk, loan_case.pk) == loan_case
    assert selectors.roles_of(clerk, loan_case) == {"clerk"}
    elsewhere = StaffFactory(role="judge")
    other = Actor(user=elsewhere.user, role="judge", court_id=elsewhere.court_id)
    with pytest.raises(NotFound):
        selectors.case_for(other, loan_case.pk)


@pytest.mark.django_db
def test_court_wide_roles_see_every_case_of_their_court_only(loan_case, officer_li):
    for role in ("filing_officer", "division_head", "court_admin"):
        here = StaffFactory(court=loan_case.court, role=role)
        actor = Actor(user=here.user, role=role, court_id=loan_case.court_id)
        assert selectors.case_for(actor, loan_case.pk) == loan_case
        assert role in selectors.roles_of(actor, loan_case)
        there = StaffFactory(role=role)
        with pytest.raises(NotFound):
            selectors.case_for(Actor(user=there.user, role=role), loan_case.pk)


@pytest.mark.django_db
def test_a_panel_member_who_left_the_court_no_longer_sees_the_case(loan_case, clerk_zhao, on_panel):
    from microcourt.courts.models import StaffAssignment

    on_panel(loan_case, clerk_zhao, role="clerk")
    StaffAssignment.objects.filter(user=clerk_zhao).update(active=False)
    with pytest.raises(NotFound):
        selectors.case_for(Actor(user=clerk_zhao, role="clerk"), loan_case.pk)


@pytest.mark.django_db
def test_external_roles_do_not_see_the_whole_docket(loan_case):
    shared = StaffFactory(court=loan_case.court, role="shared_court_staff")
    actor = Actor(user=shared.user, role="shared_court_staff", court_id=loan_case.court_id)
    with pytest.raises(NotFound):
        selectors.case_for(actor, loan_case.pk)


@pytest.mark.django_db
def test_a_deactivated_participant_no_longer_sees_the_case(loan_case, defendant_wang):
    loan_case.participants.filter(user=defendant_wang).update(active=False)
    with pytest.raises(NotFound):
        selectors.case_for(Actor.citizen(defendant_wang), loan_case.pk)


@pytest.mark.django_db
def test_roles_combine_case_roles_and_the_role_held_at_the_court(loan_case, judge_chen):
    from microcourt.cases import actions

    officer = StaffFactory(court=loan_case.court, role="filing_officer").user
    officer_actor = Actor(user=officer, role="filing_officer", court_id=loan_case.court_id)
    actions.participant_add(
        case=loan_case, actor=officer_actor, role="judge", user=judge_chen, display_name="陈法官"
    )
    judge = Actor(user=judge_chen, role="judge", court_id=loan_case.court_id)
    assert selectors.roles_of(judge, loan_case) == {"judge"}
    assert selectors.roles_of(Actor.system("sweep"), loan_case) == {"system"}


@pytest.mark.django_db
def test_listing_cases_takes_a_fixed_number_of_queries(
    open_case, plaintiff_zhang, django_assert_num_queries
):
    from microcourt.cases import actions

    zhang = Actor.citizen(plaintiff_zhang)
    for _ in range(3):
        case = open_case()
        actions.participant_add(
            case=case, actor=zhang, role="plaintiff", user=plaintiff_zhang, display_name="张三"
        )
    with django_assert_num_queries(1):
        rows = [(c.court.code, c.case_type.code) for c in selectors.cases_for(zhang)]
    assert len(rows) == 3

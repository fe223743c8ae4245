"""Standing on a case (docs/adr/0001-policies.md): who is who on 张三's case, and the role
each acts in — what the ledger records."""

import pytest

from microcourt.cases import policies
from microcourt.core.actor import Actor, actor_for
from microcourt.core.errors import Forbidden, NotFound
from microcourt.courts.tests.factories import CourtFactory, StaffFactory

pytestmark = pytest.mark.django_db


def test_each_person_acts_on_the_case_in_the_role_they_really_hold(
    loan_case, plaintiff_zhang, defendant_wang, judge_chen, clerk_zhao, on_panel
):
    on_panel(loan_case, judge_chen)
    on_panel(loan_case, clerk_zhao, role="clerk")
    head = StaffFactory(court=loan_case.court, role="division_head").user
    admin = StaffFactory(court=loan_case.court, role="court_admin").user
    expected = {
        plaintiff_zhang: ("citizen", {"plaintiff"}),
        defendant_wang: ("citizen", {"defendant"}),
        judge_chen: ("judge", {"judge"}),
        clerk_zhao: ("clerk", {"clerk"}),
        head: ("division_head", {"division_head"}),
        admin: ("court_admin", {"court_admin"}),
    }
    for user, (role, roles) in expected.items():
        # Built from the user as a request would be, whatever role it was built in.
        bound = policies.on_case(actor_for(user), loan_case)
        assert (bound.role, set(bound.case_roles)) == (role, roles), user
        court = loan_case.court_id if role != "citizen" else None
        assert bound.court_id == court


def test_a_judge_on_the_panel_and_at_another_court_acts_here_as_this_courts_judge(
    loan_case, judge_chen, on_panel
):
    StaffFactory(court=CourtFactory(), role="court_admin", user=judge_chen)
    on_panel(loan_case, judge_chen)
    bound = policies.on_case(actor_for(judge_chen), loan_case)
    assert (bound.role, bound.court_id) == ("judge", loan_case.court_id)
    # The administrator's role elsewhere gives nothing here.
    assert "court_admin" not in bound.case_roles


def test_no_standing_is_not_found_and_the_wrong_role_is_forbidden(
    loan_case, judge_chen, plaintiff_zhang, on_panel
):
    mediator = StaffFactory(court=loan_case.court, role="mediator").user
    with pytest.raises(NotFound):
        policies.on_case(actor_for(mediator), loan_case)
    with pytest.raises(NotFound):
        policies.require_court_side(actor_for(judge_chen), loan_case)
    with pytest.raises(Forbidden):
        policies.require_court_side(actor_for(plaintiff_zhang), loan_case)
    on_panel(loan_case, judge_chen)
    policies.require_court_side(actor_for(judge_chen), loan_case)
    with pytest.raises(Forbidden):
        policies.require_court_side(actor_for(judge_chen), loan_case, roles={"clerk"})


def test_only_this_courts_staff_can_be_put_on_the_panel(loan_case, officer_li, plaintiff_zhang):
    from microcourt.cases import actions
    from microcourt.core.errors import InvalidInput

    elsewhere = StaffFactory(role="judge").user
    for user in (plaintiff_zhang, elsewhere):
        with pytest.raises(InvalidInput) as refused:
            actions.participant_add(
                case=loan_case, actor=officer_li, role="judge", user=user, display_name="某"
            )
        assert "user" in refused.value.fields
    assert not loan_case.participants.filter(role="judge").exists()


def test_a_party_cannot_assign_the_panel(loan_case, zhang, judge_chen):
    from microcourt.cases import actions

    with pytest.raises(Forbidden):
        actions.participant_add(
            case=loan_case, actor=zhang, role="judge", user=judge_chen, display_name="陈法官"
        )


def test_the_system_acts_as_itself():
    system = Actor.system("test")
    assert policies.on_case(system, object()) is system

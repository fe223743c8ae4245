"""分案: an accepted case reaches a judge of its division by the division's rule, with the
judge's assistant and clerk; never a party's own account or a judge with a granted 回避; with
nobody eligible it waits in the 庭长's queue. The 庭长 assigns from the queue and reassigns with
a reason; nobody else can. Every step is in the ledger and the panel is told."""

import random

import pytest

from microcourt.cases import actions
from microcourt.cases.models import CaseParticipant
from microcourt.core.actor import Actor
from microcourt.core.errors import InvalidInput, NotFound
from microcourt.courts import actions as court_actions
from microcourt.courts.events import CASE_ASSIGNED, CASE_QUEUED, LedgerEvent
from microcourt.courts.models import AssignmentRule, Division, StaffAssignment
from microcourt.courts.tests.factories import CourtFactory, StaffFactory
from microcourt.ledger.models import Entry
from microcourt.notifications.models import Notification

pytestmark = pytest.mark.django_db


@pytest.fixture
def civil(court_haishu):
    return Division.objects.create(court=court_haishu, name="民事审判第一庭", kind="civil")


def _staff(court, division, role, username, name):
    return StaffFactory(
        court=court,
        division=division,
        role=role,
        user__username=username,
        user__display_name=name,
    ).user


@pytest.fixture
def bench(court_haishu, civil, judge_chen, clerk_zhao):
    """民一庭: 陈法官 and 林法官, 钱法官助理, 赵书记员, and 冯庭长 who heads it."""
    StaffAssignment.objects.filter(user__in=[judge_chen, clerk_zhao]).update(division=civil)
    return {
        "chen": judge_chen,
        "lin": _staff(court_haishu, civil, "judge", "judge_lin", "林法官"),
        "qian": _staff(court_haishu, civil, "judge_assistant", "assistant_qian", "钱法官助理"),
        "zhao": clerk_zhao,
        "feng": _staff(court_haishu, civil, "division_head", "head_feng", "冯庭长"),
    }


@pytest.fixture
def head_feng(bench, court_haishu):
    return Actor(user=bench["feng"], role="division_head", court_id=court_haishu.pk)


@pytest.fixture
def accepted(open_case, zhang, plaintiff_zhang, defendant_wang, officer_li):
    """A loan case 李立案 has just accepted (立案), 张三 against 王五."""

    def make(title="张三诉王五民间借贷纠纷"):
        case = open_case(title=title)
        actions.participant_add(
            case=case, actor=zhang, role="plaintiff", user=plaintiff_zhang, display_name="张三"
        )
        actions.participant_add(
            case=case, actor=zhang, role="defendant", user=defendant_wang, display_name="王五"
        )
        return actions.case_accept(case=case, actor=officer_li)

    return make


def panel(case):
    return {
        p.role: p.user_id
        for p in CaseParticipant.objects.filter(
            case=case, active=True, role__in=("judge", "judge_assistant", "clerk")
        )
    }


def ledger_for(case, code):
    return list(Entry.objects.filter(case_id=case.pk, code=int(code)).order_by("pk"))


def test_the_case_goes_to_a_judge_of_its_division_with_the_judges_assistant_and_clerk(
    bench, accepted, officer_li
):
    case = accepted()
    judge_id = actions.case_assign(case=case, actor=officer_li, rng=random.Random(1))
    seated = panel(case)
    assert judge_id in (bench["chen"].pk, bench["lin"].pk)
    assert seated == {
        "judge": judge_id,
        "judge_assistant": bench["qian"].pk,
        "clerk": bench["zhao"].pk,
    }
    [entry] = ledger_for(case, LedgerEvent.CASE_ASSIGNED)
    assert entry.details["rule"] == "weighted_random"
    told = set(
        Notification.objects.filter(event=CASE_ASSIGNED).values_list("recipient_id", flat=True)
    )
    assert told == {judge_id, bench["qian"].pk, bench["zhao"].pk}
    # Asked again (a retried acceptance), nothing changes.
    assert actions.case_assign(case=case, actor=officer_li) == judge_id
    assert len(ledger_for(case, LedgerEvent.CASE_ASSIGNED)) == 1


def test_the_judge_with_fewer_open_cases_gets_the_new_case_more_often(
    bench, accepted, officer_li, on_panel
):
    """林法官 already has three open cases, 陈法官 none: with the random source fixed, 陈
    gets most of the next ones."""
    for i in range(3):
        busy = accepted(title=f"旧案{i}")
        on_panel(busy, bench["lin"])
    rng = random.Random(99)
    got = []
    for i in range(12):
        case = accepted(title=f"新案{i}")
        got.append(actions.case_assign(case=case, actor=officer_li, rng=rng))
    assert got.count(bench["chen"].pk) > got.count(bench["lin"].pk)


def test_rotation_gives_each_judge_the_next_case_in_turn(bench, accepted, officer_li, head_feng):
    court_actions.assignment_rule_set(
        division=Division.objects.get(name="民事审判第一庭"), kind="rotation", actor=head_feng
    )
    got = [actions.case_assign(case=accepted(title=f"案{i}"), actor=officer_li) for i in range(4)]
    first, second = sorted([bench["chen"].pk, bench["lin"].pk])
    assert got == [first, second, first, second]
    rule = AssignmentRule.objects.get()
    assert rule.last_judge_id == second
    set_rule = Entry.objects.get(code=LedgerEvent.ASSIGNMENT_RULE_SET)
    assert set_rule.details["kind"] == "rotation" and set_rule.actor_user == bench["feng"]


def test_a_recused_judge_is_never_assigned(bench, accepted, officer_li, head_feng):
    case = accepted()
    actions.case_recuse(case=case, user=bench["lin"], actor=head_feng, reason="与被告系近亲属")
    for seed in range(10):
        assert actions.case_assign(case=case, actor=officer_li, rng=random.Random(seed)) == (
            bench["chen"].pk
        )
    [entry] = ledger_for(case, LedgerEvent.RECUSAL_GRANTED)
    assert entry.details["reason"] == "与被告系近亲属"


def test_a_judge_who_is_a_party_is_not_assigned_and_with_nobody_left_the_case_waits(
    bench, accepted, officer_li, head_feng, open_case, zhang
):
    """陈法官 sues in his own name; 林法官 is recused: nobody in the division may take it, so
    the case waits in 冯庭长's queue (no error) and he is told."""
    case = open_case(title="陈某诉王五民间借贷纠纷")
    actions.participant_add(
        case=case, actor=zhang, role="plaintiff", user=bench["chen"], display_name="陈某"
    )
    actions.case_accept(case=case, actor=officer_li)
    actions.case_recuse(case=case, user=bench["lin"], actor=head_feng, reason="曾担任本案证人")
    assert actions.case_assign(case=case, actor=officer_li) is None
    assert panel(case) == {}
    [entry] = ledger_for(case, LedgerEvent.CASE_QUEUED)
    assert entry.details["why"] == "no_eligible_judge"
    assert Notification.objects.filter(event=CASE_QUEUED, recipient=bench["feng"]).exists()


def test_a_court_without_divisions_queues_the_case_instead_of_failing(accepted, officer_li):
    case = accepted()
    assert actions.case_assign(case=case, actor=officer_li) is None
    assert ledger_for(case, LedgerEvent.CASE_QUEUED)[0].details["why"] == "no_division"


def test_a_manual_rule_leaves_every_case_to_the_head(bench, accepted, officer_li, head_feng):
    court_actions.assignment_rule_set(
        division=Division.objects.get(name="民事审判第一庭"), kind="manual", actor=head_feng
    )
    case = accepted()
    assert actions.case_assign(case=case, actor=officer_li) is None
    assert ledger_for(case, LedgerEvent.CASE_QUEUED)[0].details["why"] == "manual"


def test_the_head_assigns_from_the_queue_and_reassigns_with_a_reason(
    bench, accepted, officer_li, head_feng
):
    court_actions.assignment_rule_set(
        division=Division.objects.get(name="民事审判第一庭"), kind="manual", actor=head_feng
    )
    case = accepted()
    actions.case_assign(case=case, actor=officer_li)
    actions.case_assign_by_head(case=case, judge=bench["chen"], actor=head_feng)
    assert panel(case)["judge"] == bench["chen"].pk

    with pytest.raises(InvalidInput) as missing:
        actions.case_assign_by_head(case=case, judge=bench["lin"], actor=head_feng)
    assert "reason" in missing.value.fields
    assert panel(case)["judge"] == bench["chen"].pk

    actions.case_assign_by_head(case=case, judge=bench["lin"], actor=head_feng, reason="陈法官病休")
    assert panel(case)["judge"] == bench["lin"].pk
    assert not CaseParticipant.objects.filter(
        case=case, user=bench["chen"], role="judge", active=True
    ).exists()
    [entry] = ledger_for(case, LedgerEvent.CASE_REASSIGNED)
    data = entry.details
    assert data["reason"] == "陈法官病休" and data["previous"]["judge"] == bench["chen"].pk
    assert entry.actor_role == "division_head"
    assert Notification.objects.filter(event=CASE_ASSIGNED, recipient=bench["lin"]).exists()


def test_the_head_cannot_give_the_case_to_a_party_or_someone_outside_the_division(
    bench, accepted, head_feng, plaintiff_zhang, court_haishu
):
    case = accepted()
    outsider = _staff(court_haishu, None, "judge", "judge_out", "外庭法官")
    for who in (plaintiff_zhang, outsider):
        with pytest.raises(InvalidInput) as error:
            actions.case_assign_by_head(case=case, judge=who, actor=head_feng, reason="x")
        assert "judge" in error.value.fields


def test_a_judge_or_another_courts_head_cannot_reassign(bench, accepted, officer_li):
    case = accepted()
    actions.case_assign(case=case, actor=officer_li, rng=random.Random(3))
    judge = Actor(user=bench["chen"], role="judge", court_id=case.court_id)
    elsewhere = CourtFactory(code="浙0204", name="宁波市江北区人民法院")
    other_head = StaffFactory(court=elsewhere, role="division_head").user
    other = Actor(user=other_head, role="division_head", court_id=elsewhere.pk)
    for actor in (judge, other, officer_li):
        with pytest.raises(NotFound):
            actions.case_assign_by_head(case=case, judge=bench["lin"], actor=actor, reason="想换人")
    assert ledger_for(case, LedgerEvent.CASE_REASSIGNED) == []

"""分案 rules on their own: which judge each kind picks, given the candidates, their open
caseloads and the rotation pointer (``courts.assignment.choose``)."""

import random
from collections import Counter

from microcourt.courts.assignment import choose, weight
from microcourt.courts.models import AssignmentKind

K = AssignmentKind


def test_a_judge_with_fewer_open_cases_is_more_likely_to_get_the_case():
    """Judge 1 has no open case, judge 2 has three: weights 1 and 1/4, so judge 1 gets about
    four cases in five (a fixed seed: the same draws every run)."""
    rng = random.Random(20261207)
    draws = Counter(
        choose(K.WEIGHTED_RANDOM, [1, 2], load={1: 0, 2: 3}, rng=rng) for _ in range(4000)
    )
    share = draws[1] / 4000
    assert 0.77 < share < 0.83
    assert draws[2] > 0, "the busier judge still gets some: random, not least-loaded"


def test_equal_caseloads_share_the_cases_evenly():
    rng = random.Random(7)
    draws = Counter(
        choose(K.WEIGHTED_RANDOM, [5, 6, 7], load={5: 2, 6: 2, 7: 2}, rng=rng) for _ in range(3000)
    )
    assert all(900 < draws[j] < 1100 for j in (5, 6, 7))


def test_weights_fall_with_each_open_case():
    assert weight(0) == 1 and weight(1) == 0.5 and weight(3) == 0.25


def test_rotation_goes_round_the_judges_in_a_fixed_order():
    judges = [30, 10, 20]
    order, last = [], None
    for _ in range(5):
        last = choose(K.ROTATION, judges, last=last)
        order.append(last)
    assert order == [10, 20, 30, 10, 20]


def test_rotation_skips_a_judge_who_cannot_take_this_case_and_keeps_going_round():
    # Judge 20 is recused on this case: after 10 the turn passes to 30.
    assert choose(K.ROTATION, [10, 30], last=10) == 30
    # The pointer may name a judge who has since left the division.
    assert choose(K.ROTATION, [10, 30], last=25) == 30


def test_no_candidate_or_a_manual_rule_leaves_the_case_to_the_head():
    assert choose(K.WEIGHTED_RANDOM, []) is None
    assert choose(K.ROTATION, []) is None
    assert choose(K.MANUAL, [1, 2, 3]) is None


def test_the_filing_desk_roles_match_the_filing_apps_rule():
    """The workbench shows the 立案审查 link to exactly the people the filing desk serves."""
    from microcourt.courts.policies import FILING_DESK_ROLES
    from microcourt.filing import policies as filing_policies

    assert FILING_DESK_ROLES == filing_policies.OFFICER_ROLES | filing_policies.RECEIVING_ROLES

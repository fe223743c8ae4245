"""Personas and a case for the cases app's stories."""

import datetime as dt

import pytest


@pytest.fixture
def civil_first(db):
    from microcourt.cases.models import CaseType

    # get_or_create: a transactional test elsewhere may have flushed the seeded rows.
    return CaseType.objects.get_or_create(code="民初", defaults={"name": "民事一审"})[0]


@pytest.fixture
def enforcement_type(db):
    from microcourt.cases.models import CaseType

    return CaseType.objects.get_or_create(code="执", defaults={"name": "首次执行"})[0]


@pytest.fixture
def filed_2026():
    return dt.datetime(2026, 3, 2, 9, 30, tzinfo=dt.UTC)


@pytest.fixture
def open_case(court_haishu, civil_first, zhang, filed_2026):
    from microcourt.cases import actions

    def make(**overrides):
        values = {
            "court": court_haishu,
            "case_type": civil_first,
            "title": "张三诉王五民间借贷纠纷",
            "cause": "民间借贷纠纷",
            "actor": zhang,
            "filed_at": filed_2026,
            "amount_claimed": "12000.50",
        }
        values.update(overrides)
        return actions.case_open(**values)

    return make


@pytest.fixture
def loan_case(open_case, zhang, plaintiff_zhang, defendant_wang):
    """张三 files against 王五; both are parties with accounts."""
    from microcourt.cases import actions

    case = open_case()
    actions.participant_add(
        case=case, actor=zhang, role="plaintiff", user=plaintiff_zhang, display_name="张三"
    )
    actions.participant_add(
        case=case, actor=zhang, role="defendant", user=defendant_wang, display_name="王五"
    )
    return case


@pytest.fixture
def panel_judge(loan_case, judge, judge_chen, on_panel):
    """陈法官, assigned to 张三's case."""
    on_panel(loan_case, judge_chen)
    return judge

"""案号: （2026）浙0203民初1号, serials per court, type and year, parsing both ways."""

import datetime as dt

import pytest

from microcourt.cases import actions
from microcourt.cases.case_numbers import parse_case_number, render_case_number
from microcourt.cases.models import CaseNumberCounter, CaseType
from microcourt.core.errors import InvalidInput
from microcourt.courts.tests.factories import CourtFactory


def test_rendering_uses_full_width_brackets_as_court_documents_do():
    assert (
        render_case_number(year=2026, court_code="浙0203", type_code="民初", serial=1)
        == "（2026）浙0203民初1号"
    )


@pytest.mark.django_db
def test_the_first_accepted_case_gets_serial_one(open_case, officer_li):
    case = actions.case_accept(case=open_case(), actor=officer_li)
    case.refresh_from_db()
    assert case.number == "（2026）浙0203民初1号"
    assert (case.year, case.serial, case.status) == (2026, 1, "accepted")


@pytest.mark.django_db
def test_serials_count_per_court_type_and_year(
    open_case, officer_li, court_haishu, enforcement_type, filed_2026
):
    first = actions.case_accept(case=open_case(), actor=officer_li)
    second = actions.case_accept(case=open_case(), actor=officer_li)
    assert (first.serial, second.serial) == (1, 2)
    assert second.number == "（2026）浙0203民初2号"

    other_type = actions.case_accept(case=open_case(case_type=enforcement_type), actor=officer_li)
    assert other_type.number == "（2026）浙0203执1号"

    next_year = actions.case_accept(
        case=open_case(filed_at=dt.datetime(2027, 1, 4, 2, tzinfo=dt.UTC)), actor=officer_li
    )
    assert next_year.number == "（2027）浙0203民初1号"

    from microcourt.courts.tests.factories import StaffFactory

    jiangbei = CourtFactory(code="浙0205", name="宁波市江北区人民法院", parent=court_haishu.parent)
    staff = StaffFactory(court=jiangbei, role="filing_officer").user
    from microcourt.core.actor import Actor

    other_court = actions.case_accept(
        case=open_case(court=jiangbei),
        actor=Actor(user=staff, role="filing_officer", court_id=jiangbei.pk),
    )
    assert other_court.number == "（2026）浙0205民初1号"
    assert CaseNumberCounter.objects.count() == 4


@pytest.mark.django_db
def test_the_filing_year_is_china_time(open_case, officer_li):
    # 2026-12-31 17:00 UTC is already 1 January 2027 in Beijing.
    case = open_case(filed_at=dt.datetime(2026, 12, 31, 17, tzinfo=dt.UTC))
    assert actions.case_accept(case=case, actor=officer_li).number == "（2027）浙0203民初1号"


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        ("（2026）浙0203民初1号", (2026, "浙0203", "民初", 1)),
        ("(2024)浙0212民初1234号", (2024, "浙0212", "民初", 1234)),
        ("（2025）粤07民终88号", (2025, "粤07", "民终", 88)),
        ("（2025）浙民再3号", (2025, "浙", "民再", 3)),
        ("（2023）最高法民申1024号", (2023, "最高法", "民申", 1024)),
        ("（2026）浙0203执恢7号", (2026, "浙0203", "执恢", 7)),
        ("（2026）京73知民初15号", (2026, "京73", "知民初", 15)),
    ],
)
def test_parsing_reads_every_part(text, parts):
    assert tuple(parse_case_number(text)) == parts


def test_parsing_round_trips_a_rendered_number():
    parts = (2026, "浙0203", "破申", 42)
    text = render_case_number(year=2026, court_code="浙0203", type_code="破申", serial=42)
    assert tuple(parse_case_number(text)) == parts


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "请填写案号"),
        ("2026浙0203民初1号", "括号"),
        ("（2026浙0203民初1号", "右括号"),
        ("（26）浙0203民初1号", "四位数字"),
        ("（1800）浙0203民初1号", "有效范围"),
        ("（2026）浙0203民初1", "号"),
        ("（2026）0203民初1号", "法院代字"),
        ("（2026）浙020民初1号", "两位或四位"),
        ("（2026）浙02031号", "两位或四位"),
        ("（2026）浙0203-1号", "缺少类型代字"),
        ("（2026）浙0203民事初审案1号", "类型代字过长"),
        ("（2026）浙0203民初号", "缺少案件编号"),
        ("（2026）浙0203民初一号", "阿拉伯数字"),
        ("（2026）浙0203民初0号", "自然数"),
        ("（2026）浙0203民初007号", "自然数"),
    ],
)
def test_bad_numbers_are_refused_naming_the_reason(text, reason):
    with pytest.raises(InvalidInput) as caught:
        parse_case_number(text)
    assert reason in str(caught.value.fields["case_number"])
    assert reason in str(caught.value.message)


@pytest.mark.django_db
def test_seeded_type_codes_mark_only_the_2016_bankruptcy_codes_official(civil_first):
    assert CaseType.objects.filter(code__in=["民初", "执", "破申", "知民初"]).count() == 4
    official = set(CaseType.objects.filter(official=True).values_list("code", flat=True))
    assert {"破申", "破终", "破监"} <= official
    assert "民初" not in official


def test_a_type_code_is_at_most_three_chinese_characters():
    from django.core.exceptions import ValidationError

    CaseType(code="知民初", name="知识产权民事一审").full_clean(exclude=["code"])
    for bad in ("民事初审", "MC", "民1"):
        with pytest.raises(ValidationError) as caught:
            CaseType(code=bad, name="x").full_clean(validate_unique=False)
        assert "code" in caught.value.message_dict


@pytest.mark.django_db
def test_a_case_not_yet_accepted_gets_no_number(open_case):
    from microcourt.cases.case_numbers import case_number_assign
    from microcourt.core.errors import Conflict

    case = open_case()
    with pytest.raises(Conflict):
        case_number_assign(case=case)
    assert not CaseNumberCounter.objects.exists()

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from microcourt.core.errors import InvalidInput
from microcourt.core.money import display, fen, in_words, parse_amount


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("12000.50", Decimal("12000.50")),
        ("¥1,000", Decimal("1000.00")),
        (" 3 ", Decimal("3.00")),
        (500, Decimal("500.00")),
        ("100000元", Decimal("100000.00")),
    ],
)
def test_amounts_parse_to_fen(raw, expected):
    assert parse_amount(raw) == expected


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("-1", "负数"),
        ("abc", "数字"),
        ("1.234", "分"),
        ("1e20", "一万亿"),
        ("", "请填写"),
        (None, "请填写"),
        ("NaN", "数字"),
    ],
)
def test_bad_amounts_name_the_field_and_say_why(raw, reason):
    with pytest.raises(InvalidInput) as caught:
        parse_amount(raw, field="claim_amount")
    assert reason in str(caught.value.fields["claim_amount"])


def test_floats_are_refused_because_they_have_already_lost_fen():
    with pytest.raises(InvalidInput):
        parse_amount(0.1)


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        ("12000.50", "壹万贰仟元伍角"),
        ("10000", "壹万元整"),
        ("0.05", "伍分"),
        ("0", "零元整"),
        ("100000000", "壹亿元整"),
        ("1050", "壹仟零伍拾元整"),
    ],
)
def test_amounts_in_words(amount, words):
    assert in_words(Decimal(amount)) == words


def test_display_groups_thousands():
    assert display(Decimal("1234567.5")) == "¥1,234,567.50"


@given(st.integers(min_value=0, max_value=10**14))
def test_fen_amounts_survive_parsing_exactly(cents):
    text = f"{cents // 100}.{cents % 100:02d}"
    assert parse_amount(text) == Decimal(cents) / 100
    assert fen(parse_amount(text)) == parse_amount(text)

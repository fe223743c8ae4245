"""Resident ID numbers as they are really issued (GB 11643, GB/T 2260): a number carries the
county code of where its holder was registered when the card was made, which may be a
county created after their birth. 李四, born in 2001, registered later in 宁波市鄞州区
(330212, a code created in 2002), holds a real 330212 2001… number; the platform must let
him verify and be named as a party. A county code that never existed, a wrong check digit
or a birth date in the future is still refused."""

import datetime as dt

import pytest
from django.utils import timezone
from stdnum.cn import ric

from microcourt.core import idnumbers
from microcourt.core.errors import InvalidInput
from microcourt.identity import actions


def numbered(first17: str) -> str:
    """The 18-digit number with its correct check digit (GB 11643 ISO 7064 MOD 11-2)."""
    return first17 + ric.calc_check_digit(first17 + "0")


LI_SI = numbered("33021220010315123")  # 鄞州区 (since 2002), born 15 March 2001


def test_a_county_created_after_the_birth_is_accepted():
    assert not ric.is_valid(LI_SI)  # python-stdnum alone refuses it: the bug this fixes
    assert idnumbers.resident_id_validate(LI_SI) == LI_SI
    assert actions.validate_resident_id(LI_SI) == LI_SI


def test_a_county_that_was_abolished_before_the_birth_is_accepted_too():
    # 北京市崇文区 (110103) was merged into 东城区 in 2010; people registered there keep it.
    assert idnumbers.resident_id_is_valid(numbered("11010320150101123"))


@pytest.mark.parametrize(
    ("first17", "reason"),
    [
        ("99010120010315123", "地区代码"),  # no province 99
        ("33029920010315123", "地区代码"),  # no county 0299 in 浙江 in any period
        ("11990020010315123", "地区代码"),
    ],
)
def test_a_county_code_that_never_existed_is_refused(first17, reason):
    with pytest.raises(InvalidInput) as caught:
        actions.validate_resident_id(numbered(first17))
    assert reason in str(caught.value.fields["id_number"])


def test_a_wrong_check_digit_is_refused():
    wrong = LI_SI[:17] + ("1" if LI_SI[17] != "1" else "2")
    with pytest.raises(InvalidInput) as caught:
        actions.validate_resident_id(wrong)
    assert "校验位" in str(caught.value.fields["id_number"])


def test_a_birth_date_in_the_future_or_impossible_is_refused():
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    for first17 in (
        f"330212{tomorrow:%Y%m%d}123",
        "33021220990101123",
        "33021218991231123",  # before 1900
        "33021220010230123",  # 30 February
    ):
        number = numbered(first17)
        assert not idnumbers.resident_id_is_valid(number), number
        with pytest.raises(InvalidInput) as caught:
            actions.validate_resident_id(number)
        assert "出生日期" in str(caught.value.fields["id_number"]), number


def test_li_si_is_read_from_his_card_and_named_in_a_complaint():
    from microcourt.assist import idcard
    from microcourt.filing.complaint.document import PartyInfo, _check_party

    assert idcard.id_number_is_valid(LI_SI)
    # OCR glued a digit on: the window is trusted only where the number proves valid.
    assert idcard.normalize_id_number(f"公民身份号码 {LI_SI}7") == LI_SI
    li_si = PartyInfo(side="plaintiff", kind="natural", name="李四", id_number=LI_SI)
    errors: dict = {}
    _check_party(0, li_si, errors)
    assert "parties.0.id_number" not in errors
    _check_party(0, PartyInfo(**{**li_si.__dict__, "id_number": LI_SI[:17] + "X"}), errors)
    assert "parties.0.id_number" in errors

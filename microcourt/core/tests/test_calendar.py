"""Legal deadlines on the court calendar: 国庆 holidays, 调休 working days, closures."""

import datetime as dt

import pytest

from microcourt.core import actions
from microcourt.core.calendar import CourtCalendar, DeadlineRule, Period, Unit, add_months
from microcourt.core.selectors import national_calendar

FILING_REVIEW = DeadlineRule(Period(7, Unit.DAY), "《民事诉讼法》第一百二十六条")
MEDIATOR_ACCEPTS = DeadlineRule(Period(3, Unit.WORKING_DAY), "《人民法院在线调解规则》第十二条")
APPEAL_JUDGMENT = DeadlineRule(Period(15, Unit.DAY), "《民事诉讼法》第一百七十一条")
RETRIAL = DeadlineRule(Period(6, Unit.MONTH), "《民事诉讼法》第二百一十六条")


@pytest.fixture
def cal(db):
    actions.calendar_sync(years=[2025, 2026])
    return national_calendar()


def test_official_2026_national_day_table_is_loaded(cal):
    assert not cal.is_working_day(dt.date(2026, 10, 1))  # 国庆节, a Thursday
    assert not cal.is_working_day(dt.date(2026, 10, 7))  # still in the holiday
    assert cal.is_working_day(dt.date(2026, 10, 8))
    assert cal.is_working_day(dt.date(2026, 10, 10))  # Saturday, 调休 working day
    assert cal.is_working_day(dt.date(2026, 9, 20))  # Sunday, 调休 working day
    assert not cal.is_working_day(dt.date(2026, 10, 11))  # ordinary Sunday


def test_a_period_ending_in_national_day_moves_to_the_first_working_day_after(cal):
    # Complaint received 30 Sep 2026: day 7 is 7 Oct, a holiday → the deadline is 8 Oct.
    deadline = cal.deadline(dt.date(2026, 9, 30), FILING_REVIEW)
    assert deadline.due == dt.date(2026, 10, 8)
    assert deadline.basis == "《民事诉讼法》第一百二十六条"
    assert not deadline.provisional


def test_the_start_day_is_not_counted(cal):
    assert cal.deadline(dt.date(2026, 11, 2), FILING_REVIEW).due == dt.date(2026, 11, 9)


def test_a_period_ending_on_an_adjusted_saturday_does_not_move(cal):
    # 25 Sep + 15 days = 10 Oct, a Saturday that is a 调休 working day.
    assert cal.deadline(dt.date(2026, 9, 25), APPEAL_JUDGMENT).due == dt.date(2026, 10, 10)


def test_working_day_periods_skip_the_whole_holiday(cal):
    # Mediator assigned 30 Sep: 3 working days → 8, 9, 10 Oct (10 Oct is 调休).
    assert cal.deadline(dt.date(2026, 9, 30), MEDIATOR_ACCEPTS).due == dt.date(2026, 10, 10)


def test_start_given_as_a_utc_time_counts_the_beijing_date(cal):
    late_evening_beijing = dt.datetime(2026, 11, 1, 17, 0, tzinfo=dt.UTC)  # 01:00 on 2 Nov
    assert cal.deadline(late_evening_beijing, FILING_REVIEW).due == dt.date(2026, 11, 9)


def test_naive_datetimes_are_refused(cal):
    with pytest.raises(ValueError):
        cal.deadline(dt.datetime(2026, 11, 1, 12, 0), FILING_REVIEW)


def test_months_take_the_corresponding_day_or_the_month_end(cal):
    assert add_months(dt.date(2026, 1, 31), 1) == dt.date(2026, 2, 28)
    assert add_months(dt.date(2024, 8, 31), 6) == dt.date(2025, 2, 28)
    # Judgment effective 3 Apr 2026 → 3 Oct 2026 is in 国庆 → 8 Oct.
    assert cal.deadline(dt.date(2026, 4, 3), RETRIAL).due == dt.date(2026, 10, 8)


def test_deadlines_in_a_year_without_an_official_table_are_provisional(cal):
    deadline = cal.deadline(dt.date(2026, 12, 28), FILING_REVIEW)
    assert deadline.due == dt.date(2027, 1, 4)  # 1 Jan 2027 would be a Friday: weekday rule
    assert deadline.provisional


def test_court_closures_are_not_working_days():
    typhoon = dt.date(2026, 11, 9)
    cal = CourtCalendar(closures=frozenset({typhoon}), covered_years=frozenset({2026}))
    assert cal.deadline(dt.date(2026, 11, 2), FILING_REVIEW).due == dt.date(2026, 11, 10)


def test_working_days_between_counts_only_working_days(cal):
    assert cal.working_days_between(dt.date(2026, 9, 30), dt.date(2026, 10, 9)) == 2
    assert cal.working_days_between(dt.date(2026, 10, 9), dt.date(2026, 9, 30)) == -2


def test_sync_keeps_an_administrators_correction(cal):
    from microcourt.core.models import CalendarException

    CalendarException.objects.filter(date=dt.date(2026, 10, 8)).delete()
    CalendarException.objects.create(
        date=dt.date(2026, 10, 8), is_working_day=False, name="台风停工", source="admin:zhao"
    )
    actions.calendar_sync(years=[2026])
    assert not national_calendar().is_working_day(dt.date(2026, 10, 8))

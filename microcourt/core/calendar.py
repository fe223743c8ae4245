"""The court calendar and legal deadlines.

National working days come from data: the official holiday and adjusted-working-day
(调休) tables published each year by the State Council, loaded from ``chinese-calendar``
into ``CalendarException`` and correctable by administrators; a year whose table is not
loaded yet falls back to Monday–Friday and every deadline in it is marked provisional.
Courts add their own closures (e.g. a typhoon day) as data too.

Counting follows 《民事诉讼法》第八十五条: the day an event happens is not counted; when
the last day falls on a holiday (including weekends that are not adjusted working days),
the period ends on the first working day after it.
"""

from __future__ import annotations

import calendar as _calendar
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum

from django.utils import timezone

SHANGHAI = dt.timezone(dt.timedelta(hours=8), "Asia/Shanghai")


class Unit(StrEnum):
    DAY = "day"  # natural days, last day rolled forward past holidays (民诉法 85)
    WORKING_DAY = "working_day"  # court working days (e.g. 在线调解规则 10, 12)
    MONTH = "month"
    YEAR = "year"


@dataclass(frozen=True)
class Period:
    amount: int
    unit: Unit

    def __post_init__(self) -> None:
        if self.amount < 0:
            raise ValueError("a period cannot be negative")


@dataclass(frozen=True)
class DeadlineRule:
    """A legal time limit: how long, and the article that says so."""

    period: Period
    basis: str  # e.g. "《民事诉讼法》第一百二十六条"


@dataclass(frozen=True)
class Deadline:
    due: dt.date
    basis: str
    provisional: bool  # a year in the count has no official holiday table yet


@dataclass
class CourtCalendar:
    """Working days for one court. ``exceptions`` maps a date to whether it is a working
    day where that differs from Monday–Friday; ``closures`` are the court's own closed days."""

    exceptions: dict[dt.date, bool] = field(default_factory=dict)
    closures: frozenset[dt.date] = frozenset()
    covered_years: frozenset[int] = frozenset()

    def is_working_day(self, day: dt.date) -> bool:
        if day in self.closures:
            return False
        if day in self.exceptions:
            return self.exceptions[day]
        return day.weekday() < 5

    def is_covered(self, day: dt.date) -> bool:
        return day.year in self.covered_years

    def next_working_day(self, day: dt.date) -> dt.date:
        """``day`` itself if it is a working day, else the first working day after it."""
        while not self.is_working_day(day):
            day += dt.timedelta(days=1)
        return day

    def add_working_days(self, start: dt.date, amount: int) -> dt.date:
        day = start
        remaining = amount
        while remaining > 0:
            day += dt.timedelta(days=1)
            if self.is_working_day(day):
                remaining -= 1
        return day

    def working_days_between(self, start: dt.date, end: dt.date) -> int:
        """Working days after ``start`` up to and including ``end`` (negative if end < start)."""
        if end < start:
            return -self.working_days_between(end, start)
        return sum(
            1
            for offset in range(1, (end - start).days + 1)
            if self.is_working_day(start + dt.timedelta(days=offset))
        )

    def deadline(self, start: dt.date | dt.datetime, rule: DeadlineRule) -> Deadline:
        """The last day to act, for a period that starts with an event on ``start``."""
        first = local_date(start)
        period = rule.period
        if period.unit is Unit.WORKING_DAY:
            due = self.add_working_days(first, period.amount)
        else:
            if period.unit is Unit.DAY:
                end = first + dt.timedelta(days=period.amount)
            elif period.unit is Unit.MONTH:
                end = add_months(first, period.amount)
            else:
                end = add_months(first, 12 * period.amount)
            due = self.next_working_day(end)
        years = range(first.year, due.year + 1)
        return Deadline(
            due=due,
            basis=rule.basis,
            provisional=any(year not in self.covered_years for year in years),
        )


def add_months(day: dt.date, months: int) -> dt.date:
    """The corresponding day ``months`` later; the month's last day when there is none
    (e.g. 31 Jan + 1 month = 28/29 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    last = _calendar.monthrange(year, month)[1]
    return dt.date(year, month, min(day.day, last))


def local_date(value: dt.date | dt.datetime) -> dt.date:
    """The calendar date in Asia/Shanghai: deadlines count Beijing days."""
    if isinstance(value, dt.datetime):
        if timezone.is_naive(value):
            raise ValueError("naive datetimes are not allowed; store aware UTC times")
        return value.astimezone(SHANGHAI).date()
    return value


def official_exceptions(years: Iterable[int]) -> dict[int, dict[dt.date, tuple[bool, str]]]:
    """The published holiday / adjusted-working-day table for each year the
    ``chinese-calendar`` data covers: {year: {date: (is_working_day, name)}}. Years it
    does not cover are absent."""
    import chinese_calendar

    tables: dict[int, dict[dt.date, tuple[bool, str]]] = {}
    for year in years:
        days: dict[dt.date, tuple[bool, str]] = {}
        try:
            current = dt.date(year, 1, 1)
            while current.year == year:
                working = chinese_calendar.is_workday(current)
                if working != (current.weekday() < 5):
                    _, name = chinese_calendar.get_holiday_detail(current)
                    days[current] = (working, name or "")
                current += dt.timedelta(days=1)
        except NotImplementedError:
            continue
        tables[year] = days
    return tables

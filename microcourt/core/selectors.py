from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from .calendar import CourtCalendar
from .models import CalendarException, CalendarYear


def national_calendar(closures: Iterable[dt.date] = ()) -> CourtCalendar:
    """The national working-day calendar from the loaded official tables, plus closures."""
    return CourtCalendar(
        exceptions=dict(CalendarException.objects.values_list("date", "is_working_day")),
        closures=frozenset(closures),
        covered_years=frozenset(CalendarYear.objects.values_list("year", flat=True)),
    )

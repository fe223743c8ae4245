from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from .calendar import official_exceptions
from .models import CalendarException, CalendarYear


@transaction.atomic
def calendar_sync(*, years: Iterable[int]) -> list[int]:
    """Load the official holiday tables for ``years`` where the data has them. Rows an
    administrator entered by hand (source other than the package) are left alone."""
    loaded = []
    for year, days in official_exceptions(years).items():
        manual = set(
            CalendarException.objects.filter(date__year=year)
            .exclude(source="chinese-calendar")
            .values_list("date", flat=True)
        )
        CalendarException.objects.filter(date__year=year, source="chinese-calendar").delete()
        CalendarException.objects.bulk_create(
            CalendarException(date=day, is_working_day=working, name=name)
            for day, (working, name) in days.items()
            if day not in manual
        )
        CalendarYear.objects.update_or_create(year=year, defaults={"source": "chinese-calendar"})
        loaded.append(year)
    return loaded

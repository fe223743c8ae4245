"""A session as an iCalendar file (RFC 5545), for a participant's own calendar.

- UID is stable per session (``session-<id>@<host>``), so a calendar updates the event it
  already has instead of adding another.
- SEQUENCE is the number of revisions (each reschedule and the cancellation), so a later file
  wins (RFC 5545 §3.8.7.4).
- A cancelled session is published with METHOD:CANCEL and STATUS:CANCELLED (RFC 5546 §3.2.5).
- Times are in Asia/Shanghai with its VTIMEZONE; DTSTAMP and LAST-MODIFIED in UTC.
- Two alarms: the day before and 30 minutes before (the platform's own reminders go out at
  the same times).
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from urllib.parse import urlsplit

import icalendar
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from . import notices
from .actions import scheduling
from .models import Mode, Participation, Seat, Session, SessionStatus

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
PRODID = "-//microcourt//hearings//ZH"
ALARMS = (dt.timedelta(days=1), dt.timedelta(minutes=30))


def uid_of(session: Session) -> str:
    host = urlsplit(settings.PUBLIC_BASE_URL).hostname or "microcourt"
    return f"session-{session.pk}@{host}"


def session_ics(session: Session, seat: Seat | None = None) -> bytes:
    """The session as the seat holder sees it (their own way of taking part)."""
    cancelled = session.status == SessionStatus.CANCELLED
    offline = seat is not None and (
        seat.participation == Participation.OFFLINE or session.mode == Mode.OFFLINE
    )
    number = session.case.number or session.case.title
    summary = f"{session.get_kind_display()}：{number}"
    enter = notices.absolute(notices.enter_path(session.pk))
    location = (session.venue or session.case.court.name) if offline else _("在线庭审（微法院）")
    lines = [
        f"{session.case.court.name} {number}",
        session.case.title,
        _("方式：%(mode)s") % {"mode": session.get_mode_display()},
    ]
    if seat is not None:
        lines.append(
            _("您的席位：%(label)s（%(how)s）")
            % {
                "label": seat.label,
                "how": seat.get_participation_display(),
            }
        )
    if not offline:
        lines.append(_("进入法庭：%(url)s") % {"url": enter})
    if cancelled and session.cancel_reason:
        lines.append(_("已取消：%(reason)s") % {"reason": session.cancel_reason})

    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "CANCEL" if cancelled else "PUBLISH")
    event = icalendar.Event()
    event.add("uid", uid_of(session))
    event.add("sequence", scheduling.sequence_of(session))
    event.add("dtstamp", timezone.now().astimezone(dt.UTC))
    event.add("last-modified", session.updated_at.astimezone(dt.UTC))
    event.add("created", session.created_at.astimezone(dt.UTC))
    event.add("dtstart", session.starts_at.astimezone(SHANGHAI))
    event.add("dtend", session.ends_at.astimezone(SHANGHAI))
    event.add("summary", summary)
    event.add("description", "\n".join(str(line) for line in lines))
    event.add("location", str(location))
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    event.add("transp", "OPAQUE")
    event.add(
        "organizer",
        f"mailto:{settings.DEFAULT_FROM_EMAIL}",
        parameters={"CN": session.case.court.name},
    )
    if not offline:
        event.add("url", enter)
    if not cancelled:
        for before in ALARMS:
            alarm = icalendar.Alarm()
            alarm.add("action", "DISPLAY")
            alarm.add("trigger", -before)
            alarm.add("description", summary)
            event.add_component(alarm)
    cal.add_component(event)
    cal.add_missing_timezones()
    return cal.to_ical()


def filename_of(session: Session) -> str:
    return f"hearing-{session.pk}.ics"

"""排期: scheduling a session of a case, rescheduling and cancelling it, the notices that go
out for it, the reminders before it, and a party's request to attend offline.

The rules, as implemented (docs: the module docstrings cite them; tests in
``tests/test_scheduling*.py``):

- **Who**: the court's people on the case (``policies.require_schedule``); the case must be
  accepted or in trial.
- **When**: 《民事诉讼法》第一百三十九条 — the parties and the other participants are notified
  three days before the hearing. We read "three days before" with 第八十五条 (the day of an
  event is not counted): the notice goes out when the session is scheduled, so at least three
  whole Beijing calendar days must lie between today and the day of the session (scheduled on
  the 8th, the earliest day is the 12th). Exempt: a 宣判 (the 3-day rule speaks of 开庭;
  the judgment is announced on the day set), and a session whose parties waived the period
  (e.g. 简易程序, 《民诉解释》第二百六十六条: both parties agree to be heard at once) — the
  court records the waiver with its note, and the ledger keeps it.
- **Court calendar**: a day the court is closed (``courts.CourtClosure``) is refused with its
  reason; so is a day the national calendar makes a rest day (weekends not adjusted to
  working days, public holidays), unless the court says it sits that day (``rest_day``).
- **Conflicts**: the session's court people (the presiding judge and the panel) and every
  party and agent (by account) may not be in another live or scheduled session at an
  overlapping time. The refusal names ``starts_at``, who and when (the other case's number
  only to someone who may see that case).
- **Mode per participant** (在线诉讼规则第四条、第五条、第二十一条): a party attends online only
  with its consent to the stage (the latest ``StageConsent`` per participant and stage); one
  who has not consented, or who asked to attend offline and was granted it, attends offline;
  an agent follows the party it represents. The session is ``mixed`` when seats differ. A
  session with someone offline and no courtroom named is held at the court itself.
- **Notices**: after commit the worker renders each 传票 (parties) and 出庭通知书 (agents,
  witnesses), seals it and serves it through ``service.actions.service_serve`` (a service
  record per recipient); a recipient with no electronic address is left to the clerk to post,
  and the court is told.
- **Reminders**: the day before and 30 minutes before, to every seat holder, once per seat
  per reminder per start time (the notification's idempotency key), by a periodic sweep.
"""

from .offline import offline_request_create, offline_request_decide
from .rules import (
    BUSY,
    MAX_DURATION,
    NOTICE_DAYS,
    NOTICE_EXEMPT_KINDS,
    OPEN_CASE,
    REMINDERS,
    REVISIONS,
    STAGE_OF_KIND,
    earliest_day,
    first_allowed_start,
    participation_apply,
    sequence_of,
    stage_of,
)
from .serving import (
    notice_entries,
    notice_seats,
    notice_status,
    reminders_send,
    session_notices_serve,
)
from .sessions import session_cancel, session_reschedule, session_schedule

__all__ = [
    "BUSY",
    "MAX_DURATION",
    "NOTICE_DAYS",
    "NOTICE_EXEMPT_KINDS",
    "OPEN_CASE",
    "REMINDERS",
    "REVISIONS",
    "STAGE_OF_KIND",
    "earliest_day",
    "first_allowed_start",
    "notice_entries",
    "notice_seats",
    "notice_status",
    "offline_request_create",
    "offline_request_decide",
    "participation_apply",
    "reminders_send",
    "sequence_of",
    "session_cancel",
    "session_notices_serve",
    "session_reschedule",
    "session_schedule",
    "stage_of",
]

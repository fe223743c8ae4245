"""The live transcript over the courtroom socket: the court sees every line as it is written;
a party sees it only when the presiding judge allowed live reading; an edit reaches the
court at once."""

from __future__ import annotations

import datetime as dt

import pytest
from asgiref.sync import sync_to_async
from django.utils import timezone

from microcourt.hearings.actions import transcript

from . import test_control
from .test_consumer import connected, next_event

opened = test_control.opened
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]


def _add(session, role, text, ms):
    seat = session.seats.get(role=role)
    at = timezone.now()
    return transcript.transcript_line_add(
        session_id=session.pk,
        seat_id=seat.pk,
        started_at=at,
        ended_at=at + dt.timedelta(seconds=2),
        text=text,
        engine="fake",
        source=f"feed-{seat.pk}",
        source_ms=ms,
    )


add = sync_to_async(_add)


async def test_lines_reach_the_court_always_and_a_party_only_with_the_judges_leave(
    opened, judge_chen, plaintiff_zhang, judge
):
    party, _ps = await connected(plaintiff_zhang, opened)
    court, _cs = await connected(judge_chen, opened)
    await add(opened, "plaintiff", "第一句", 1000)
    got = await next_event(court, "transcript.line")
    assert got["line"]["text"] == "第一句" and got["line"]["speaker"] == "原告 张三"
    assert not got["live"]
    assert "transcript.line" not in await _until_pong(party)  # not for the party yet
    await sync_to_async(transcript.transcript_live_set)(session=opened, actor=judge, visible=True)
    await next_event(party, "transcript.live")
    await add(opened, "defendant", "第二句", 2000)
    got = await next_event(party, "transcript.line")
    assert got["line"]["text"] == "第二句" and "engine_text" not in got["line"]
    await party.disconnect()
    await court.disconnect()


async def _until_pong(comm) -> list[str]:
    """The events before the answer to a ping: what this socket was sent meanwhile."""
    await comm.send_json_to({"action": "ping"})
    seen = []
    while True:
        got = await comm.receive_json_from(timeout=5)
        if got.get("event") == "pong":
            return seen
        seen.append(got.get("event"))

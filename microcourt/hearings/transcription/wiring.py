"""The real parts a session's transcriber is built from: the speech engine and voice-activity
detector (``assist.speech``), the transcript's line writer (``actions.transcript``), the seat
of a Janus feed, and what the transcript already holds of a file (for a restart)."""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings

from ..models import Seat, Session, TranscriptLine
from .pipeline import SessionTranscriber
from .stream import Cutting

log = logging.getLogger("microcourt.hearings.transcription")


def transcriber_for(session: Session) -> SessionTranscriber:
    from microcourt.assist import speech

    from ..actions import transcript
    from .runner import rec_dir_of

    assert session.room is not None, "a session without a room has no audio"
    try:
        hotwords = transcript.transcript_hotwords(session_id=session.pk)
    except Exception:  # hot words help recognition; their absence must not stop it
        log.warning("session %s: no hot words", session.pk, exc_info=True)
        hotwords = []
    return SessionTranscriber(
        session_id=session.pk,
        room=session.room,
        rec_dir=rec_dir_of(session),
        engine=speech.get_engine(),
        add_line=transcript.transcript_line_add,
        regions=speech.speech_regions,
        seat_of_feed=lambda feed: seat_of_feed(session, feed),
        committed_end_ms=lambda source: committed_end_ms(session.pk, source),
        hotwords=hotwords,
        language=settings.SPEECH_LANGUAGE,
        timeout=settings.SPEECH_TIMEOUT_SECONDS,
        cutting=Cutting(
            min_silence_ms=settings.TRANSCRIBE_MIN_SILENCE_MS,
            close_ms=settings.TRANSCRIBE_CLOSE_MS,
            max_ms=settings.TRANSCRIBE_MAX_UTTERANCE_MS,
        ),
        drop_seconds=settings.TRANSCRIBE_DROP_MS / 1000,
    )


def seat_of_feed(session: Session, feed: int) -> int | None:
    """The seat that publishes ``feed``: the one whose page reported it (``Seat.feed_id``),
    else the one whose label Janus shows for it (the page names the publisher by its seat)."""
    seat_id = (
        Seat.objects.filter(session=session, feed_id=feed).values_list("pk", flat=True).first()
    )
    if seat_id is not None or session.room is None:
        return seat_id
    from ..janus.client import JanusUnavailable, get_client

    try:
        participants = get_client().participants(session.room)
    except JanusUnavailable:
        return None
    display = next((p.get("display") for p in participants if p.get("id") == feed), None)
    if not display:
        return None
    for seat in Seat.objects.filter(session=session):
        if seat.label == display:
            return seat.pk
    return None


def committed_end_ms(session_id: int, source: str) -> int | None:
    """Where the transcript of one audio file ends (ms on the file's timeline): a restarted
    worker reads on from there."""
    last = (
        TranscriptLine.objects.filter(session_id=session_id, source=source)
        .order_by("-source_ms")
        .values_list("source_ms", "started_at", "ended_at")
        .first()
    )
    if last is None:
        return None
    source_ms, started_at, ended_at = last
    length = max(dt.timedelta(0), ended_at - started_at)
    return source_ms + int(length.total_seconds() * 1000)

"""A session's live transcription: every publisher's audio file in the room's recording
folder followed (``stream.FeedStream``), each utterance transcribed and written as a
transcript line, in the order utterances end.

Nothing here touches the database itself: the speech engine, the line writer, the seat of a
feed and what is already written come in as callables (``wiring`` gives the real ones), so
the tests can drive it with Janus files and a fake engine, and a second reading of the same
files writes nothing twice (lines are keyed by file and position: ``source``, ``source_ms``).

What goes wrong, and what the transcript then shows (the hearing goes on either way):

- the engine fails or times out: a gap line ``failed`` / ``timeout`` in the utterance's place;
  the audio stays in the recording;
- a publisher's stream stops while they are speaking (their network went away): what came
  through is transcribed, then a gap line ``dropped`` where it was cut;
- silence and noise: the voice-activity detector finds no speech, nothing is written; an
  utterance the engine hears as nothing (``""``) writes nothing either.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..recording.convert import NAME
from .mjr import MjrInvalid
from .stream import RATE, Cutting, FeedStream, Regions, Utterance

log = logging.getLogger("microcourt.hearings.transcription")

GAP_REASONS = ("timeout", "failed", "dropped")
# Utterances taken from one file in one step, at most.
MAX_PER_STEP = 8


@dataclass
class Line:
    """What the pipeline wrote (or found written), for the caller and the tests."""

    seat_id: int | None
    feed: int
    source: str
    source_ms: int
    started_at: dt.datetime
    ended_at: dt.datetime
    text: str
    gap: str
    engine: str
    written_at: float  # time.time() when written


@dataclass
class SessionTranscriber:
    session_id: int
    room: int
    rec_dir: Path
    engine: Any  # assist.speech.SpeechEngine
    add_line: Callable[..., Any]  # hearings.actions.transcript.transcript_line_add
    regions: Regions  # assist.speech.speech_regions
    seat_of_feed: Callable[[int], int | None] = lambda feed: None
    committed_end_ms: Callable[[str], int | None] = lambda source: None
    hotwords: Sequence[str] = ()
    language: str | None = "zh"
    timeout: float | None = 20.0
    cutting: Cutting = field(default_factory=Cutting)
    drop_seconds: float = 4.0  # no audio for this long while someone speaks: dropped
    streams: dict[str, FeedStream] = field(default_factory=dict)
    written: list[Line] = field(default_factory=list)
    _seats: dict[int, int | None] = field(default_factory=dict)

    # -- the loop's steps ------------------------------------------------------------------

    def scan(self) -> list[FeedStream]:
        """Start following the audio files that appeared since the last scan."""
        try:
            names = sorted(p.name for p in self.rec_dir.iterdir())
        except FileNotFoundError:
            return []  # nobody has published yet
        fresh = []
        for name in names:
            match = NAME.match(name)
            if match is None or match["kind"] != "audio" or match["room"] != str(self.room):
                continue
            if name in self.streams:
                continue
            feed = int(match["feed"])
            self._seat(feed)  # noted now: the seat may take another feed later
            end_ms = self.committed_end_ms(name)
            stream = FeedStream(
                path=self.rec_dir / name,
                feed=feed,
                regions=self.regions,
                cutting=self.cutting,
                resume_at=(end_ms or 0) * RATE // 1000,
            )
            self.streams[name] = stream
            fresh.append(stream)
        return fresh

    def step(self) -> int:
        """Read what Janus wrote since the last step, transcribe the utterances it
        completes (all speakers' in the order they ended: a slow engine does not leave one
        speaker waiting behind the other), mark a stream lost mid-speech. The number of lines
        written."""
        self.scan()
        ready: list[tuple[int, int, FeedStream, Utterance]] = []
        for n, stream in enumerate(list(self.streams.values())):
            if stream.closed:
                continue
            found = self._collect(stream)
            idle = time.monotonic() - stream.last_growth
            if idle > self.drop_seconds and not stream.stalled:
                stream.stalled = True
                if stream.open_speech():
                    found += stream.utterances(stalled=True)
            elif idle <= self.drop_seconds:
                stream.stalled = False
            ready += [(stream.wall_us(u.end), n, stream, u) for u in found]
        return self._write_in_order(ready)

    def finish(self, *, settle: float = 1.5, deadline: float = 10.0) -> int:
        """The stretch ended (recess, closing): read the files to their end (Janus writes its
        last block when it closes them, so wait until they stop growing) and transcribe
        what is left, the last utterance ending with the file."""
        count = 0
        quiet_since = time.monotonic()
        give_up = time.monotonic() + deadline
        while time.monotonic() < give_up:
            self.scan()
            ready = []
            grew = 0
            for n, stream in enumerate(self.streams.values()):
                if not stream.closed:
                    before = stream.tail.position
                    found = self._collect(stream)
                    grew += stream.tail.position != before
                    ready += [(stream.wall_us(u.end), n, stream, u) for u in found]
            count += self._write_in_order(ready)
            if grew:
                quiet_since = time.monotonic()
            elif time.monotonic() - quiet_since >= settle:
                break
            time.sleep(0.1)
        ready = []
        for n, stream in enumerate(self.streams.values()):
            if not stream.closed:
                found = stream.utterances(final=True)
                ready += [(stream.wall_us(u.end), n, stream, u) for u in found]
        return count + self._write_in_order(ready)

    def _collect(self, stream: FeedStream) -> list[Utterance]:
        """The utterances completed by what the file holds now: at most up to its size when
        the step began (a file that keeps growing while the engine works does not keep one
        speaker's turn going) and ``MAX_PER_STEP`` of them (a file read again from its
        start comes in pieces)."""
        try:
            size = stream.path.stat().st_size
        except OSError:
            return []
        found: list[Utterance] = []
        try:
            while len(found) < MAX_PER_STEP and stream.read():
                found += stream.utterances()
                if stream.tail.position >= size:
                    break
        except MjrInvalid as exc:
            # A damaged file is left alone (it stays in the recording); the others go on.
            log.error("session %s: %s; not transcribed", self.session_id, exc)
            stream.closed = True
        except OSError as exc:
            log.warning("session %s: %s unreadable now (%s)", self.session_id, stream.source, exc)
        return found

    def _write_in_order(self, ready: list[tuple[int, int, FeedStream, Utterance]]) -> int:
        count = 0
        for _end, _n, stream, utterance in sorted(ready, key=lambda r: (r[0], r[1])):
            count += self._write_one(stream, utterance)
        return count

    # -- writing lines ---------------------------------------------------------------------

    def _seat(self, feed: int) -> int | None:
        if feed not in self._seats or self._seats[feed] is None:
            self._seats[feed] = self.seat_of_feed(feed)
        return self._seats[feed]

    def _write_one(self, stream: FeedStream, utterance: Utterance) -> int:
        started_at = _wall(stream.wall_us(utterance.start))
        ended_at = _wall(stream.wall_us(utterance.end))
        text, gap, engine = "", "", str(getattr(self.engine, "name", "") or "")
        try:
            result = self.engine.transcribe(
                utterance.audio,
                language=self.language,
                hotwords=list(self.hotwords),
                timeout=self.timeout,
            )
            text, engine = (result.text or "").strip(), result.engine or engine
        except Exception as exc:  # any engine failure is a gap, never the end of the loop
            reason = getattr(exc, "reason", "failed")
            gap = "timeout" if reason == "timeout" else "failed"
            log.warning(
                "session %s: speech engine %s on %s at %d ms (%s)",
                self.session_id,
                gap,
                stream.source,
                utterance.start * 1000 // RATE,
                type(exc).__name__,
            )
        count = 0
        if text or gap:
            count += self._add(stream, utterance.start, started_at, ended_at, text, gap, engine)
        if utterance.cut == "dropped":
            count += self._add(stream, utterance.end, ended_at, ended_at, "", "dropped", engine)
        return count

    def _add(self, stream, position, started_at, ended_at, text, gap, engine) -> int:
        seat_id = self._seat(stream.feed)
        source_ms = position * 1000 // RATE
        self.add_line(
            session_id=self.session_id,
            seat_id=seat_id,
            started_at=started_at,
            ended_at=ended_at,
            text=text,
            engine=engine,
            source=stream.source,
            source_ms=source_ms,
            gap=gap,
        )
        self.written.append(
            Line(
                seat_id=seat_id,
                feed=stream.feed,
                source=stream.source,
                source_ms=source_ms,
                started_at=started_at,
                ended_at=ended_at,
                text=text,
                gap=gap,
                engine=engine,
                written_at=time.time(),
            )
        )
        return 1


def _wall(us: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(us / 1e6, tz=dt.UTC)

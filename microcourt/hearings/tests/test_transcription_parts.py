"""The live transcription's parts that need no media server: reading a ``.mjr`` file while
Janus writes it (a packet is read once, whole, however the bytes arrive), and the
one-task-per-session rule of the worker (a task that is taken back, or finds an older one of
its session running, stops; one whose session leaves OPEN finishes the stretch)."""

from __future__ import annotations

import json
import struct

import pytest
from django.utils import timezone

from microcourt.hearings.models import Session, SessionStatus
from microcourt.hearings.transcription.mjr import MjrInvalid, MjrTail


def rtp(seq: int, ts: int, payload: bytes, *, extension: bool = False, pad: int = 0) -> bytes:
    first = 0x80 | (0x10 if extension else 0) | (0x20 if pad else 0)
    packet = struct.pack(">BBHII", first, 111, seq, ts, 0x1234)
    if extension:
        packet += struct.pack(">HH", 0xBEDE, 1) + b"\x10\xff\x00\x00"
    packet += payload
    if pad:
        packet += b"\x00" * (pad - 1) + bytes([pad])
    return packet


def mjr(packets: list[bytes], first_us: int = 1_796_000_000_000_000) -> bytes:
    header = json.dumps({"t": "a", "c": "opus", "s": first_us - 5, "u": first_us}).encode()
    out = b"MJR00002" + struct.pack(">H", len(header)) + header
    for n, packet in enumerate(packets):
        out += b"MEET" + struct.pack(">IH", 20 * n, len(packet)) + packet
    return out


def test_a_growing_recording_yields_each_packet_once_whole_whatever_the_write_sizes(tmp_path):
    packets = [
        rtp(1, 0, b"first"),
        rtp(2, 960, b"second", extension=True),
        rtp(3, 1920, b"third", pad=3),
        rtp(4, 2880, b"fourth"),
    ]
    data = mjr(packets)
    path = tmp_path / "videoroom-1-user-2-3-audio-0.mjr"
    path.write_bytes(b"")
    tail = MjrTail(path)
    seen = []
    # Janus's stdio blocks end anywhere: inside the header, a marker, a packet.
    for cut in (5, 12, 40, 61, 62, 90, len(data) - 3, len(data)):
        with path.open("r+b") as handle:
            handle.seek(0)
            handle.write(data[:cut])
        seen += tail.read()
    assert [p.payload for p in seen] == [b"first", b"second", b"third", b"fourth"]
    assert [p.timestamp for p in seen] == [0, 960, 1920, 2880]
    assert [p.offset_ms for p in seen] == [0, 20, 40, 60]
    assert tail.kind == "audio" and tail.codec == "opus"
    assert tail.first_us == 1_796_000_000_000_000
    assert tail.read() == []  # nothing new, nothing again


def test_a_file_that_is_not_a_janus_recording_is_refused(tmp_path):
    path = tmp_path / "videoroom-1-user-2-3-audio-0.mjr"
    path.write_bytes(b"MJR00001" + b"\x00" * 40)
    with pytest.raises(MjrInvalid):
        MjrTail(path).read()


# -- one task per session ------------------------------------------------------------------


class Stub:
    """A transcriber that does ``action`` on its first step and counts what it is asked."""

    def __init__(self, action=lambda: None) -> None:
        self.action, self.steps, self.finished = action, 0, 0

    def step(self) -> int:
        self.steps += 1
        if self.steps == 1:
            self.action()
        return 0

    def finish(self) -> int:
        self.finished += 1
        return 0


@pytest.fixture
def running_session(db, case, judge, settings):
    settings.TRANSCRIBE_POLL_MS = 20
    return Session.objects.create(
        case=case,
        kind="hearing",
        starts_at=timezone.now(),
        scheduled_by=judge.user,
        status=SessionStatus.OPEN,
        room=123_456_789,
    )


def queued(session, monkeypatch):
    """A task of the session, claimed by a worker (RUNNING)."""
    from django_tasks_db.compat import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    from microcourt.hearings.tasks.transcription import transcribe_session
    from microcourt.hearings.transcription import runner

    monkeypatch.setattr(runner, "STATUS_EVERY", 0.05)
    result = transcribe_session.enqueue(session.pk)
    DBTaskResult.objects.filter(pk=result.id).update(
        status=TaskResultStatus.RUNNING, started_at=timezone.now()
    )
    return DBTaskResult.objects.get(pk=result.id)


def test_a_task_whose_session_recesses_finishes_the_stretch(running_session, monkeypatch):
    from microcourt.hearings.transcription import runner

    task = queued(running_session, monkeypatch)
    recess = lambda: Session.objects.filter(pk=running_session.pk).update(  # noqa: E731
        status=SessionStatus.RECESS
    )
    stub = Stub(recess)
    out = runner.session_transcribe(
        session_id=running_session.pk, task_id=task.pk, transcriber=stub
    )
    assert out["stopped"] == "session recess" and stub.finished == 1


def test_a_task_taken_back_by_the_lease_stops_without_finishing(running_session, monkeypatch):
    from django_tasks_db.compat import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    from microcourt.hearings.transcription import runner

    task = queued(running_session, monkeypatch)
    taken = lambda: DBTaskResult.objects.filter(pk=task.pk).update(  # noqa: E731
        status=TaskResultStatus.READY
    )
    stub = Stub(taken)
    out = runner.session_transcribe(
        session_id=running_session.pk, task_id=task.pk, transcriber=stub
    )
    assert out["stopped"] == "taken back" and stub.finished == 0


def test_a_newer_task_gives_way_to_an_older_one_of_the_same_session(running_session, monkeypatch):
    from django_tasks_db.compat import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    from microcourt.hearings.transcription import runner

    older = queued(running_session, monkeypatch)
    DBTaskResult.objects.filter(pk=older.pk).update(status=TaskResultStatus.READY)
    newer = queued(running_session, monkeypatch)
    # The older one's worker was thought dead; it runs again while the newer one works.
    back = lambda: DBTaskResult.objects.filter(pk=older.pk).update(  # noqa: E731
        status=TaskResultStatus.RUNNING
    )
    stub = Stub(back)
    out = runner.session_transcribe(
        session_id=running_session.pk, task_id=newer.pk, transcriber=stub
    )
    assert out["stopped"] == "gave way" and stub.finished == 0
    assert runner._older_running(running_session.pk, newer.pk)
    assert not runner._older_running(running_session.pk, older.pk)


def test_a_damaged_recording_is_left_alone_and_the_others_still_read(tmp_path):
    from microcourt.hearings.transcription.pipeline import SessionTranscriber

    room = 4242
    bad = tmp_path / f"videoroom-{room}-user-1-1796000000000000-audio-0.mjr"
    good = tmp_path / f"videoroom-{room}-user-2-1796000000000000-audio-0.mjr"
    bad.write_bytes(mjr([rtp(1, 0, b"x")]) + b"not a packet marker at all")
    good.write_bytes(mjr([rtp(1, 0, b"y")]))
    transcriber = SessionTranscriber(
        session_id=1,
        room=room,
        rec_dir=tmp_path,
        engine=None,
        add_line=lambda **kw: None,
        regions=lambda audio, **kw: [],
    )
    assert transcriber.step() == 0
    assert transcriber.streams[bad.name].closed
    assert not transcriber.streams[good.name].closed
    assert transcriber.streams[good.name].tail.position == good.stat().st_size

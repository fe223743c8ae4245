"""The hearing's recording (issue 16 §6; 录音录像规定第一条、第三条、第四条、第九条、第十五条;
流程公开规定第十一条), on a real Janus with two aiortc bots publishing stamped video and audio:
陈法官 opens, recesses, resumes and closes; the worker builds ONE playable video of both
stretches with a burned-in time, its SHA-256 goes into the ledger and to each party and the
court's people for confirmation; 张三 and 王五 each watch a copy with their own name in the
picture, seeking with Range requests; nobody downloads the raw file without 陈法官's leave;
孙路人, an outsider, finds nothing."""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import shutil
import subprocess
import threading
import time
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.utils import timezone

from microcourt.hearings.events import LedgerEvent
from microcourt.hearings.models import Recording, RecordingStatus, Session
from microcourt.ledger.models import Entry
from tests.janus_support import janus, janus_server  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)
API = "/api/v1"


class Loop:
    """An asyncio loop in a thread for the bots, so the test drives Django in between."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()

    def run(self, coro, timeout: float = 40.0):
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def stop(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=5)


@pytest.fixture
def loop():
    bots = Loop()
    yield bots
    bots.stop()


@pytest.fixture(autouse=True)
def _pki(settings, tmp_path):
    settings.SIGNING_PKI_DIR = tmp_path / "pki"
    settings.SIGNING_AUTO_INIT = True
    settings.SIGNING_TSA_URL = ""
    settings.SIGNING_TSA_CA_FILE = ""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def live_session(janus, case, judge, clerk, zhang, wang):  # noqa: F811
    """A hearing of the case starting now (its scheduling and notice are another story)."""
    from microcourt.hearings.actions import room

    session = Session.objects.create(
        case=case, kind="hearing", starts_at=timezone.now(), scheduled_by=judge.user
    )
    room.seats_sync(session=session)
    return session


def _probe(path: Path) -> tuple[float, set[str]]:
    import json

    out = subprocess.run(
        ["ffprobe", "-v", "error", "-print_format", "json", "-show_format", "-show_streams",
         str(path)],
        capture_output=True, check=True, timeout=60,
    ).stdout  # fmt: skip
    info = json.loads(out)
    return float(info["format"]["duration"]), {s["codec_type"] for s in info["streams"]}


def _frame(path: Path, at: float) -> bytes:
    return subprocess.run(
        ["ffmpeg", "-v", "error", "-ss", str(at), "-i", str(path), "-frames:v", "1",
         "-f", "rawvideo", "-pix_fmt", "gray", "-"],
        capture_output=True, check=True, timeout=60,
    ).stdout  # fmt: skip


def _recorded_seconds(recording: Recording) -> float:
    total = 0.0
    for s in recording.segments:
        total += (
            dt.datetime.fromisoformat(s["end"]) - dt.datetime.fromisoformat(s["start"])
        ).total_seconds()
    return total


def _hold_hearing(janus, loop, session, judge, capture, *, first=3.0, recess=1.5, second=2.5):  # noqa: F811
    """Open, two bots publish (the judge and 张三), recess, resume, close."""
    from microcourt.hearings.actions import room
    from microcourt.hearings.models import Seat

    with capture(execute=True):
        room.session_open(session=session, actor=judge)
    session.refresh_from_db()
    labels = {
        s.role: s.label for s in Seat.objects.filter(session=session, role__in=["presiding_judge",
                                                                              "plaintiff"])
    }  # fmt: skip
    from tests.janus_support import Room

    where = Room(room=session.room, secret=session.room_secret)
    bots = [
        janus.bot(room=session.room, token=janus.admit(where), display=labels[role],
                  sender_id=i + 1, audio=True)
        for i, role in enumerate(["presiding_judge", "plaintiff"])
    ]  # fmt: skip

    async def enter():
        for bot in bots:
            await bot.connect()
            await bot.join()
            await bot.publish()

    loop.run(enter())
    time.sleep(first)
    with capture(execute=True):
        room.session_recess(session=session, actor=judge, note="休庭十分钟")
    time.sleep(recess)
    with capture(execute=True):
        room.session_resume(session=session, actor=judge)
    time.sleep(second)
    with capture(execute=True):
        room.session_close(session=Session.objects.get(pk=session.pk), actor=judge)

    async def leave():
        for bot in bots:
            await bot.hangup()

    loop.run(leave())
    return bots


def test_recess_pauses_and_closing_builds_one_playable_video_with_its_hash_in_the_ledger(
    janus,  # noqa: F811
    loop,
    live_session,
    judge,
    run_tasks,
    django_capture_on_commit_callbacks,
    tmp_path,
):
    session = live_session
    bots = _hold_hearing(janus, loop, session, judge, django_capture_on_commit_callbacks)
    recording = Recording.objects.get(session=session)
    assert recording.status == RecordingStatus.PROCESSING
    # Two stretches: the recess is not recorded (第三条), and the room said who published.
    assert len(recording.segments) == 2
    assert all(s["end"] for s in recording.segments)
    feeds = {int(f) for s in recording.segments for f in s.get("feeds", {})}
    assert {b.feed_id for b in bots} <= feeds
    # Janus wrote new files for each stretch: two per publisher per track.
    files = sorted(Path(recording.rec_dir).glob("*.mjr"))
    assert len(files) == 8, [f.name for f in files]
    # None of them was written during the recess: each starts and ends inside a stretch.
    from microcourt.hearings.recording import convert, media

    stretches = [
        (dt.datetime.fromisoformat(s["start"]).timestamp(),
         dt.datetime.fromisoformat(s["end"]).timestamp())
        for s in recording.segments
    ]  # fmt: skip
    budget = media.Budget(60)
    for track in convert.scan(Path(recording.rec_dir), session.room):
        convert.read_header(track, budget=budget)
        assert convert.convert(track, tmp_path, budget=budget)
        inside = [a - 0.5 <= track.start and track.end <= b + 0.5 for a, b in stretches]
        assert sum(inside) == 1, (track.path.name, track.start, track.end, stretches)
    run_tasks()

    recording.refresh_from_db()
    assert recording.status == RecordingStatus.READY, recording.failure
    local = Path(default_storage.path(recording.file))
    data = local.read_bytes()
    assert hashlib.sha256(data).hexdigest() == recording.sha256
    assert recording.size == len(data)
    duration, kinds = _probe(local)
    assert {"video", "audio"} <= kinds
    recorded = _recorded_seconds(recording)
    # The video holds both stretches (~5.5 s of media), never more than was recorded.
    assert 4.0 <= duration <= recorded + 0.5, (duration, recorded)
    assert recording.duration_seconds == pytest.approx(duration, abs=0.05)
    entry = Entry.objects.get(code=LedgerEvent.RECORDING_READY)
    assert entry.subject_digest == f"sha256:{recording.sha256}"
    # Running the task again changes nothing (idempotent).
    from microcourt.hearings.tasks import recording as tasks

    assert tasks.recording_build.call(recording.pk) == recording.sha256
    assert Entry.objects.filter(code=LedgerEvent.RECORDING_READY).count() == 1


# -- the rest starts from real .mjr files Janus wrote once for this module ---------------


@pytest.fixture(scope="module")
def mjr(janus_server, tmp_path_factory):  # noqa: F811
    """A short room recorded by the test Janus: 审判长 陈法官 and 原告 张三 publish 2.5 s,
    recess 1 s, publish 2 s. Returns the files, the room and the stretches."""
    import secrets

    from microcourt.hearings.janus.client import JanusClient

    s = janus_server.settings
    from microcourt.hearings.janus.config import load_secrets

    keys = load_secrets(janus_server.root)
    client = JanusClient(
        api_url=s["JANUS_API_URL"], admin_url=s["JANUS_ADMIN_URL"], admin_secret=keys.admin_secret,
        room_admin_key=keys.room_admin_key, server_token=keys.server_token,
    )  # fmt: skip
    room, secret = secrets.randbelow(1 << 30) + 5_000_000, secrets.token_urlsafe(12)
    rec_dir = janus_server.rec_dir / f"room-{room}"
    tokens = [secrets.token_urlsafe(16) for _ in range(2)]
    for token in tokens:
        client.add_token(token)
    client.create_room(room, secret=secret, description="mjr", publishers=6, record=True,
                       rec_dir=str(rec_dir), allowed=tokens)  # fmt: skip
    from tests.rtcbot import JanusBot

    segments = []

    async def scenario():
        bots = [
            JanusBot(janus_server.ws_url, room=room, token=t, display=d, sender_id=i + 1,
                     audio=True, media_address=janus_server.media_address)
            for i, (t, d) in enumerate(zip(tokens, ["审判长 陈法官", "原告 张三"], strict=True))
        ]  # fmt: skip
        for bot in bots:
            await bot.connect()
            await bot.join()
            await bot.publish()
        feeds = {str(b.feed_id): b.display for b in bots}
        segments.append({"start": timezone.now().isoformat(), "feeds": feeds})
        await asyncio.sleep(2.5)
        client.set_recording(room, secret=secret, record=False)
        segments[-1]["end"] = timezone.now().isoformat()
        await asyncio.sleep(1.0)
        segments.append({"start": timezone.now().isoformat(), "feeds": feeds})
        client.set_recording(room, secret=secret, record=True)
        await asyncio.sleep(2.0)
        for bot in bots:
            await bot.hangup()
        segments[-1]["end"] = timezone.now().isoformat()

    asyncio.run(asyncio.wait_for(scenario(), 60))
    client.destroy_room(room, secret=secret)
    keep = tmp_path_factory.mktemp("mjr")
    for f in rec_dir.glob("*.mjr"):
        shutil.copy(f, keep / f.name)
    return {"dir": keep, "room": room, "segments": segments}


def _ready(session, mjr, tmp_path, judge):
    """The session held and closed with ``mjr``'s files as its recording; built."""
    from microcourt.hearings.actions import room
    from microcourt.hearings.tasks import recording as tasks

    room.seats_sync(session=session)
    rec_dir = tmp_path / f"room-{mjr['room']}"
    shutil.copytree(mjr["dir"], rec_dir)
    Session.objects.filter(pk=session.pk).update(
        room=mjr["room"], status="closed", opened_at=timezone.now(), closed_at=timezone.now()
    )
    recording, _ = Recording.objects.update_or_create(
        session=session,
        defaults={"rec_dir": str(rec_dir), "segments": mjr["segments"],
                  "status": RecordingStatus.PROCESSING},
    )  # fmt: skip
    assert tasks.recording_build.call(recording.pk)
    recording.refresh_from_db()
    assert recording.status == RecordingStatus.READY, recording.failure
    return recording


@pytest.fixture
def ready(mjr, live_session, tmp_path, judge):
    return _ready(live_session, mjr, tmp_path, judge)


def test_the_parties_and_the_panel_confirm_the_hash_through_signature_requests(
    ready, client, plaintiff_zhang, defendant_wang, judge_chen, clerk_zhao, zhang
):
    from microcourt.signing import actions as signing
    from microcourt.signing.models import SignatureRequest

    requests = SignatureRequest.objects.filter(case_id=ready.session.case_id)
    assert {r.signer_id for r in requests} == {
        plaintiff_zhang.pk, defendant_wang.pk, judge_chen.pk, clerk_zhao.pk,
    }  # fmt: skip
    assert all(ready.sha256[:16] in r.title and r.status == "pending" for r in requests)
    # The document states the hash: 张三 reads it before he signs.
    mine = requests.get(signer=plaintiff_zhang)
    text = _pdf_text(default_storage.open(mine.source_path, "rb").read())
    assert ready.sha256 in text.replace("\n", "")
    signing.signature_request_sign(request_id=mine.pk, actor=zhang, handwriting_png=None)

    client.force_login(plaintiff_zhang)
    body = client.get(f"{API}/sessions/{ready.session_id}/recording").json()
    assert body["status"] == "ready" and body["sha256"] == ready.sha256
    assert body["size"] == ready.size and body["duration_seconds"] > 3
    assert len(body["segments"]) == 2
    states = {c["user_id"]: c["status"] for c in body["confirmations"]}
    assert states == {
        plaintiff_zhang.pk: "signed", defendant_wang.pk: "pending",
        judge_chen.pk: "pending", clerk_zhao.pk: "pending",
    }  # fmt: skip
    page = client.get(f"/hearings/{ready.session_id}/recording/").content.decode()
    assert ready.sha256 in page and "已确认" in page


def _pdf_text(data: bytes) -> str:
    import io

    from pypdf import PdfReader

    return "".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)


def test_each_viewer_watches_a_copy_with_their_own_name_in_the_picture_seeking_with_range(
    ready, client, run_tasks, plaintiff_zhang, defendant_wang
):
    sid = ready.session_id
    copies = {}
    for user in (plaintiff_zhang, defendant_wang):
        client.force_login(user)
        first = client.get(f"{API}/sessions/{sid}/recording/watch").json()
        assert first["state"] == "rendering" and first["stream_url"] is None
        assert client.get(f"/hearings/{sid}/recording/stream/").status_code == 404
        page = client.get(f"/hearings/{sid}/recording/").content.decode()
        assert "正在生成" in page and "<video" not in page
        # The page polls its player part while the copy is made.
        part = client.get(f"/hearings/{sid}/recording/?partial=player", HTTP_HX_REQUEST="true")
        assert part.status_code == 200 and "<progress" in part.content.decode()
        assert "<html" not in part.content.decode()
        from django_tasks_db.models import DBTaskResult

        from microcourt.hearings.tasks import recording as tasks

        queued = DBTaskResult.objects.filter(task_path=tasks.COPY_TASK_PATH)
        assert queued.filter(args_kwargs__args=[ready.pk, user.pk]).count() == 1  # once
        run_tasks()
        viewed = Entry.objects.filter(code=LedgerEvent.RECORDING_VIEWED).count()
        ready_state = client.get(f"{API}/sessions/{sid}/recording/watch").json()
        assert ready_state["state"] == "ready", ready_state
        assert Entry.objects.filter(code=LedgerEvent.RECORDING_VIEWED).count() == viewed + 1
        page = client.get(f"/hearings/{sid}/recording/").content.decode()
        assert "<video" in page and 'controlslist="nodownload' in page
        assert "hearing_recording_download" not in page and "下载原始录像" not in page

        whole = client.get(ready_state["stream_url"])
        assert whole.status_code == 200
        assert whole["Content-Disposition"].startswith("inline")
        data = b"".join(whole.streaming_content)
        part = client.get(ready_state["stream_url"], HTTP_RANGE="bytes=1000-1999")
        assert part.status_code == 206
        assert part["Content-Range"] == f"bytes 1000-1999/{len(data)}"
        assert part["Content-Disposition"].startswith("inline")
        assert b"".join(part.streaming_content) == data[1000:2000]
        tail = client.get(ready_state["stream_url"], HTTP_RANGE="bytes=-500")
        assert tail.status_code == 206 and b"".join(tail.streaming_content) == data[-500:]
        local = Path(default_storage.path(f"hearing-recordings/copies/{ready.sha256[:2]}/"
                                          f"{ready.sha256}/{user.pk}.mp4"))  # fmt: skip
        assert local.read_bytes() == data
        copies[user.pk] = local
    master = Path(default_storage.path(ready.file))
    zhang_copy, wang_copy = copies[plaintiff_zhang.pk], copies[defendant_wang.pk]
    assert (
        hashlib.sha256(zhang_copy.read_bytes()).digest()
        != hashlib.sha256(wang_copy.read_bytes()).digest()
    )
    # The names are in the pictures themselves, not laid over them by the page.
    for at in (1.0, 3.0):
        assert _frame(zhang_copy, at) != _frame(wang_copy, at)
        assert _frame(zhang_copy, at) != _frame(master, at)
    duration, kinds = _probe(zhang_copy)
    assert {"video", "audio"} <= kinds and duration == pytest.approx(ready.duration_seconds, 0.1)


def test_the_raw_file_only_with_the_presiding_judges_leave(
    ready, client, plaintiff_zhang, judge_chen
):
    sid = ready.session_id
    client.force_login(plaintiff_zhang)
    assert client.get(f"/hearings/{sid}/recording/download/").status_code == 404
    assert client.get(f"{API}/sessions/{sid}/recording").json()["may_download"] is False
    # A party cannot give himself leave.
    refused = client.post(
        f"{API}/sessions/{sid}/recording/download-permission",
        data={"user_id": plaintiff_zhang.pk}, content_type="application/json",
    )  # fmt: skip
    assert refused.status_code in (403, 404)
    ready.refresh_from_db()
    assert ready.download_allowed == []

    client.force_login(judge_chen)
    assert "准许下载" in client.get(f"/hearings/{sid}/recording/").content.decode()
    bad = client.post(
        f"{API}/sessions/{sid}/recording/download-permission",
        data={"user_id": 999999}, content_type="application/json",
    )  # fmt: skip
    assert bad.status_code == 400 and "user_id" in bad.json()["error"]["fields"]
    allowed = client.post(
        f"{API}/sessions/{sid}/recording/download-permission",
        data={"user_id": plaintiff_zhang.pk, "note": "当事人申请复制"},
        content_type="application/json",
    )
    assert allowed.status_code == 200, allowed.content
    assert allowed.json()["download_allowed"] == [plaintiff_zhang.pk]
    entry = Entry.objects.get(code=LedgerEvent.RECORDING_DOWNLOAD_ALLOWED)
    assert entry.subject_digest == f"sha256:{ready.sha256}"

    client.force_login(plaintiff_zhang)
    assert "下载原始录像" in client.get(f"/hearings/{sid}/recording/").content.decode()
    download = client.get(f"/hearings/{sid}/recording/download/")
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment")
    assert hashlib.sha256(b"".join(download.streaming_content)).hexdigest() == ready.sha256


def test_an_outsider_finds_nothing(ready, client, outsider):
    sid = ready.session_id
    client.force_login(outsider.user)
    before = Entry.objects.count()
    for url in (
        f"/hearings/{sid}/recording/",
        f"/hearings/{sid}/recording/stream/",
        f"/hearings/{sid}/recording/download/",
        f"{API}/sessions/{sid}/recording",
        f"{API}/sessions/{sid}/recording/watch",
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/hearings/{sid}/recording/permission/", {"user_id": 1}).status_code == 404
    response = client.post(
        f"{API}/sessions/{sid}/recording/download-permission",
        data={"user_id": outsider.user.pk}, content_type="application/json",
    )  # fmt: skip
    assert response.status_code == 404
    assert Entry.objects.count() == before


@pytest.mark.parametrize("where", ["protected", "missing", "empty"])
def test_a_protected_or_missing_folder_fails_with_a_reason_and_is_retried(
    where, live_session, tmp_path, run_tasks
):
    from django_tasks_db.models import DBTaskResult

    from microcourt.hearings.tasks import recording as tasks

    rec_dir = {
        "protected": "/usr/share/microcourt-rec",  # Janus refuses it, saying so only in its log
        "missing": str(tmp_path / "gone"),
        "empty": str(tmp_path / "empty"),  # Janus wrote nothing
    }[where]
    (tmp_path / "empty").mkdir()
    Session.objects.filter(pk=live_session.pk).update(room=4242, status="closed")
    recording = Recording.objects.create(
        session=live_session, rec_dir=rec_dir, status=RecordingStatus.PROCESSING,
        segments=[{"start": timezone.now().isoformat(), "end": timezone.now().isoformat()}],
    )  # fmt: skip
    result = tasks.recording_build.enqueue(recording.pk)
    run_tasks()  # the worker survives it
    recording.refresh_from_db()
    assert recording.status == RecordingStatus.FAILED
    expected = {"protected": "protect", "missing": "does not exist", "empty": "no recording"}
    assert expected[where] in recording.failure
    assert not recording.file and not recording.sha256
    assert Entry.objects.filter(code=LedgerEvent.RECORDING_FAILED).count() == 1
    row = DBTaskResult.objects.get(pk=result.id)
    assert row.status == "READY" and row.run_after > timezone.now()  # retried later
    assert "RecordingFailed" in row.exception_class_path


def test_a_media_step_over_its_budget_is_stopped_with_its_children(tmp_path):
    """ffmpeg runs within the job's time budget and at low priority: past it, the process
    group is killed and the step fails with the reason, instead of holding the worker."""
    from microcourt.hearings.recording import media

    budget = media.Budget(1.0)
    started = time.monotonic()
    with pytest.raises(media.MediaFailed) as failed:
        media.run(
            ["ffmpeg", "-v", "error", "-re", "-f", "lavfi", "-i", "anullsrc", "-t", "60",
             "-f", "null", "-"],
            budget=budget,
        )  # fmt: skip
    assert failed.value.reason == "timeout"
    assert time.monotonic() - started < 5
    with pytest.raises(media.MediaFailed) as late:
        media.run(["ffmpeg", "-version"], budget=budget)
    assert late.value.reason == "timeout"

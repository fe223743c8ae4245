"""庭审笔录 stories (issue 17): speech recognition writes the lines (here added directly, as
the worker would), 赵书记员 corrects them while 陈法官 presides, the record goes to everyone
to read and sign on the phone, 王五 asks for a correction, 张三 signs, 王五 refuses, and the
signed record goes into the e-dossier with its hash in the ledger."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from microcourt.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from microcourt.hearings.actions import room, transcript
from microcourt.hearings.actions import transcript_corrections as corrections
from microcourt.hearings.actions import transcript_record as record_actions
from microcourt.hearings.events import LedgerEvent
from microcourt.hearings.models import (
    AttendanceEvent,
    AttendanceKind,
    SessionStatus,
    TranscriptLine,
    TranscriptRecord,
)
from microcourt.hearings.tests.conftest import verify_in_person
from microcourt.ledger.models import Entry

pytestmark = pytest.mark.django_db

CHEN_ID = "330203198803051235"
ZHAO_ID = "330203198706071242"


@pytest.fixture(autouse=True)
def _pki(settings, tmp_path):
    settings.SIGNING_PKI_DIR = tmp_path / "pki"
    settings.SIGNING_AUTO_INIT = True
    settings.SIGNING_TSA_URL = ""
    settings.SIGNING_TSA_CA_FILE = ""
    settings.PUBLIC_BASE_URL = "https://court.example"


def seated(session):
    room.seats_sync(session=session)
    return {s.role: s for s in session.seats.all()}


def attend(session, *seats):
    for seat in seats:
        AttendanceEvent.objects.create(
            session=session, seat=seat, kind=AttendanceKind.JOINED, at=timezone.now()
        )


def open_session(session):
    session.status = SessionStatus.OPEN
    session.opened_at = timezone.now() - dt.timedelta(minutes=30)
    session.stage = "investigation"
    session.save(update_fields=["status", "opened_at", "stage"])


def close_session(session):
    session.status = SessionStatus.CLOSED
    session.closed_at = timezone.now()
    session.save(update_fields=["status", "closed_at"])


def say(session, seat, text, ms, **kw):
    at = session.opened_at + dt.timedelta(milliseconds=ms)
    return transcript.transcript_line_add(
        session_id=session.pk,
        seat_id=seat.pk if seat else None,
        started_at=at,
        ended_at=at + dt.timedelta(seconds=3),
        text=text,
        engine="fake",
        source=f"feed-{seat.pk if seat else 0}",
        source_ms=ms,
        **kw,
    )


@pytest.fixture
def hearing(session, django_capture_on_commit_callbacks):
    seats = seated(session)
    open_session(session)
    attend(session, seats["plaintiff"], seats["defendant"])
    with django_capture_on_commit_callbacks(execute=True):
        lines = [
            say(session, seats["presiding_judge"], "现在开庭。", 1000),
            say(session, seats["plaintiff"], "被告借款五万元未还。", 5000),
            say(session, seats["defendant"], "我已经还了两万元。", 9000),
        ]
    return session, seats, lines


def test_a_line_is_added_once_with_its_speaker_stage_and_first_version(hearing):
    session, seats, lines = hearing
    line = lines[1]
    assert line.speaker == "原告 张三"
    assert line.stage == "investigation"
    assert line.engine_text == line.text == "被告借款五万元未还。"
    again = say(session, seats["plaintiff"], "另一个结果", 5000)
    assert again.pk == line.pk and again.text == "被告借款五万元未还。"
    assert TranscriptLine.objects.filter(session=session).count() == 3
    assert list(line.versions.values_list("number", "text")) == [(1, "被告借款五万元未还。")]
    assert Entry.objects.filter(code=LedgerEvent.TRANSCRIPT_LINE_ADDED).count() == 3


def test_a_gap_is_shown_as_such_not_as_silence(hearing):
    session, seats, _lines = hearing
    gap = say(session, seats["defendant"], "", 12000, gap="timeout")
    assert gap.text == "" and gap.get_gap_display() == "此处语音识别超时"
    with pytest.raises(InvalidInput) as exc:
        say(session, seats["defendant"], "", 13000, gap="lost")
    assert "gap" in exc.value.fields


def test_the_clerk_edits_a_line_and_the_engines_text_stays_as_its_first_version(
    hearing, clerk, zhang
):
    _session, _seats, lines = hearing
    line = transcript.transcript_line_edit(
        line_id=lines[2].pk, actor=clerk, text="我已经还了贰万元。"
    )
    line = transcript.transcript_line_edit(line_id=line.pk, actor=clerk, text="我已还款两万元。")
    line.refresh_from_db()
    assert line.text == "我已还款两万元。" and line.engine_text == "我已经还了两万元。"
    versions = list(line.versions.values_list("number", "text", "by_id"))
    assert versions == [
        (1, "我已经还了两万元。", None),
        (2, "我已经还了贰万元。", clerk.user_id),
        (3, "我已还款两万元。", clerk.user_id),
    ]
    assert Entry.objects.filter(code=LedgerEvent.TRANSCRIPT_EDITED).count() == 2
    with pytest.raises(Forbidden):  # a party does not edit the record
        transcript.transcript_line_edit(line_id=line.pk, actor=zhang, text="改")


def test_an_outsider_finds_no_line(hearing, outsider):
    _session, _seats, lines = hearing
    with pytest.raises(NotFound):
        transcript.transcript_line_edit(line_id=lines[0].pk, actor=outsider, text="x")


def test_hotwords_name_the_parties_and_the_cause(hearing):
    session, _seats, _lines = hearing
    words = transcript.transcript_hotwords(session_id=session.pk)
    assert "张三" in words and "王五" in words and "民间借贷纠纷" in words


def test_live_reading_the_party_before_and_after_and_the_outsider(hearing, judge, zhang, outsider):
    from microcourt.hearings import selectors

    session, _seats, _lines = hearing
    selectors.transcript_for(judge, session.pk)  # the court reads it always
    with pytest.raises(Forbidden):
        selectors.transcript_for(zhang, session.pk)
    with pytest.raises(NotFound):
        selectors.transcript_for(outsider, session.pk)
    with pytest.raises(Forbidden):  # only the presiding judge sets the switch
        transcript.transcript_live_set(session=session, actor=zhang, visible=True)
    transcript.transcript_live_set(session=session, actor=judge, visible=True)
    _s, record = selectors.transcript_for(zhang, session.pk)
    assert record.live_visible
    assert selectors.transcript_lines_of(record).count() == 3
    transcript.transcript_live_set(session=session, actor=judge, visible=False)
    with pytest.raises(Forbidden):
        selectors.transcript_for(zhang, session.pk)
    close_session(session)
    selectors.transcript_for(zhang, session.pk)  # after the session: the parties read it
    with pytest.raises(NotFound):
        selectors.transcript_for(outsider, session.pk)


def _sign(request_id, actor):
    from microcourt.signing import actions as signing

    return signing.signature_request_sign(request_id=request_id, actor=actor, handwriting_png=None)


def _sign_record(session, actor):
    row = record_actions.transcript_sign_request(
        session=session, case_id=session.case_id, actor=actor
    )
    _sign(row.pk, actor)
    return record_actions.transcript_signatures_sync(
        record_id=TranscriptRecord.objects.get(session=session).pk
    )


def _text(pdf: bytes) -> str:
    import io

    from pypdf import PdfReader

    # Without white space: the PDF wraps lines anywhere.
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    return "".join(text.split())


def _read(path: str) -> bytes:
    from django.core.files.storage import default_storage

    with default_storage.open(path, "rb") as handle:
        return handle.read()


def test_the_whole_record_read_corrected_signed_by_three_refused_by_one_and_filed(
    hearing, judge, clerk, zhang, wang, judge_chen, clerk_zhao, django_capture_on_commit_callbacks
):
    from microcourt.dossier import selectors as dossier_selectors
    from microcourt.ledger import selectors as ledger_selectors
    from microcourt.notifications.models import Notification
    from microcourt.signing import selectors as signing_selectors

    session, _seats, lines = hearing
    transcript.transcript_line_edit(line_id=lines[2].pk, actor=clerk, text="我已还款两万元。")
    with pytest.raises(Conflict):  # not before the session is closed
        record_actions.transcript_send(session=session, actor=clerk)
    close_session(session)
    with django_capture_on_commit_callbacks(execute=True):
        record = record_actions.transcript_send(session=session, actor=clerk)
    assert record.status == "reading" and record.revision == 1
    # 5 days, counted from the next day; a last day on a rest day moves to a working day.
    assert record.due_on >= timezone.localdate() + dt.timedelta(days=5)
    signers = {s.label: s for s in record.signers.filter(revision=1)}
    assert set(signers) == {"审判长 陈法官", "书记员 赵书记员", "原告 张三", "被告 王五"}
    assert Notification.objects.filter(event="signing.requested", recipient=zhang.user).exists()
    pdf = _read(record.pdf_path)
    text = _text(pdf)
    for words in (
        "庭审笔录",
        "(2025)浙0203民初101号",
        "民间借贷纠纷",
        "原告张三",
        "我已还款两万元",
    ):
        assert words in text, words

    # Once sent, the clerk's pane no longer edits: the correction route instead.
    with pytest.raises(Conflict) as refused:
        transcript.transcript_line_edit(line_id=lines[1].pk, actor=clerk, text="改动")
    assert "补正" in str(refused.value.message)

    # 王五 asks for two corrections: one accepted, one refused; both in the record.
    first = corrections.correction_request_create(
        session=session,
        case_id=session.case_id,
        actor=wang,
        line_id=lines[2].pk,
        text="我已于2024年3月还款两万元。",
        reason="漏记还款时间",
    )
    second = corrections.correction_request_create(
        session=session, case_id=session.case_id, actor=wang, omission=True, text="我要求调解。"
    )
    with pytest.raises(InvalidInput):  # refusing needs its reason
        corrections.correction_decide(correction_id=second.pk, actor=clerk, accept=False)
    with pytest.raises(Forbidden):
        corrections.correction_decide(correction_id=first.pk, actor=zhang, accept=True)
    with django_capture_on_commit_callbacks(execute=True):
        corrections.correction_decide(correction_id=first.pk, actor=clerk, accept=True)
        corrections.correction_decide(
            correction_id=second.pk, actor=clerk, accept=False, note="当庭未发表该意见"
        )
    record.refresh_from_db()
    assert record.revision == 3 and record.status == "reading"
    line = TranscriptLine.objects.get(pk=lines[2].pk)
    assert line.text == "我已于2024年3月还款两万元。" and line.engine_text == "我已经还了两万元。"
    assert line.versions.last().note == f"correction:{first.pk}"
    text = _text(_read(record.pdf_path))
    assert "我已于2024年3月还款两万元" in text and "当庭未发表该意见" in text
    assert "不予补正" in text and "已补正" in text

    # Three sign on the phone after a fresh face check; each signs the previous output.
    verify_in_person(judge_chen, clerk_zhao, "陈法官", CHEN_ID)
    verify_in_person(clerk_zhao, judge_chen, "赵书记员", ZHAO_ID)
    first_row = record_actions.transcript_sign_request(
        session=session, case_id=session.case_id, actor=zhang
    )
    with pytest.raises(Conflict) as busy:  # one at a time on a revision
        record_actions.transcript_sign_request(
            session=session, case_id=session.case_id, actor=judge
        )
    assert busy.value.code == "transcript_signing_busy"
    _sign(first_row.pk, zhang)
    record_actions.transcript_signatures_sync(record_id=record.pk)
    with django_capture_on_commit_callbacks(execute=True):
        record_actions.transcript_refuse_sign(
            session=session, case_id=session.case_id, actor=wang, reason="不同意补正处理结果"
        )
        _sign_record(session, judge)
        record = _sign_record(session, clerk)
    assert record.status == "signed"
    final = _read(record.head_path)
    report = signing_selectors.pdf_verify(final)
    assert report.valid, report.problems
    assert [s.signer_name for s in report.signatures] == ["张三", "陈法官", "赵书记员"]
    assert all(s.valid for s in report.signatures)

    # The refusal is in the record, as such (记明情况附卷).
    refusal = record.signers.get(revision=3, user=wang.user)
    assert (refusal.status, refusal.reason) == ("refused", "不同意补正处理结果")
    note = _text(_read(record.note_path))
    assert "拒绝签名" in note and "不同意补正处理结果" in note and "被告王五" in note
    assert (
        Entry.objects.filter(code=LedgerEvent.TRANSCRIPT_REFUSED, case_id=record.case_id).count()
        == 1
    )

    # Into the e-dossier; the final hash into the ledger, verified with the offline verifier.
    docs = dossier_selectors.documents(session.case, "parties")
    filed = [d for d in docs if d.sha256 == record.head_sha256]
    assert filed and filed[0].load() == final
    assert any(d.sha256 == record.note_sha256 for d in docs)
    entry = Entry.objects.get(code=LedgerEvent.TRANSCRIPT_COMPLETED)
    assert entry.subject_digest == f"sha256:{record.head_sha256}"
    assert ledger_selectors.check(ledger_selectors.receipt(entry), final) is None

    # After signing: an edit is refused; a correction is kept as a note beside it.
    with pytest.raises(Conflict) as late:
        transcript.transcript_line_edit(line_id=lines[1].pk, actor=clerk, text="改动")
    assert late.value.code == "transcript_signed"
    after = corrections.correction_request_create(
        session=session, case_id=session.case_id, actor=zhang, line_id=lines[1].pk, text="五万元整"
    )
    corrections.correction_decide(correction_id=after.pk, actor=clerk, accept=True, note="附卷说明")
    record.refresh_from_db()
    assert record.status == "signed" and _read(record.head_path) == final
    assert TranscriptLine.objects.get(pk=lines[1].pk).text == "被告借款五万元未还。"


def test_the_recording_stands_in_for_the_record_only_in_summary_procedure_with_every_consent(
    hearing, judge, zhang, wang
):
    session, _seats, _lines = hearing
    close_session(session)
    with pytest.raises(Conflict):
        corrections.recording_consent_give(session=session, case_id=session.case_id, actor=zhang)
    session.case.procedure = "summary"
    session.case.save(update_fields=["procedure"])
    corrections.recording_consent_give(session=session, case_id=session.case_id, actor=zhang)
    with pytest.raises(Conflict) as missing:
        corrections.recording_stands_in(session=session, case_id=session.case_id, actor=judge)
    assert "王五" in str(missing.value.message)
    corrections.recording_consent_give(session=session, case_id=session.case_id, actor=wang)
    with pytest.raises(Forbidden):
        corrections.recording_stands_in(session=session, case_id=session.case_id, actor=zhang)
    record = corrections.recording_stands_in(session=session, case_id=session.case_id, actor=judge)
    assert record.status == "stands_in"
    assert Entry.objects.filter(code=LedgerEvent.TRANSCRIPT_STANDS_IN).count() == 1


def test_the_transcript_state_machine_reaches_every_state():
    from microcourt.hearings.states import TRANSCRIPT

    assert TRANSCRIPT.reachable() == {"drafting", "reading", "signed", "stands_in"}


def test_the_workers_sweep_files_a_record_signed_outside_its_page(
    hearing, clerk, zhang, wang, judge, judge_chen, clerk_zhao
):
    from microcourt.hearings.tasks import transcripts as tasks
    from microcourt.signing import actions as signing

    session, _seats, _lines = hearing
    close_session(session)
    record = record_actions.transcript_send(session=session, actor=clerk)
    for actor in (wang, judge, clerk):
        record_actions.transcript_refuse_sign(
            session=session, case_id=session.case_id, actor=actor, reason="测试"
        )
    row = record_actions.transcript_sign_request(
        session=session, case_id=session.case_id, actor=zhang
    )
    signing.signature_request_sign(request_id=row.pk, actor=zhang, handwriting_png=None)
    record.refresh_from_db()
    assert record.status == "reading"  # signed at /sign/<id>/: not yet taken in
    assert tasks.sync_signatures.call() == 1
    record.refresh_from_db()
    row.refresh_from_db()
    assert record.status == "signed" and record.head_sha256 == row.signed_sha256
    assert record.signers.get(revision=1, user=zhang.user).status == "signed"


def test_a_joint_session_gives_each_case_its_own_record(session, judge, clerk):
    """联审: each case's record has the court's lines spoken while it was heard."""
    import time

    from microcourt.hearings import selectors
    from microcourt.hearings.actions import joint
    from microcourt.hearings.models import SessionCase

    from .conftest import sibling_case

    other = sibling_case(session.case, serial=102, cause="买卖合同纠纷")
    SessionCase.objects.create(session=session, case=other)
    seats = seated(session)
    open_session(session)
    presiding = seats["presiding_judge"]

    def judge_says(text, ms):
        now = timezone.now()
        return transcript.transcript_line_add(
            session_id=session.pk,
            seat_id=presiding.pk,
            started_at=now,
            ended_at=now,
            text=text,
            engine="fake",
            source="feed-j",
            source_ms=ms,
        )

    joint.joint_focus(session=session, actor=judge, case_id=other.pk)
    time.sleep(0.01)
    about_other = judge_says("现在审理买卖合同纠纷一案。", 1)
    joint.joint_focus(session=session, actor=judge, case_id=session.case_id)
    time.sleep(0.01)
    about_main = judge_says("现在审理民间借贷纠纷一案。", 2)
    close_session(session)
    records = {r.case_id: r for r in transcript.records_of(session)}
    assert set(records) == {session.case_id, other.pk}
    main_lines = list(selectors.transcript_lines_of(records[session.case_id]))
    other_lines = list(selectors.transcript_lines_of(records[other.pk]))
    assert about_main in main_lines and about_other not in main_lines
    assert about_other in other_lines and about_main not in other_lines
    # The clerk sends each case's record on its own.
    record = record_actions.transcript_send(session=session, case_id=other.pk, actor=clerk)
    assert record.case_id == other.pk and record.status == "reading"
    assert records[session.case_id].status == "drafting"


def test_those_yet_to_sign_are_reminded_the_day_before_the_reading_period_ends(
    hearing, clerk, zhang, wang
):
    from microcourt.notifications.models import Notification

    session, _seats, _lines = hearing
    close_session(session)
    record = record_actions.transcript_send(session=session, actor=clerk)
    record_actions.transcript_refuse_sign(
        session=session, case_id=session.case_id, actor=wang, reason="不同意记录"
    )

    def reminded():
        rows = Notification.objects.filter(event="deadline.reminder", channel="sms")
        return sorted(rows.values_list("recipient_id", flat=True))

    pending = sorted(
        record.signers.filter(revision=record.revision, status="pending").values_list(
            "user_id", flat=True
        )
    )
    assert zhang.user.pk in pending and wang.user.pk not in pending
    two_days_before = record.due_on - dt.timedelta(days=2)
    assert record_actions.transcript_reminders_send(today=two_days_before) == 0
    assert reminded() == []

    day_before = record.due_on - dt.timedelta(days=1)
    assert record_actions.transcript_reminders_send(today=day_before) == len(pending)
    assert reminded() == pending  # each once; the one who refused is left alone
    record_actions.transcript_reminders_send(today=day_before)  # the worker again
    assert reminded() == pending
    body = Notification.objects.filter(event="deadline.reminder", recipient=zhang.user).first()
    assert "阅读并签署" in body.body and record.due_on.strftime("%Y-%m-%d") in body.body

"""The case space's stories: posting, files, retraction, read receipts, mentions, the private
联系法官 line, pins, strong reminders and the export."""

import datetime as dt

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile

from microcourt.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from microcourt.ledger.models import Entry
from microcourt.notifications.models import Notification
from microcourt.spaces import actions, selectors
from microcourt.spaces.events import LedgerEvent
from microcourt.spaces.models import Message, ReminderAck

from .conftest import ogg_voice, pdf_bytes, webm_voice

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def post(case, actor, text="", **kw):
    return actions.message_post(case=case, actor=actor, text=text, **kw)


def seen_by(case, actor):
    _case, member = selectors.member_of(actor, case.pk)
    return [m.seq for m in selectors.messages_for(case, member)]


def test_each_message_takes_the_next_seq_and_is_a_ledger_entry(loan_case, zhang, judge):
    first = post(loan_case, zhang, "法官您好，证据已上传。")
    second = post(loan_case, judge, "收到。")
    assert (first.seq, second.seq) == (1, 2)
    assert first.sender_role == "plaintiff" and second.sender_role == "judge"
    entries = Entry.objects.filter(case_id=loan_case.pk, code=LedgerEvent.MESSAGE_POSTED)
    assert entries.count() == 2
    entry = entries.get(details__message=first.pk)
    import hashlib

    text_digest = "sha256:" + hashlib.sha256("法官您好，证据已上传。".encode()).hexdigest()
    assert entry.subject_digest == first.digest == text_digest
    assert entry.actor_user_id == zhang.user_id


def test_files_images_and_voice_notes_are_sniffed_and_stored(loan_case, zhang, liu):
    pdf = pdf_bytes()
    m = post(loan_case, zhang, upload=SimpleUploadedFile("证据.pdf", pdf, "application/pdf"))
    assert m.kind == "file" and m.attachment_mime == "application/pdf"
    assert default_storage.exists(m.attachment_path)
    import hashlib

    assert m.digest == "sha256:" + hashlib.sha256(pdf).hexdigest()
    entry = Entry.objects.get(code=LedgerEvent.MESSAGE_POSTED, details__message=m.pk)
    assert entry.subject_digest == m.digest
    for data, name in ((webm_voice(), "voice.webm"), (ogg_voice(), "voice.ogg")):
        voice = post(loan_case, liu, upload=SimpleUploadedFile(name, data, "audio/webm"))
        assert voice.kind == "voice"


def test_an_exe_renamed_pdf_is_refused_and_nothing_is_stored(loan_case, zhang, settings):
    exe = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 200
    upload = SimpleUploadedFile("证据.pdf", exe, "application/pdf")
    with pytest.raises(InvalidInput) as refused:
        post(loan_case, zhang, upload=upload)
    assert "file" in refused.value.fields
    assert not Message.objects.exists()
    assert not Entry.objects.filter(code=LedgerEvent.MESSAGE_POSTED).exists()
    import os

    media = settings.MEDIA_ROOT
    stored = [f for _d, _s, files in os.walk(media) for f in files] if os.path.exists(media) else []
    assert stored == []


def test_a_closed_case_refuses_messages(loan_case, zhang, judge):
    from microcourt.cases.models import Case

    Case.objects.filter(pk=loan_case.pk).update(status="closed")
    with pytest.raises(Conflict) as refused:
        post(loan_case, zhang, "还能说话吗？")
    assert refused.value.code == "case_closed"
    assert not Message.objects.exists()


def test_a_withdrawn_case_refuses_messages(loan_case, judge):
    from microcourt.cases.models import Case

    Case.objects.filter(pk=loan_case.pk).update(status="withdrawn")
    with pytest.raises(Conflict):
        post(loan_case, judge, "通知")
    assert not Message.objects.exists()


def test_a_removed_participant_is_refused(loan_case, liu, lawyer_liu):
    from microcourt.cases.models import CaseParticipant

    CaseParticipant.objects.filter(case=loan_case, user=lawyer_liu).update(active=False)
    with pytest.raises(NotFound):
        post(loan_case, liu, "我还是代理人")
    assert not Message.objects.exists()
    assert not Entry.objects.filter(code=LedgerEvent.MESSAGE_POSTED).exists()


def test_the_sender_retracts_within_two_minutes_with_a_new_message(loan_case, zhang, wang):
    original = post(loan_case, zhang, "发错了", now=T0)
    with pytest.raises(Forbidden):
        actions.message_retract(case=loan_case, actor=wang, message_id=original.pk, now=T0)
    retraction = actions.message_retract(
        case=loan_case, actor=zhang, message_id=original.pk, now=T0 + dt.timedelta(seconds=90)
    )
    assert retraction.kind == "retraction" and retraction.retracts_id == original.pk
    assert retraction.seq == original.seq + 1
    original.refresh_from_db()
    assert original.text == "发错了"  # immutable: still in the record
    entry = Entry.objects.get(code=LedgerEvent.MESSAGE_RETRACTED)
    assert entry.details["retracts"] == original.pk and entry.subject_digest == original.digest
    with pytest.raises(Conflict):
        actions.message_retract(case=loan_case, actor=zhang, message_id=original.pk, now=T0)


def test_too_late_for_the_sender_but_not_for_the_court(loan_case, zhang, judge):
    original = post(loan_case, zhang, "不当言论", now=T0)
    later = T0 + dt.timedelta(minutes=3)
    with pytest.raises(Conflict) as refused:
        actions.message_retract(case=loan_case, actor=zhang, message_id=original.pk, now=later)
    assert refused.value.code == "retract_window"
    assert actions.message_retract(case=loan_case, actor=judge, message_id=original.pk, now=later)


def test_read_receipts_move_forward_only(loan_case, zhang, wang, judge):
    post(loan_case, judge, "请双方于三日内提交证据。")
    m2 = post(loan_case, judge, "开庭时间另行通知。")
    thread = m2.thread
    mark = actions.read_mark(case=loan_case, actor=wang, thread_id=thread.pk, seq=m2.seq)
    assert mark.last_read_seq == 2
    mark = actions.read_mark(case=loan_case, actor=wang, thread_id=thread.pk, seq=1)
    assert mark.last_read_seq == 2
    assert selectors.read_marks(thread) == {wang.user_id: 2}
    assert Entry.objects.filter(code=LedgerEvent.READ_MARKED).count() == 1
    # The judge's page starts from everyone's marks, to show 已读 under the judge's messages.
    _case, member = selectors.member_of(judge, loan_case.pk)
    state = selectors.space_state(loan_case, member)
    assert {"thread": thread.pk, "user": wang.user_id, "seq": 2} in state["reads"]


def test_a_mention_notifies_the_person_in_app(
    loan_case, zhang, judge_chen, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        m = post(loan_case, zhang, "@陈法官 请问何时开庭？")
    note = Notification.objects.get(event="spaces.mention")
    assert note.recipient == judge_chen and note.channel == "inapp"
    assert note.url.endswith(f"#m{m.seq}")
    assert list(m.mentions.values_list("user_id", flat=True)) == [judge_chen.pk]


def test_the_private_line_to_the_court_is_hidden_from_the_other_party(
    loan_case, zhang, liu, wang, judge, clerk
):
    public = post(loan_case, wang, "大家好")
    private = post(loan_case, zhang, "法官，我想申请调解。", thread="court")
    reply = post(loan_case, judge, "可以。", thread="court", party=private.thread.party_id)
    assert reply.thread_id == private.thread_id
    assert seen_by(loan_case, wang) == [public.seq]
    for actor in (zhang, liu, judge, clerk):
        assert seen_by(loan_case, actor) == [public.seq, private.seq, reply.seq]
    with pytest.raises(NotFound):
        selectors.thread_for(
            loan_case, selectors.member_of(wang, loan_case.pk)[1], private.thread_id
        )
    with pytest.raises(NotFound):
        actions.message_retract(case=loan_case, actor=wang, message_id=private.pk)
    # The court names which side it writes to.
    with pytest.raises(InvalidInput):
        post(loan_case, judge, "请问哪位？", thread="court")


def test_only_the_court_pins_notices(loan_case, zhang, wang, judge):
    notice = post(loan_case, judge, "【通知】本案定于3月10日开庭。")
    with pytest.raises(Forbidden):
        actions.message_pin(case=loan_case, actor=zhang, message_id=notice.pk)
    actions.message_pin(case=loan_case, actor=judge, message_id=notice.pk)
    member = selectors.member_of(wang, loan_case.pk)[1]
    assert [p.message_id for p in selectors.pins_for(loan_case, member)] == [notice.pk]
    assert Entry.objects.filter(code=LedgerEvent.MESSAGE_PINNED).count() == 1
    actions.message_unpin(case=loan_case, actor=judge, message_id=notice.pk)
    assert selectors.pins_for(loan_case, member) == []


def test_an_unacknowledged_strong_reminder_goes_out_by_sms_once(
    loan_case, zhang, wang, judge, settings, django_capture_on_commit_callbacks
):
    settings.SPACES_STRONG_REMINDER_SECONDS = 600
    notice = post(loan_case, judge, "请于3月5日前缴纳诉讼费。", now=T0)
    with pytest.raises(Forbidden):
        actions.reminder_set(case=loan_case, actor=zhang, message_id=notice.pk, now=T0)
    actions.reminder_set(case=loan_case, actor=judge, message_id=notice.pk, now=T0)
    addressees = set(ReminderAck.objects.values_list("user__username", flat=True))
    assert addressees == {"plaintiff_zhang", "defendant_wang", "lawyer_liu"}
    assert Notification.objects.filter(event="spaces.reminder", channel="inapp").count() == 3
    actions.reminder_acknowledge(case=loan_case, actor=zhang, message_id=notice.pk, now=T0)

    assert actions.reminders_escalate(now=T0 + dt.timedelta(seconds=599)) == 0
    later = T0 + dt.timedelta(seconds=601)
    with django_capture_on_commit_callbacks(execute=False):
        assert actions.reminders_escalate(now=later) == 2
        assert actions.reminders_escalate(now=later) == 0  # a retried run sends nothing more
    sms = Notification.objects.filter(event="spaces.reminder.sms", channel="sms")
    assert sorted(sms.values_list("recipient__username", flat=True)) == [
        "defendant_wang",
        "lawyer_liu",
    ]
    assert Entry.objects.filter(code=LedgerEvent.REMINDER_ESCALATED).count() == 2
    assert Entry.objects.filter(code=LedgerEvent.REMINDER_ACKNOWLEDGED).count() == 1
    assert set(ReminderAck.objects.values_list("status", flat=True)) == {
        "acknowledged",
        "escalated",
    }
    # Even if the claim were lost, the idempotency key stops a second SMS.
    ReminderAck.objects.filter(status="escalated").update(status="pending", escalated_at=None)
    with django_capture_on_commit_callbacks(execute=False):
        actions.reminders_escalate(now=later)
    assert sms.count() == 2


def test_the_periodic_task_escalates(loan_case, judge, wang, settings):
    from microcourt.core.periodic import jobs
    from microcourt.spaces import tasks

    assert "microcourt.spaces.tasks.escalate_reminders" in jobs()
    settings.SPACES_STRONG_REMINDER_SECONDS = 0
    notice = post(loan_case, judge, "重要通知")
    actions.reminder_set(case=loan_case, actor=judge, message_id=notice.pk)
    assert tasks.escalate_reminders.call() == 3


def test_export_and_dossier_pdf(loan_case, zhang, wang, judge):
    from pypdf import PdfReader

    post(loan_case, zhang, "公开消息")
    post(loan_case, zhang, "只给法官看的话", thread="court")
    post(loan_case, zhang, upload=SimpleUploadedFile("借条.pdf", pdf_bytes(), "application/pdf"))
    import io

    def text_of(pdf: bytes) -> str:
        assert pdf.startswith(b"%PDF")
        return "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)

    mine = text_of(selectors.export(loan_case, wang))
    assert "公开消息" in mine and "只给法官看的话" not in mine and "借条.pdf" in mine
    court = text_of(selectors.dossier_pdf(loan_case))
    assert "只给法官看的话" in court and "原告" in court and "sha256:" in court


def test_the_court_sees_who_confirmed_a_key_message(loan_case, zhang, wang, judge):
    """强提醒: the court sees, per key message, who confirmed it and who was texted; parties
    do not."""
    message = post(loan_case, judge, "请于明日上午九时前提交证据原件照片。")
    actions.reminder_set(case=loan_case, actor=judge, message_id=message.pk)
    actions.reminder_acknowledge(case=loan_case, actor=zhang, message_id=message.pk)
    _case, court = selectors.member_of(judge, loan_case.pk)
    status = {row["name"]: row["acknowledged_at"] for row in selectors.reminder_status(
        loan_case, court, message.pk
    )}  # fmt: skip
    assert status["张三"] is not None and status["王五"] is None
    counts = selectors.space_state(loan_case, court)["reminders"][str(message.pk)]
    assert counts["acknowledged"] == 1 and counts["total"] == len(status)
    _case, party = selectors.member_of(wang, loan_case.pk)
    assert selectors.space_state(loan_case, party)["reminders"] == {}
    with pytest.raises(NotFound):
        selectors.reminder_status(loan_case, party, message.pk)

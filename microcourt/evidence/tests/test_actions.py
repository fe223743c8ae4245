"""Stories of evidence submission, originals, cross-examination and court-only exhibits."""

import datetime as dt
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from microcourt.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from microcourt.evidence import actions, selectors
from microcourt.evidence.events import LedgerEvent as E
from microcourt.evidence.models import Exhibit, Opinion
from microcourt.ledger.models import Entry
from microcourt.notifications.models import Notification

from .conftest import docx_bytes, pdf_bytes, png_bytes

pytestmark = pytest.mark.django_db

EXE = (
    b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00"
    + b"\x00" * 48
    + (b"PE\x00\x00" + b"\x00" * 20000)
)


def stored_files() -> list[Path]:
    root = Path(settings.MEDIA_ROOT) / "evidence"
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def test_the_plaintiff_submits_an_image_with_its_list_entry_and_digest_in_the_ledger(
    case, zhang, submit, run_tasks
):
    exhibit = submit(zhang)
    assert exhibit.number == 1 and exhibit.kind == "image" and exhibit.mime == "image/png"
    assert exhibit.submitted_by_role == "plaintiff"
    entry = Entry.objects.get(pk=exhibit.ledger_entry_id)
    assert entry.code == E.EXHIBIT_SUBMITTED
    assert entry.subject_digest == f"sha256:{exhibit.sha256}"
    assert entry.case_id == case.pk
    import hashlib

    assert exhibit.sha256 == hashlib.sha256(png_bytes()).hexdigest()
    # the defendant is told
    assert Notification.objects.filter(event="evidence.submitted").count() == 1
    second = submit(zhang, data=pdf_bytes(), filename="借条.pdf", mime="application/pdf")
    assert second.number == 2
    assert selectors.receipt_index(exhibit.ledger_entry_id) is not None


def test_an_exe_renamed_pdf_is_refused_and_nothing_is_stored(case, zhang, submit):
    with pytest.raises(InvalidInput) as err:
        submit(zhang, data=EXE, filename="借条.pdf", mime="application/pdf")
    assert "file" in err.value.fields
    assert not Exhibit.objects.exists()
    assert stored_files() == []
    assert not Entry.objects.filter(code=E.EXHIBIT_SUBMITTED).exists()


class CountingUpload:
    """An upload whose chunks are counted: the read must stop at the limit."""

    def __init__(self, head: bytes, chunk: int, chunks: int):
        self.name, self.size, self.head = "大图.png", None, head
        self.chunk, self.total, self.read_chunks = chunk, chunks, 0

    def chunks(self, _size):
        for i in range(self.total):
            self.read_chunks += 1
            yield self.head if i == 0 else b"\x00" * self.chunk


def test_an_oversized_upload_stops_at_its_kinds_limit_and_stores_nothing(case, zhang, settings):
    settings.EVIDENCE_MAX_IMAGE_MB = 1
    big = CountingUpload(png_bytes(), 64 * 1024, 100)  # ~6 MB of "image"
    with pytest.raises(InvalidInput) as err:
        actions.exhibit_submit(
            case=case, actor=zhang, upload=big, name="大图", source="自拍", purpose="证明", pages=1
        )
    assert "1 MB" in str(err.value.fields["file"])
    assert big.read_chunks <= 18  # stopped just past 1 MB, never read to the end
    assert stored_files() == [] and not Exhibit.objects.exists()


def test_a_declared_size_over_the_limit_is_refused_before_reading(case, zhang, settings):
    settings.EVIDENCE_MAX_IMAGE_MB = 1
    from .conftest import upload

    big = upload("大图.png", png_bytes() + b"\x00" * (2 * 1024 * 1024))
    with pytest.raises(InvalidInput):
        actions.exhibit_submit(
            case=case, actor=zhang, upload=big, name="大图", source="自拍", purpose="证明"
        )
    assert stored_files() == []


def test_missing_list_fields_are_refused_before_anything_is_read(case, zhang, submit):
    with pytest.raises(InvalidInput) as err:
        submit(zhang, source="  ")
    assert "source" in err.value.fields
    assert stored_files() == []


def test_previews_are_made_by_the_task_after_commit(case, zhang, submit, run_tasks):
    image = submit(zhang)
    pdf = submit(zhang, data=pdf_bytes(), filename="借条.pdf", mime="application/pdf")
    word = submit(
        zhang,
        data=docx_bytes(),
        filename="聊天.docx",
        mime="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    )
    chat = submit(zhang, data="王五：钱下月还你".encode(), filename="chat.txt", mime="text/plain")
    assert image.preview_status == "pending"
    run_tasks()
    for e in (image, pdf, word, chat):
        e.refresh_from_db()
        assert e.preview_status == "ready", e.mime
    assert image.preview_path.endswith(".jpg") and pdf.preview_path.endswith(".jpg")
    assert "王五承认借款" in word.preview_text
    assert chat.kind == "chat" and "钱下月还你" in chat.preview_text
    # idempotent: running it again changes nothing
    before = pdf.preview_path
    actions.preview_make(exhibit_id=pdf.pk)
    pdf.refresh_from_db()
    assert pdf.preview_path == before


def test_an_agent_submits_for_the_party_it_represents(case, lawyer_liu, submit):
    exhibit = submit(lawyer_liu, name="还款记录")
    assert exhibit.party.role == "defendant" and exhibit.submitted_by_role == "agent"


def test_the_court_cannot_submit_a_partys_evidence(case, judge, submit):
    with pytest.raises(Forbidden):
        submit(judge)


def test_objection_then_original_required_then_verified(case, zhang, wang, judge, submit):
    exhibit = submit(zhang)
    with pytest.raises(Forbidden):
        actions.objection_raise(exhibit=exhibit, actor=zhang, reasons="自己的")
    with pytest.raises(InvalidInput):
        actions.objection_raise(exhibit=exhibit, actor=wang, reasons=" ")
    actions.objection_raise(
        exhibit=exhibit, actor=wang, reasons="借条签名不是我写的，复印件有拼接痕迹"
    )
    exhibit.refresh_from_db()
    assert exhibit.original_status == "objected"
    with pytest.raises(Forbidden):
        actions.original_require(exhibit=exhibit, actor=wang, reason="objection")
    actions.original_require(exhibit=exhibit, actor=judge, reason="objection")
    exhibit.refresh_from_db()
    assert exhibit.original_status == "required"
    assert exhibit.get_original_status_display() == "需核对原件"
    assert Notification.objects.filter(event="evidence.original_required", channel="sms").exists()
    with pytest.raises(InvalidInput):  # there was an objection
        actions.original_confirm(exhibit=exhibit, actor=judge, ground="no_objection")
    actions.original_confirm(exhibit=exhibit, actor=judge, ground="compared")
    exhibit.refresh_from_db()
    assert exhibit.original_status == "verified" and exhibit.deemed_ground == "compared"
    codes = list(
        Entry.objects.filter(case_id=case.pk).order_by("pk").values_list("code", flat=True)
    )
    assert codes[-3:] == [E.OBJECTION_RAISED, E.ORIGINAL_REQUIRED, E.ORIGINAL_VERIFIED]


def test_a_copy_deemed_original_records_its_ground(case, zhang, judge, submit):
    exhibit = submit(zhang)
    actions.original_confirm(exhibit=exhibit, actor=judge, ground="notarised")
    exhibit.refresh_from_db()
    assert exhibit.original_status == "deemed" and exhibit.deemed_ground == "notarised"
    assert Entry.objects.filter(code=E.ORIGINAL_DEEMED, case_id=case.pk).exists()


# --- cross-examination --------------------------------------------------------------------------


@pytest.fixture
def two_exhibits(case, zhang, wang, submit):
    return submit(zhang, name="借条"), submit(wang, name="还款凭证")


def test_asynchronous_cross_examination_within_its_deadline(case, zhang, wang, judge, two_exhibits):
    _loan, _repayment = two_exhibits
    deadline = timezone.now() + dt.timedelta(days=3)
    with pytest.raises(Forbidden):
        actions.cross_examination_open(
            case=case, actor=zhang, exhibit_numbers=[1, 2], mode="async", deadline=deadline
        )
    period = actions.cross_examination_open(
        case=case, actor=judge, exhibit_numbers=[1, 2], mode="async", deadline=deadline
    )
    assert period.mode == "async"
    assert Notification.objects.filter(event="evidence.cross_examination_opened").count() == 4
    opinion = actions.opinion_give(
        period=period, actor=wang, exhibit_number=1, authenticity="disagree",
        legality="agree", relevance="partial", reasons="签名非本人所写",
    )  # fmt: skip
    assert opinion.participant.role == "defendant"
    with pytest.raises(Forbidden):  # not on one's own exhibit
        actions.opinion_give(
            period=period, actor=wang, exhibit_number=2, authenticity="agree",
            legality="agree", relevance="agree",
        )  # fmt: skip
    with pytest.raises(InvalidInput):  # reasons needed when not all 认可
        actions.opinion_give(
            period=period, actor=zhang, exhibit_number=2, authenticity="disagree",
            legality="agree", relevance="agree",
        )  # fmt: skip
    late = deadline + dt.timedelta(minutes=1)
    with pytest.raises(Conflict) as err:
        actions.opinion_give(
            period=period, actor=zhang, exhibit_number=2, authenticity="agree",
            legality="agree", relevance="agree", now=late,
        )  # fmt: skip
    assert err.value.code == "deadline_passed"
    assert Opinion.objects.count() == 1
    entry = Entry.objects.filter(code=E.OPINION_GIVEN).get()
    assert entry.subject_digest.startswith("sha256:")
    # the matrix: exhibits × parties
    m = selectors.matrix(period)
    assert [p.role for p in m["parties"]] == ["plaintiff", "defendant"]
    row1, row2 = m["rows"]
    assert row1["cells"][0]["own"] and row1["cells"][1]["opinion"] == opinion
    assert row2["cells"][0]["opinion"] is None and row2["cells"][1]["own"]


def test_parties_who_disagree_on_the_mode_get_synchronous(case, zhang, wang, judge, two_exhibits):
    assert actions.decide_mode("async", []) == "async"
    assert actions.decide_mode("sync", ["async", "async"]) == "async"
    assert actions.decide_mode("async", ["async", "sync"]) == "sync"
    period = actions.cross_examination_open(
        case=case, actor=judge, exhibit_numbers=[1], mode="async",
        deadline=timezone.now() + dt.timedelta(days=3),
    )  # fmt: skip
    period = actions.mode_prefer(period=period, actor=zhang, mode="async")
    assert period.mode == "async"
    period = actions.mode_prefer(period=period, actor=wang, mode="sync")
    assert period.mode == "sync"
    assert Entry.objects.filter(code=E.MODE_PREFERRED).count() == 2


def test_sync_needs_a_session_time(case, judge, two_exhibits):
    with pytest.raises(InvalidInput) as err:
        actions.cross_examination_open(
            case=case, actor=judge, exhibit_numbers=[1], mode="sync",
            deadline=timezone.now() + dt.timedelta(days=1),
        )  # fmt: skip
    assert "session_at" in err.value.fields


def test_the_reminder_is_sent_once_24_hours_before_the_deadline(
    case, zhang, wang, judge, two_exhibits
):
    now = timezone.now()
    period = actions.cross_examination_open(
        case=case, actor=judge, exhibit_numbers=[1, 2], mode="async",
        deadline=now + dt.timedelta(days=3),
    )  # fmt: skip
    actions.opinion_give(
        period=period, actor=zhang, exhibit_number=2, authenticity="agree",
        legality="agree", relevance="agree",
    )  # fmt: skip
    assert actions.reminders_send(now=now + dt.timedelta(days=1)) == []  # too early
    later = now + dt.timedelta(days=2, hours=1)
    assert actions.reminders_send(now=later) == [period.pk]
    assert actions.reminders_send(now=later + dt.timedelta(hours=1)) == []  # once
    reminders = Notification.objects.filter(event="evidence.cross_examination_reminder")
    # only 王五 still owes an opinion (on exhibit 1); in-app and SMS
    assert sorted(reminders.values_list("channel", flat=True)) == ["inapp", "sms"]
    assert {n.recipient.username for n in reminders} == {"defendant_wang"}
    assert Entry.objects.filter(code=E.REMINDER_SENT).count() == 1
    assert actions.reminders_send(now=now + dt.timedelta(days=4)) == []  # past deadline


def test_court_only_hides_the_exhibit_from_parties_and_logs_staff_views(
    case, zhang, wang, judge, clerk, submit
):
    exhibit = submit(zhang)
    with pytest.raises(Forbidden):
        actions.exhibit_set_court_only(exhibit=exhibit, actor=clerk)
    actions.exhibit_set_court_only(exhibit=exhibit, actor=judge)
    for party in (zhang, wang):
        _case, viewer = selectors.evidence_case(party, case.pk)
        assert list(selectors.exhibits_for(case, viewer)) == []
        with pytest.raises(NotFound):
            selectors.exhibit_for(case, viewer, exhibit.number)
    _case, viewer = selectors.evidence_case(clerk, case.pk)
    found = selectors.exhibit_for(case, viewer, exhibit.number)
    actions.log_view(found, clerk, viewer)
    entry = Entry.objects.get(code=E.COURT_ONLY_VIEWED)
    assert entry.actor_user_id == clerk.user_id and entry.details["exhibit"] == exhibit.pk


def test_outsiders_see_no_evidence(case, outsider):
    from microcourt.core.actor import Actor

    with pytest.raises(NotFound):
        selectors.evidence_case(Actor.citizen(outsider), case.pk)


def test_dossier_items_and_the_cross_examination_record(case, zhang, wang, judge, two_exhibits):
    period = actions.cross_examination_open(
        case=case, actor=judge, exhibit_numbers=[1, 2], mode="async",
        deadline=timezone.now() + dt.timedelta(days=3),
    )  # fmt: skip
    actions.opinion_give(
        period=period, actor=wang, exhibit_number=1, authenticity="partial",
        legality="agree", relevance="agree", reasons="金额有出入",
    )  # fmt: skip
    items = selectors.dossier_items(case)
    assert [i["number"] for i in items] == [1, 2]
    assert set(items[0]) == {"title", "number", "path", "mime", "sha256", "court_only",
                             "created_at", "submitted_by_role"}  # fmt: skip
    assert items[1]["submitted_by_role"] == "defendant"
    pdf = selectors.cross_examination_pdf(case)
    assert pdf.startswith(b"%PDF")
    import io

    from pypdf import PdfReader

    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert "金额有出入" in text and "部分认可" in text

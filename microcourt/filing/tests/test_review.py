"""The filing officer's desk: the legal clock across holidays, the one-time correction with
its clock reset, rejection with a written ruling, transfer, 跨域立案, and who may see what."""

import datetime as dt

import pytest
from django.utils import timezone

from microcourt.core import actions as core_actions
from microcourt.core.actor import Actor
from microcourt.core.calendar import SHANGHAI
from microcourt.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from microcourt.core.selectors import national_calendar
from microcourt.filing import actions, review, rules, selectors, submission
from microcourt.filing.models import DecisionKind, FilingMaterial, FilingStatus
from microcourt.filing.states import FILING
from microcourt.ledger.models import Entry
from microcourt.notifications.models import Notification

pytestmark = pytest.mark.django_db


def beijing(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=SHANGHAI)


@pytest.fixture
def cal(db):
    core_actions.calendar_sync(years=[2026])
    return national_calendar()


def test_the_seven_day_clock_rolls_past_the_national_day_holiday(cal):
    # Received Monday 28 Sep 2026: day 7 is 5 Oct, inside 国庆 → the court has until 8 Oct.
    clock = rules.review_clock("civil_first", beijing(2026, 9, 28, 10), cal)
    assert timezone.localtime(clock.due_at, SHANGHAI).date() == dt.date(2026, 10, 8)
    assert "第一百二十六条" in clock.basis
    assert not clock.provisional


def test_the_day_of_receipt_is_not_counted_and_the_whole_last_day_belongs_to_the_court(cal):
    clock = rules.review_clock("civil_first", beijing(2026, 11, 2, 23, 50), cal)
    due = timezone.localtime(clock.due_at, SHANGHAI)
    assert (due.date(), due.hour, due.minute) == (dt.date(2026, 11, 9), 23, 59)


def test_private_prosecutions_have_fifteen_days_and_preservation_forty_eight_hours(cal):
    start = beijing(2026, 11, 2, 9)
    assert timezone.localtime(
        rules.review_clock("private_prosecution", start, cal).due_at, SHANGHAI
    ).date() == dt.date(2026, 11, 17)
    assert rules.review_clock("preservation", start, cal).due_at == start + dt.timedelta(hours=48)


def test_every_case_kind_has_its_type_code_side_roles_and_period():
    for kind, rule in rules.kind_rules().items():
        assert rule.type_code and rule.review.amount > 0 and rule.review.basis, kind
        assert set(rule.sides) == {"claimant", "respondent", "third_party"}


def test_the_state_table_reaches_every_status():
    assert FILING.reachable() == set(FilingStatus.values)


def test_submission_records_the_content_digest_and_sends_a_dated_receipt(submitted, run_tasks):
    entry = Entry.objects.filter(details__object=f"filing.Filing:{submitted.pk}").latest("pk")
    assert entry.subject_digest == submitted.content_digest
    decision = submitted.decisions.get(kind=DecisionKind.SUBMITTED)
    assert decision.snapshot["digest"] == submitted.content_digest
    assert decision.snapshot["claims"][0]["text"] == "判令被告偿还借款本金50000元"
    assert Notification.objects.filter(event="filing.submitted", channel="sms").exists()
    run_tasks()
    receipt = FilingMaterial.objects.get(decision=decision, document_kind="receipt")
    from django.core.files.storage import default_storage
    from pypdf import PdfReader

    with default_storage.open(receipt.path) as f:
        text = "".join(p.extract_text() for p in PdfReader(f).pages)
    assert submitted.number in text and "收件凭证" in text


def test_an_incomplete_filing_lists_every_missing_item_and_stays_a_draft(zhang):
    filing = actions.filing_start(actor=zhang)
    with pytest.raises(InvalidInput) as refused:
        submission.filing_submit(filing=filing, actor=zhang)
    assert {"court", "cause", "parties", "claims", "facts", "materials"} <= set(
        refused.value.fields
    )
    filing.refresh_from_db()
    assert filing.status == FilingStatus.DRAFT


def test_the_correction_notice_is_one_time_and_the_clock_restarts_on_corrections(
    submitted, officer_li, zhang, run_tasks, django_capture_on_commit_callbacks
):
    first_due = submitted.review_due_at
    with django_capture_on_commit_callbacks(execute=True):
        review.filing_request_correction(
            filing=submitted, actor=officer_li, items=["补充被告身份证明", "补充借条原件照片"]
        )
    submitted.refresh_from_db()
    assert submitted.status == FilingStatus.CORRECTION_REQUESTED
    assert submitted.review_due_at is None  # the clock stops while corrections are awaited
    with pytest.raises(Conflict):  # 一次性告知: no second notice
        review.filing_request_correction(filing=submitted, actor=officer_li, items=["再补充"])
    # The applicant corrects (the draft is editable again) and resubmits days later.
    actions.claim_save(filing=submitted, actor=zhang, text="判令被告支付逾期利息", amount="1200")
    later = timezone.now() + dt.timedelta(days=3)
    from unittest import mock

    with mock.patch("django.utils.timezone.now", return_value=later):
        submission.filing_submit(filing=submitted, actor=zhang)
    submitted.refresh_from_db()
    assert submitted.status == FilingStatus.SUBMITTED
    assert submitted.review_due_at > first_due  # counted again from the corrections
    assert submitted.decisions.filter(kind=DecisionKind.CORRECTED).count() == 1
    run_tasks()
    notice = FilingMaterial.objects.get(document_kind="correction")
    assert notice.generated and notice.filing_id == submitted.pk


def test_a_correction_needs_items_and_a_sensible_deadline(submitted, officer_li):
    with pytest.raises(InvalidInput) as refused:
        review.filing_request_correction(filing=submitted, actor=officer_li, items=["  "])
    assert "items" in refused.value.fields
    with pytest.raises(InvalidInput) as refused:
        review.filing_request_correction(
            filing=submitted, actor=officer_li, items=["x"], deadline=timezone.localdate()
        )
    assert "deadline" in refused.value.fields


def test_rejection_needs_reasons_and_issues_a_ruling(
    submitted, officer_li, run_tasks, django_capture_on_commit_callbacks
):
    with pytest.raises(InvalidInput) as refused:
        review.filing_reject(filing=submitted, actor=officer_li, reasons="")
    assert "reasons" in refused.value.fields
    with django_capture_on_commit_callbacks(execute=True):
        review.filing_reject(
            filing=submitted, actor=officer_li, reasons="原告与本案没有直接利害关系。"
        )
    submitted.refresh_from_db()
    assert submitted.status == FilingStatus.REJECTED
    run_tasks()
    ruling = FilingMaterial.objects.get(document_kind="ruling")
    from django.core.files.storage import default_storage
    from pypdf import PdfReader

    with default_storage.open(ruling.path) as f:
        text = "".join(p.extract_text() for p in PdfReader(f).pages)
    assert "不予受理" in text and "没有直接利害关系" in text and "十日内" in text


def test_transfer_moves_the_filing_to_the_competent_courts_queue(submitted, officer_li):
    from microcourt.courts.tests.factories import CourtFactory, StaffFactory

    yinzhou = CourtFactory(code="浙0212", name="宁波市鄞州区人民法院", level="basic")
    review.filing_transfer(
        filing=submitted, actor=officer_li, target_court_code="浙0212", reasons="被告住所地在鄞州"
    )
    submitted.refresh_from_db()
    assert submitted.court_id == yinzhou.pk and submitted.status == FilingStatus.SUBMITTED
    other = StaffFactory(court=yinzhou, role="filing_officer").user
    queue = selectors.review_queue(Actor(user=other, role="filing_officer"), yinzhou)
    assert [i.filing.number for i in queue] == [submitted.number]
    # The first court no longer decides it.
    with pytest.raises(NotFound):
        review.filing_accept(filing=submitted, actor=officer_li)


def test_only_the_filing_courts_officers_decide(submitted, zhang, judge_chen, court_haishu):
    from microcourt.courts.tests.factories import StaffFactory

    with pytest.raises(Forbidden):  # the applicant sees the filing but does not decide it
        actions.filing_accept(filing=submitted, actor=zhang)
    # A judge of the court is on no panel of a filing: it is not theirs to see (ADR 0001).
    judge = Actor(user=judge_chen, role="judge", court_id=court_haishu.pk)
    with pytest.raises(NotFound):
        actions.filing_accept(filing=submitted, actor=judge)
    # The division head reads the court's filings but the filing desk decides them.
    head = StaffFactory(court=court_haishu, role="division_head").user
    assert (
        selectors.filings_for(Actor(user=head, role="division_head"))
        .filter(pk=submitted.pk)
        .exists()
    )
    with pytest.raises(Forbidden):
        actions.filing_accept(filing=submitted, actor=Actor(user=head, role="division_head"))
    submitted.refresh_from_db()
    assert submitted.status == FilingStatus.SUBMITTED and submitted.case_id is None


def test_strangers_see_neither_drafts_nor_filings(draft, submitted, defendant_wang, officer_li):
    stranger = Actor.citizen(defendant_wang)
    assert not selectors.filings_for(stranger).exists()
    with pytest.raises(NotFound):
        selectors.filing_for(stranger, submitted.number)
    with pytest.raises(NotFound):
        actions.claim_save(filing=submitted, actor=stranger, text="x")


def test_the_court_does_not_see_drafts(zhang, officer_li, court_haishu):
    filing = actions.filing_start(actor=zhang)
    actions.filing_update(filing=filing, actor=zhang, changes={"court": court_haishu.code})
    assert not selectors.filings_for(officer_li).filter(pk=filing.pk).exists()


def test_the_queue_orders_by_the_clock_and_flags_filings_at_risk_and_overdue(
    submitted, officer_li, court_haishu, zhang, draft
):
    now = submitted.review_due_at - dt.timedelta(hours=2)
    (item,) = selectors.review_queue(officer_li, court_haishu, now=now)
    assert item.at_risk and not item.overdue
    (item,) = selectors.review_queue(officer_li, court_haishu, now=now + dt.timedelta(days=1))
    assert item.overdue


def test_a_stale_draft_is_not_overwritten(draft, zhang):
    stale = draft.version
    actions.filing_update(filing=draft, actor=zhang, changes={"facts": "第一台设备"}, version=stale)
    with pytest.raises(Conflict):
        actions.filing_update(
            filing=draft, actor=zhang, changes={"facts": "第二台设备"}, version=stale
        )
    draft.refresh_from_db()
    assert draft.facts == "第一台设备"


def test_bad_party_details_are_refused_per_field_and_nothing_is_saved(draft, zhang):
    count = draft.parties.count()
    with pytest.raises(InvalidInput) as refused:
        actions.party_save(
            filing=draft,
            actor=zhang,
            side="respondent",
            data={"name": "", "id_number": "330203198505051230", "phone": "12345", "address": ""},
        )
    assert {"name", "id_number", "phone", "address"} <= set(refused.value.fields)
    assert draft.parties.count() == count


def test_negative_and_absurd_amounts_are_refused(draft, zhang):
    for amount, reason in (("-5", "负数"), ("10000000000000", "一万亿")):
        with pytest.raises(InvalidInput) as refused:
            actions.claim_save(filing=draft, actor=zhang, text="偿还借款", amount=amount)
        assert reason in str(refused.value.fields["amount"])


def test_a_disguised_upload_is_refused_and_stores_nothing(draft, zhang):
    from django.core.files.uploadedfile import SimpleUploadedFile

    before = FilingMaterial.objects.count()
    exe = SimpleUploadedFile("借条.pdf", b"MZ\x90\x00" + bytes(2000), "application/pdf")
    with pytest.raises(InvalidInput) as refused:
        actions.material_add(filing=draft, actor=zhang, kind="evidence", upload=exe)
    assert "file" in refused.value.fields
    assert FilingMaterial.objects.count() == before


def test_an_oversized_upload_stops_at_the_limit(draft, zhang, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.FILING_MAX_UPLOAD_BYTES = 1024
    with pytest.raises(InvalidInput) as refused:
        actions.material_add(
            filing=draft, actor=zhang, kind="evidence",
            upload=SimpleUploadedFile("big.pdf", b"%PDF-1.4\n" + bytes(5000)),
        )  # fmt: skip
    assert "MB" in str(refused.value.fields["file"])


def test_cross_region_filing_is_forwarded_by_the_receiving_court(draft, zhang, court_haishu):
    from microcourt.courts.tests.factories import CourtFactory, StaffFactory

    hangzhou = CourtFactory(code="浙0106", name="杭州市西湖区人民法院", level="basic")
    centre = StaffFactory(court=hangzhou, role="filing_officer").user
    receiving = Actor(user=centre, role="filing_officer", court_id=hangzhou.pk)
    actions.filing_update(filing=draft, actor=zhang, changes={"receiving_court": "浙0106"})
    submission.filing_submit(filing=draft, actor=zhang)
    draft.refresh_from_db()
    assert draft.status == FilingStatus.AWAITING_FORWARD and draft.review_due_at is None
    assert [f.number for f in selectors.forward_queue(receiving, hangzhou)] == [draft.number]
    review.filing_forward(filing=draft, actor=receiving, note="身份和材料已核对")
    draft.refresh_from_db()
    assert draft.status == FilingStatus.SUBMITTED and draft.court_id == court_haishu.pk
    assert draft.review_due_at is not None
    # Both sides see it and its deadline.
    assert selectors.filings_for(receiving).filter(pk=draft.pk).exists()
    assert Notification.objects.filter(event="filing.forwarded").exists()


def test_the_receipt_page_links_the_submissions_ledger_receipt(submitted, client, plaintiff_zhang):
    from microcourt.ledger import actions as ledger_actions

    ledger_actions.integrate()
    index = selectors.submission_ledger_index(submitted)
    assert index is not None
    client.force_login(plaintiff_zhang)
    page = client.get(f"/file/{submitted.number}/receipt/").content.decode()
    assert f"/ledger/receipts/{index}/" in page


def test_every_message_to_the_parties_is_an_event_and_its_params_only(
    draft, zhang, officer_li, court_haishu
):
    """One source of text (notifications.templates, zh and en): the filing says which event
    and with what; the recipient's language decides the words."""
    from unittest import mock

    from microcourt.notifications import actions as notifications
    from microcourt.notifications import templates

    calls = []
    real = notifications.notify

    def spy(**kwargs):
        calls.append(kwargs)
        return real(**kwargs)

    with mock.patch.object(notifications, "notify", side_effect=spy):
        submission.filing_submit(filing=draft, actor=zhang)
        actions.filing_request_correction(filing=draft, actor=officer_li, items=["补充借条"])
        actions.filing_submit(filing=draft, actor=zhang)
        actions.filing_accept(filing=draft, actor=officer_li)
    sent = [c for c in calls if c["event"].startswith("filing.")]
    assert {c["event"] for c in sent} == {
        "filing.submitted",
        "filing.correction",
        "filing.corrected",
        "filing.accepted",
        "filing.invitation",
    }
    for call in sent:
        assert "title" not in call and "body" not in call, call["event"]
        assert templates.is_registered(call["event"])
        assert set(templates.lookup(call["event"]).params) <= set(call["params"])
    draft.refresh_from_db()
    told = Notification.objects.get(event="filing.accepted", channel="inapp")
    assert told.body == f"{court_haishu.name}已受理您的起诉，案号 {draft.case.number}。"

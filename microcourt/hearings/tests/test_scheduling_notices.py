"""The 传票 and 出庭通知书 (民事诉讼法第一百三十九条; 民诉解释第二百二十七条): rendered, sealed
and served through the service app after scheduling — one service record per recipient,
once per round even when the worker runs twice; served again on rescheduling; the court told
when a recipient cannot be served electronically. Rescheduling and cancelling tell everyone."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.files.storage import default_storage
from pypdf import PdfReader

from microcourt.cases.models import CaseParticipant
from microcourt.core.errors import Conflict, InvalidInput
from microcourt.hearings.actions import scheduling
from microcourt.hearings.events import LedgerEvent
from microcourt.hearings.models import SeatRole, Session
from microcourt.ledger.models import Entry
from microcourt.notifications.models import Notification
from microcourt.service.models import Service

from .test_scheduling import consent

pytestmark = pytest.mark.django_db


@pytest.fixture
def scheduled(case, judge, lawyer_liu, django_capture_on_commit_callbacks, run_tasks):
    """陈法官 schedules; 刘律师 is 王五's agent. The worker serves the notices."""

    def make(**kw):
        values = {"kind": "hearing", "starts_at": scheduling.first_allowed_start(case)}
        values.update(kw)
        with django_capture_on_commit_callbacks(execute=True):
            session = scheduling.session_schedule(case=case, actor=judge, **values)
        run_tasks()
        return session

    consent(case, "张三", "王五")
    return make


def _pdf(service: Service) -> bytes:
    with default_storage.open(service.documents.get().path, "rb") as f:
        return f.read()


def test_each_party_is_summoned_and_the_agent_notified_through_service(
    scheduled, case, plaintiff_zhang, defendant_wang, lawyer_liu
):
    session = scheduled()
    services = {s.recipient.display_name: s for s in Service.objects.filter(case=case)}
    zhang = Service.objects.get(recipient__display_name="张三")
    assert zhang.documents.get().kind == "summons" and zhang.documents.get().title == "传票"
    # 王五 is served twice: his own 传票, and his agent's 出庭通知书 (served on the party).
    wang_docs = sorted(
        d.title
        for s in Service.objects.filter(recipient__display_name="王五")
        for d in s.documents.all()
    )
    assert wang_docs == ["传票", "出庭通知书（刘律师）"]
    assert set(services) == {"张三", "王五"}
    assert Service.objects.filter(case=case).count() == 3
    # The service app told the parties; the agent hears of the notice from hearings.
    assert Notification.objects.filter(event="service.served", recipient=plaintiff_zhang).exists()
    assert Notification.objects.filter(
        event="hearings.scheduled", recipient=lawyer_liu.user
    ).exists()
    # Each served notice is recorded against its seat and round.
    entries = Entry.objects.filter(code=LedgerEvent.SUMMONS_SERVED, details__session=session.pk)
    seats = {e.details["seat"] for e in entries}
    assert seats == set(
        session.seats.filter(
            role__in=[SeatRole.PLAINTIFF, SeatRole.DEFENDANT, SeatRole.AGENT]
        ).values_list("pk", flat=True)
    )
    assert {e.details["sequence"] for e in entries} == {0}
    # The document names the person, the time and the place, and carries the court's seal.
    reader = PdfReader(io.BytesIO(_pdf(zhang)))
    text = "".join(page.extract_text() for page in reader.pages)
    assert "传" in text and "张三" in text and case.number in text
    local = session.starts_at.astimezone(dt.timezone(dt.timedelta(hours=8)))
    assert f"{local.year}年{local.month}月{local.day}日" in text
    assert "/ByteRange" in _pdf(zhang).decode("latin-1")  # signed (the court's e-seal)


def test_a_second_run_of_the_worker_serves_nobody_twice(scheduled, case, run_tasks):
    session = scheduled()
    before = Service.objects.count()
    assert scheduling.session_notices_serve(session_id=session.pk) == 0
    run_tasks()
    assert Service.objects.count() == before


def test_a_party_without_an_electronic_address_is_left_to_post_and_the_court_is_told(
    scheduled, case, judge_chen, clerk_zhao
):
    CaseParticipant.objects.create(case=case, display_name="赵六", role="third_party")
    session = scheduled(venue="第二法庭", mode="mixed")
    assert not Service.objects.filter(recipient__display_name="赵六").exists()
    told = Notification.objects.filter(event="hearings.notice_unserved")
    assert set(told.values_list("recipient_id", flat=True)) == {judge_chen.pk, clerk_zhao.pk}
    status = {row["seat"].name: row["served"] for row in scheduling.notice_status(session)}
    assert status == {"张三": True, "王五": True, "刘律师": True, "赵六": False}


def test_rescheduling_serves_the_notices_again_and_tells_everyone(
    scheduled, case, judge, plaintiff_zhang, defendant_wang, clerk_zhao, lawyer_liu,
    django_capture_on_commit_callbacks, run_tasks,
):  # fmt: skip
    session = scheduled()
    later = scheduling.first_allowed_start(case, days=7, hour=14)
    with django_capture_on_commit_callbacks(execute=True):
        moved = scheduling.session_reschedule(
            session=session, actor=judge, starts_at=later, reason="审判长另有公务"
        )
    run_tasks()
    assert moved.starts_at == later and moved.version == session.version + 1
    assert scheduling.sequence_of(moved) == 1
    assert Service.objects.filter(case=case).count() == 6
    second = Entry.objects.filter(
        code=LedgerEvent.SUMMONS_SERVED, details__session=session.pk, details__sequence=1
    )
    assert second.count() == 3
    entry = Entry.objects.get(code=LedgerEvent.RESCHEDULED, details__session=session.pk)
    assert entry.details["to"] == later.isoformat() and entry.details["reason"] == "审判长另有公务"
    told = Notification.objects.filter(event="hearings.rescheduled")
    assert set(told.values_list("recipient_id", flat=True)) == {
        plaintiff_zhang.pk,
        defendant_wang.pk,
        clerk_zhao.pk,
        lawyer_liu.user.pk,
    }
    assert "审判长另有公务" in told.first().body


def test_a_reschedule_is_checked_like_a_new_session(scheduled, case, judge):
    session = scheduled()
    with pytest.raises(InvalidInput) as short:
        scheduling.session_reschedule(
            session=session, actor=judge, starts_at=session.starts_at.replace(
                year=session.starts_at.year) - dt.timedelta(days=30), reason="提前",
        )  # fmt: skip
    assert "starts_at" in short.value.fields
    with pytest.raises(InvalidInput) as no_reason:
        scheduling.session_reschedule(
            session=session, actor=judge, starts_at=scheduling.first_allowed_start(case, days=7),
            reason=" ",
        )  # fmt: skip
    assert "reason" in no_reason.value.fields
    session.refresh_from_db()
    assert not Entry.objects.filter(code=LedgerEvent.RESCHEDULED).exists()


def test_a_party_may_not_reschedule(scheduled, case, zhang):
    from microcourt.core.errors import Forbidden

    session = scheduled()
    with pytest.raises(Forbidden):
        scheduling.session_reschedule(
            session=session, actor=zhang, starts_at=scheduling.first_allowed_start(case, days=7),
            reason="想改时间",
        )  # fmt: skip


def test_cancelling_needs_a_reason_tells_everyone_and_is_final(
    scheduled, case, judge, plaintiff_zhang, defendant_wang, clerk_zhao, lawyer_liu
):
    session = scheduled()
    with pytest.raises(InvalidInput) as bare:
        scheduling.session_cancel(session=session, actor=judge, reason="")
    assert "reason" in bare.value.fields
    cancelled = scheduling.session_cancel(session=session, actor=judge, reason="双方已和解")
    assert cancelled.status == "cancelled" and cancelled.cancel_reason == "双方已和解"
    entry = Entry.objects.get(code=LedgerEvent.CANCELLED, details__session=session.pk)
    assert entry.details["note"] == "双方已和解"
    told = Notification.objects.filter(event="hearings.cancelled")
    assert set(told.values_list("recipient_id", flat=True)) == {
        plaintiff_zhang.pk,
        defendant_wang.pk,
        clerk_zhao.pk,
        lawyer_liu.user.pk,
    }
    with pytest.raises(Conflict):
        scheduling.session_cancel(
            session=Session.objects.get(pk=session.pk), actor=judge, reason="再取消"
        )
    # A cancelled session is not served again.
    assert scheduling.session_notices_serve(session_id=session.pk) == 0


def test_the_api_reschedules_and_cancels(client, scheduled, case, judge_chen, plaintiff_zhang):
    session = scheduled()
    later = scheduling.first_allowed_start(case, days=8)
    client.force_login(plaintiff_zhang)
    refused = client.post(
        f"/api/v1/sessions/{session.pk}/reschedule",
        {"starts_at": later.isoformat(), "reason": "我想改期"},
        content_type="application/json",
    )
    assert refused.status_code == 403
    client.force_login(judge_chen)
    moved = client.post(
        f"/api/v1/sessions/{session.pk}/reschedule",
        {"starts_at": later.isoformat(), "reason": "法庭安排调整"},
        content_type="application/json",
    )
    assert moved.status_code == 200, moved.content
    assert dt.datetime.fromisoformat(moved.json()["starts_at"]) == later
    notices = client.get(f"/api/v1/sessions/{session.pk}/notices").json()
    assert {n["document"] for n in notices} == {"传票", "出庭通知书"}
    gone = client.post(
        f"/api/v1/sessions/{session.pk}/cancel",
        {"reason": "原告撤诉"},
        content_type="application/json",
    )
    assert gone.status_code == 200 and gone.json()["status"] == "cancelled"

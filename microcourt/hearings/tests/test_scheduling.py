"""排期 stories: 陈法官 schedules 张三 v 王五; the seats, each one's mode from their consent
(在线诉讼规则第四条), the refusals — a conflict for the judge or a party, a closed day, a rest
day, short notice (民事诉讼法第一百三十九条) — each naming ``starts_at`` and changing nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from microcourt.cases.models import Case, CaseParticipant, Stage, StageConsent
from microcourt.core.errors import Conflict, InvalidInput
from microcourt.courts.models import CourtClosure
from microcourt.hearings.actions import scheduling
from microcourt.hearings.events import LedgerEvent
from microcourt.hearings.models import Mode, Participation, SeatRole, Session
from microcourt.ledger.models import Entry
from microcourt.notifications.models import Notification

from .conftest import with_second_factor

pytestmark = pytest.mark.django_db
API = "/api/v1"


def consent(case, *names, stage=Stage.HEARING, online=True):
    for p in CaseParticipant.objects.filter(case=case, display_name__in=names):
        StageConsent.objects.create(participant=p, stage=stage, online=online, source="platform")


def no_consent(case, name):
    """As if the party never said anything about going online (the fixture's consent gone)."""
    StageConsent.objects.filter(participant__case=case, participant__display_name=name).delete()


def other_case(case, serial, *people):
    """Another accepted case of the same court with ``people`` [(user, name, role)]."""
    other = Case.objects.create(
        court=case.court,
        case_type=case.case_type,
        year=2025,
        serial=serial,
        number=f"(2025)浙0203民初{serial}号",
        title=f"另案{serial}",
        cause="买卖合同纠纷",
        status="accepted",
        filed_at=timezone.now(),
        accepted_at=timezone.now(),
    )
    for user, name, role in people:
        CaseParticipant.objects.create(case=other, user=user, display_name=name, role=role)
    return other


def schedule(case, actor, **kw):
    values = {"kind": "hearing", "starts_at": scheduling.first_allowed_start(case)}
    values.update(kw)
    return scheduling.session_schedule(case=case, actor=actor, **values)


def test_the_judge_schedules_seats_everyone_and_the_consenting_parties_go_online(
    case, judge, plaintiff_zhang, defendant_wang, clerk_zhao
):
    consent(case, "张三", "王五")
    starts = scheduling.first_allowed_start(case)
    session = schedule(case, judge, starts_at=starts, duration_minutes=90)

    seats = {s.role: s for s in session.seats.all()}
    assert seats[SeatRole.PRESIDING_JUDGE].name == "陈法官"
    assert seats[SeatRole.CLERK].user_id == clerk_zhao.pk
    assert seats[SeatRole.PLAINTIFF].participation == Participation.VIDEO
    assert seats[SeatRole.DEFENDANT].participation == Participation.VIDEO
    assert session.mode == Mode.ONLINE and session.venue == ""
    entry = Entry.objects.get(case_id=case.pk, code=LedgerEvent.SCHEDULED)
    assert entry.details["session"] == session.pk
    assert entry.details["starts_at"] == starts.isoformat()
    assert entry.details["offline_seats"] == []
    # Everyone but the judge who scheduled hears of it.
    told = set(
        Notification.objects.filter(event="hearings.scheduled").values_list(
            "recipient_id", flat=True
        )
    )
    assert told == {clerk_zhao.pk, plaintiff_zhang.pk, defendant_wang.pk}


def test_a_party_who_never_consented_to_the_hearing_attends_offline_and_the_session_is_mixed(
    case, judge
):
    no_consent(case, "王五")  # 王五 said nothing for the hearing stage
    consent(case, "王五", stage=Stage.MEDIATION)  # consent to another stage does not count
    session = schedule(case, judge)
    seats = {s.role: s for s in session.seats.all()}
    assert seats[SeatRole.PLAINTIFF].participation == Participation.VIDEO
    assert seats[SeatRole.DEFENDANT].participation == Participation.OFFLINE
    assert session.mode == Mode.MIXED
    assert session.venue == case.court.name  # held at the court itself when none is named
    entry = Entry.objects.get(case_id=case.pk, code=LedgerEvent.SCHEDULED)
    assert entry.details["offline_seats"] == [seats[SeatRole.DEFENDANT].pk]


def test_the_latest_statement_counts_a_withdrawn_consent_means_offline(case, judge):
    consent(case, "张三", "王五")
    consent(case, "王五", online=False)  # 第五条: withdrawn later
    session = schedule(case, judge, venue="第三法庭", mode="mixed")
    assert session.seats.get(role=SeatRole.DEFENDANT).participation == Participation.OFFLINE
    assert session.venue == "第三法庭" and session.mode == Mode.MIXED


def test_an_offline_session_seats_everyone_offline(case, judge):
    consent(case, "张三", "王五")
    session = schedule(case, judge, mode="offline", venue="第一法庭")
    people = session.seats.exclude(role=SeatRole.COURTROOM)  # the room's camera is no person
    assert set(people.values_list("participation", flat=True)) == {"offline"}
    assert session.mode == Mode.OFFLINE


def _refused(exc_type, fn, *args, **kwargs):
    before = (Session.objects.count(), Entry.objects.count(), Notification.objects.count())
    with pytest.raises(exc_type) as refused:
        fn(*args, **kwargs)
    assert "starts_at" in refused.value.fields, refused.value.fields
    assert (Session.objects.count(), Entry.objects.count(), Notification.objects.count()) == before
    return str(refused.value.fields["starts_at"])


def test_the_presiding_judge_cannot_sit_twice_at_once(case, judge, judge_chen):
    elsewhere = other_case(case, 102, (judge_chen, "陈法官", "judge"))
    starts = scheduling.first_allowed_start(case)
    schedule(elsewhere, judge, starts_at=starts + dt.timedelta(minutes=30))
    message = _refused(Conflict, schedule, case, judge, starts_at=starts, duration_minutes=60)
    assert "陈法官" in message and "(2025)浙0203民初102号" in message
    # Back to back is fine: the first ends as the other begins.
    assert schedule(case, judge, starts_at=starts - dt.timedelta(minutes=60), duration_minutes=60)


def test_a_party_busy_elsewhere_is_a_conflict_without_naming_a_case_the_judge_cannot_see(
    case, judge, defendant_wang, court_haishu
):
    from microcourt.core.actor import Actor
    from microcourt.courts.tests.factories import StaffFactory

    judge_li = StaffFactory(court=court_haishu, role="judge", user__display_name="李法官").user
    with_second_factor(judge_li)
    elsewhere = other_case(
        case, 103, (judge_li, "李法官", "judge"), (defendant_wang, "王五", "defendant")
    )
    starts = scheduling.first_allowed_start(case)
    schedule(
        elsewhere, Actor(user=judge_li, role="judge", court_id=court_haishu.pk), starts_at=starts
    )
    message = _refused(Conflict, schedule, case, judge, starts_at=starts + dt.timedelta(minutes=15))
    assert "王五" in message and "其他庭审" in message and "103" not in message


def test_a_cancelled_session_holds_nobody(case, judge, judge_chen):
    elsewhere = other_case(case, 104, (judge_chen, "陈法官", "judge"))
    starts = scheduling.first_allowed_start(case)
    other = schedule(elsewhere, judge, starts_at=starts)
    scheduling.session_cancel(session=other, actor=judge, reason="原告撤诉")
    assert schedule(case, judge, starts_at=starts)


def test_a_day_the_court_is_closed_is_refused_with_its_reason(case, judge):
    starts = scheduling.first_allowed_start(case)
    CourtClosure.objects.create(
        court=case.court, date=timezone.localtime(starts).date(), reason="台风停止办公"
    )
    message = _refused(InvalidInput, schedule, case, judge, starts_at=starts)
    assert "台风停止办公" in message


def test_a_rest_day_is_refused_unless_the_court_sits_that_day(case, judge):
    starts = scheduling.first_allowed_start(case)
    while timezone.localtime(starts).weekday() != 5:  # the next Saturday
        starts += dt.timedelta(days=1)
    message = _refused(InvalidInput, schedule, case, judge, starts_at=starts)
    assert "休息日" in message
    session = schedule(case, judge, starts_at=starts, rest_day=True)
    assert Entry.objects.get(code=LedgerEvent.SCHEDULED, details__session=session.pk).details[
        "rest_day"
    ]


def test_three_whole_days_of_notice_or_the_parties_waived_it(case, judge):
    today = timezone.localtime()
    too_soon = (today + dt.timedelta(days=3)).replace(hour=23, minute=0, second=0, microsecond=0)
    message = _refused(InvalidInput, schedule, case, judge, starts_at=too_soon, rest_day=True)
    assert "第一百三十九条" in message and scheduling.earliest_day().isoformat() in message

    with pytest.raises(InvalidInput) as bare:
        schedule(case, judge, starts_at=too_soon, rest_day=True, notice_waived=True)
    assert "waiver_note" in bare.value.fields

    waived = schedule(
        case, judge, starts_at=too_soon, rest_day=True, notice_waived=True,
        waiver_note="简易程序，双方当事人电话表示同意即日开庭",
    )  # fmt: skip
    entry = Entry.objects.get(code=LedgerEvent.SCHEDULED, details__session=waived.pk)
    assert "双方当事人" in entry.details["notice_waived"]


def test_a_judgment_is_announced_without_the_three_days(case, judge):
    tomorrow = timezone.localtime() + dt.timedelta(days=1)
    session = schedule(case, judge, kind="judgment", starts_at=tomorrow, rest_day=True)
    assert session.kind == "judgment"


def test_a_case_not_yet_accepted_cannot_be_scheduled(case, judge):
    Case.objects.filter(pk=case.pk).update(status="filed")
    case.refresh_from_db()
    with pytest.raises(Conflict):
        schedule(case, judge)
    assert not Session.objects.exists()


def test_a_joint_hearing_seats_both_cases_and_checks_both(case, judge, judge_chen, plaintiff_zhang):
    from microcourt.identity.tests.factories import UserFactory

    bank = UserFactory(display_name="某银行")
    second = other_case(case, 105, (judge_chen, "陈法官", "judge"), (bank, "某银行", "plaintiff"))
    consent(case, "张三", "王五")
    consent(second, "某银行")
    session = schedule(case, judge, joint_cases=[second])
    assert set(session.seats.values_list("case_id", flat=True)) == {case.pk, second.pk}
    assert session.seats.filter(role=SeatRole.PRESIDING_JUDGE).count() == 1
    assert Entry.objects.filter(code=LedgerEvent.SCHEDULED, case_id=second.pk).exists()


def test_the_api_answers_a_conflict_with_409_naming_starts_at(client, case, judge, judge_chen):
    elsewhere = other_case(case, 106, (judge_chen, "陈法官", "judge"))
    starts = scheduling.first_allowed_start(case)
    schedule(elsewhere, judge, starts_at=starts)
    client.force_login(judge_chen)
    answer = client.post(
        f"{API}/cases/{case.pk}/sessions",
        {"kind": "hearing", "starts_at": starts.isoformat(), "duration_minutes": 60},
        content_type="application/json",
    )
    assert answer.status_code == 409, answer.content
    assert "陈法官" in answer.json()["error"]["fields"]["starts_at"]
    assert Session.objects.filter(case=case).count() == 0

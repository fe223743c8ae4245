"""公开审理与直播 (民事诉讼法第一百三十七条; 在线诉讼规则第二十七条): the presiding judge's live
switch is refused — naming ``public``, changing nothing — for state secrets, privacy, minors,
trade secrets and divorce on request, other legal grounds, a party's granted request not to
broadcast, and a protected case heard in the same joint session; it works for an ordinary
case and only for the presiding judge."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from stdnum.cn import ric

from microcourt.core.actor import Actor
from microcourt.hearings.actions import publicity
from microcourt.hearings.events import LedgerEvent
from microcourt.hearings.models import CasePublicity, Session
from microcourt.ledger.models import Entry

from .conftest import sibling_case, verify_in_person

API = "/api/v1"
pytestmark = pytest.mark.django_db


def schedule(case, judge, *, days: int = 0, **kwargs):
    """A session of ``case`` at the first time the 3-day notice rule and the court calendar
    allow (``days`` working days later), as the judge schedules it."""
    from microcourt.hearings.actions import scheduling

    return scheduling.session_schedule(
        case=case,
        actor=judge,
        kind=kwargs.pop("kind", "hearing"),
        starts_at=scheduling.first_allowed_start(case, days=days),
        **kwargs,
    )


@pytest.fixture
def session(case, judge, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return schedule(case, judge)


def _switch(client, user, session, public=True):
    client.force_login(user)
    return client.post(
        f"{API}/sessions/{session.pk}/public", {"public": public}, content_type="application/json"
    )


def _unchanged(session) -> None:
    session.refresh_from_db()
    assert session.public is False
    assert not Entry.objects.filter(code=LedgerEvent.PUBLIC_SET).exists()


def resident_id(born: dt.date, serial: str = "123") -> str:
    body = f"330203{born:%Y%m%d}{serial}"
    return body + ric.calc_check_digit(body + "0")


def test_an_ordinary_case_goes_live_and_is_recorded(client, session, judge_chen):
    response = _switch(client, judge_chen, session)
    assert response.status_code == 200, response.content
    assert response.json()["public"] is True
    session.refresh_from_db()
    assert session.public is True
    entry = Entry.objects.get(code=LedgerEvent.PUBLIC_SET)
    assert entry.details == {"session": session.pk, "public": True}
    # And off again.
    assert _switch(client, judge_chen, session, public=False).json()["public"] is False


@pytest.mark.parametrize(
    "ground", ["state_secret", "privacy", "minor", "trade_secret", "divorce", "other_law"]
)
def test_the_switch_is_refused_on_each_non_public_ground(
    client, case, session, judge, judge_chen, ground
):
    publicity.publicity_set(case=case, actor=judge, ground=ground, note="依据：测试")
    response = _switch(client, judge_chen, session)
    assert response.status_code == 409, response.content
    error = response.json()["error"]
    assert error["code"] == "not_broadcastable"
    label = str(dict(CasePublicity._meta.get_field("ground").choices)[ground])
    assert "public" in error["fields"] and label in error["fields"]["public"]
    assert case.number in error["fields"]["public"]
    _unchanged(session)


def test_a_minor_party_keeps_the_case_off_the_air(client, case, session, judge_chen, clerk_zhao):
    from microcourt.cases.models import CaseParticipant
    from microcourt.identity.tests.factories import UserFactory

    today = timezone.localdate()
    child = UserFactory(username="third_party_xiao", display_name="李小明", phone="13500003333")
    verify_in_person(child, clerk_zhao, "李小明", resident_id(today.replace(year=today.year - 12)))
    CaseParticipant.objects.create(case=case, user=child, display_name="李小明", role="third_party")
    response = _switch(client, judge_chen, session)
    assert response.status_code == 409
    assert "李小明未满十八周岁" in response.json()["error"]["fields"]["public"]
    _unchanged(session)


def test_an_adult_party_with_a_birthday_today_does_not(
    client, case, session, judge_chen, clerk_zhao
):
    from microcourt.cases.models import CaseParticipant
    from microcourt.identity.tests.factories import UserFactory

    today = timezone.localdate()
    born = today.replace(year=today.year - 18) if (today.month, today.day) != (2, 29) else today
    adult = UserFactory(username="third_party_li", display_name="李成年", phone="13500004444")
    verify_in_person(adult, clerk_zhao, "李成年", resident_id(born, "135"))
    CaseParticipant.objects.create(case=case, user=adult, display_name="李成年", role="third_party")
    assert _switch(client, judge_chen, session).status_code == 200


def test_a_granted_request_not_to_broadcast_refuses_the_switch(
    client, case, session, judge_chen, plaintiff_zhang, zhang
):
    client.force_login(plaintiff_zhang)
    made = client.post(
        f"{API}/cases/{case.pk}/publicity/requests",
        {"reason": "涉及本公司的商业秘密（客户名单）"},
        content_type="application/json",
    )
    assert made.status_code == 201, made.content
    request_id = made.json()["id"]
    # Pending: the switch still works (the judge has not decided).
    assert _switch(client, judge_chen, session).json()["public"] is True
    decided = client.post(
        f"{API}/cases/{case.pk}/publicity/requests/{request_id}/decision",
        {"grant": True, "ground": "trade_secret"},
        content_type="application/json",
    )
    assert decided.status_code == 200, decided.content
    assert decided.json()["status"] == "granted"
    # Granting took the live session off the air at once.
    session.refresh_from_db()
    assert session.public is False
    publicity_row = CasePublicity.objects.get(case=case)
    assert publicity_row.ground == "trade_secret" and str(request_id) in publicity_row.note
    refused = _switch(client, judge_chen, session)
    assert refused.status_code == 409
    assert "商业秘密" in refused.json()["error"]["fields"]["public"]
    assert Entry.objects.filter(code=LedgerEvent.NO_BROADCAST_REQUESTED).count() == 1
    assert Entry.objects.filter(code=LedgerEvent.NO_BROADCAST_DECIDED).count() == 1
    # Decided once: a second decision is refused.
    again = client.post(
        f"{API}/cases/{case.pk}/publicity/requests/{request_id}/decision",
        {"grant": False, "note": "改变主意"},
        content_type="application/json",
    )
    assert again.status_code == 409


def test_a_refused_request_leaves_the_switch_usable(
    client, case, session, judge, zhang, judge_chen
):
    made = publicity.no_broadcast_request(case=case, actor=zhang, reason="不希望被同事看到")
    with pytest.raises(Exception) as no_reason:
        publicity.no_broadcast_decide(case=case, actor=judge, request_id=made.id, grant=False)
    assert "note" in no_reason.value.fields
    publicity.no_broadcast_decide(
        case=case, actor=judge, request_id=made.id, grant=False, note="不属于可以不公开的情形"
    )
    assert _switch(client, judge_chen, session).status_code == 200


def test_only_a_party_may_ask_and_only_the_judge_decide(
    client, case, clerk_zhao, zhang, judge, outsider
):
    from microcourt.core.errors import Forbidden, NotFound

    clerk = Actor(user=clerk_zhao, role="clerk", court_id=case.court_id)
    with pytest.raises(Forbidden):
        publicity.no_broadcast_request(case=case, actor=clerk, reason="书记员不能替当事人申请")
    made = publicity.no_broadcast_request(case=case, actor=zhang, reason="涉及个人隐私")
    with pytest.raises(Forbidden):
        publicity.no_broadcast_decide(case=case, actor=zhang, request_id=made.id, grant=True)
    with pytest.raises(NotFound):
        publicity.no_broadcast_request(case=case, actor=outsider, reason="路人")
    client.force_login(zhang.user)
    bad = client.post(
        f"{API}/cases/{case.pk}/publicity/requests",
        {"reason": "   "},
        content_type="application/json",
    )
    assert bad.status_code == 400 and "reason" in bad.json()["error"]["fields"]
    assert len(publicity.no_broadcast_requests(case)) == 1


def test_a_protected_case_in_a_joint_session_keeps_the_whole_sitting_off(
    client,
    case,
    judge,
    judge_chen,
    plaintiff_zhang,
    defendant_wang,
    django_capture_on_commit_callbacks,
):
    other = sibling_case(case, serial=102, cause="离婚纠纷")
    with django_capture_on_commit_callbacks(execute=True):
        joint = schedule(case, judge, days=2, joint_cases=[other])
    assert _switch(client, judge_chen, joint).status_code == 200
    # The other case becomes protected (divorce, on request): the joint sitting comes off.
    publicity.publicity_set(case=other, actor=judge, ground="divorce", note="原告申请不公开")
    joint.refresh_from_db()
    assert joint.public is False
    refused = _switch(client, judge_chen, joint)
    assert refused.status_code == 409
    assert other.number in refused.json()["error"]["fields"]["public"]


def test_only_the_presiding_judge_switches_and_outsiders_find_nothing(
    client, session, clerk_zhao, plaintiff_zhang, outsider
):
    from allauth.mfa.models import Authenticator

    Authenticator.objects.get_or_create(user=clerk_zhao, type=Authenticator.Type.TOTP, data={})
    assert _switch(client, clerk_zhao, session).status_code == 403
    assert _switch(client, plaintiff_zhang, session).status_code == 403
    response = _switch(client, outsider.user, session)
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    _unchanged(session)


def test_bad_input_names_the_field_and_changes_nothing(client, case, session, judge_chen):
    from allauth.mfa.models import Authenticator

    Authenticator.objects.get_or_create(user=judge_chen, type=Authenticator.Type.TOTP, data={})
    client.force_login(judge_chen)
    bad = client.post(
        f"{API}/sessions/{session.pk}/public", {"public": "maybe"}, content_type="application/json"
    )
    assert bad.status_code == 400 and "public" in bad.json()["error"]["fields"]
    ground = client.post(
        f"{API}/cases/{case.pk}/publicity", {"ground": "celebrity"}, content_type="application/json"
    )
    assert ground.status_code == 400 and "ground" in ground.json()["error"]["fields"]
    other = client.post(
        f"{API}/cases/{case.pk}/publicity", {"ground": "other_law"}, content_type="application/json"
    )
    assert other.status_code == 400 and "note" in other.json()["error"]["fields"]
    assert not CasePublicity.objects.filter(case=case).exclude(ground="").exists()
    _unchanged(session)
    # A closed session cannot be switched on.
    Session.objects.filter(pk=session.pk).update(status="closed")
    closed = client.post(
        f"{API}/sessions/{session.pk}/public", {"public": True}, content_type="application/json"
    )
    assert closed.status_code == 409 and "public" in closed.json()["error"]["fields"]


def test_an_offline_minor_named_in_the_filing_keeps_the_case_off_the_air(
    client, case, session, judge_chen, plaintiff_zhang
):
    """A party with no account: the age comes from the filing's record of the party."""
    from microcourt.cases.models import CaseParticipant
    from microcourt.filing.models import Filing, FilingParty

    today = timezone.localdate()
    filing = Filing.objects.create(
        number="F-MINOR-1",
        applicant=plaintiff_zhang,
        court=case.court,
        case=case,
        status="accepted",
    )
    FilingParty.objects.create(
        filing=filing,
        side="third_party",
        kind="natural",
        name="王小宝",
        id_number=resident_id(today.replace(year=today.year - 7), "246"),
    )
    CaseParticipant.objects.create(case=case, display_name="王小宝", role="third_party")
    refused = _switch(client, judge_chen, session)
    assert refused.status_code == 409
    assert "王小宝未满十八周岁" in refused.json()["error"]["fields"]["public"]
    _unchanged(session)

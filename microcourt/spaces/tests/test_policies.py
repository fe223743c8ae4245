"""Who is in a space and in which role each act is recorded (docs/adr/0001-policies.md): the
public ledger names the role a person really acted in — a judge's pinned notice as the
judge's, a party's message as a citizen's — and people of the court who are not on the
panel, or no longer at the court, are not in the space at all."""

import json

import pytest
from django.urls import reverse

from microcourt.core.actor import Actor, actor_for
from microcourt.core.errors import Conflict, Forbidden, NotFound
from microcourt.identity.tests.test_mfa import enrol_totp
from microcourt.ledger.models import Entry
from microcourt.spaces import actions
from microcourt.spaces.events import LedgerEvent
from microcourt.spaces.models import Message, Pin, ReminderAck
from microcourt.spaces.states import ACK

pytestmark = pytest.mark.django_db

API = "/api/v1"


def public_role(entry: Entry) -> str:
    """The role as the public part of the entry has it (what anyone verifying sees)."""
    return json.loads(entry.public_json)["role"]


def test_a_judges_pinned_notice_is_the_judges_and_a_partys_message_a_citizens(
    client, loan_case, judge_chen, plaintiff_zhang
):
    base = f"{API}/cases/{loan_case.pk}/space"
    client.force_login(plaintiff_zhang)
    said = client.post(f"{base}/messages", {"text": "法官您好，证据已上传。"})
    assert said.status_code == 201, said.content
    enrol_totp(judge_chen)
    client.force_login(judge_chen)
    notice = client.post(f"{base}/messages", {"text": "【通知】本案定于3月10日开庭。"})
    assert notice.status_code == 201, notice.content
    pinned = client.post(f"{base}/messages/{notice.json()['id']}/pin")
    assert pinned.status_code == 200, pinned.content

    pin = Entry.objects.get(case_id=loan_case.pk, code=LedgerEvent.MESSAGE_PINNED)
    assert public_role(pin) == "judge" and pin.actor_role == "judge"
    posted = Entry.objects.filter(case_id=loan_case.pk, code=LedgerEvent.MESSAGE_POSTED)
    roles = {e.details["message"]: public_role(e) for e in posted}
    assert roles == {said.json()["id"]: "citizen", notice.json()["id"]: "judge"}
    # Beside the message the space still shows the case role.
    assert said.json()["sender_role"] == "plaintiff" and notice.json()["sender_role"] == "judge"


def test_a_judge_of_another_court_who_is_a_party_here_speaks_as_a_citizen(
    client, loan_case, defendant_wang
):
    """王五 happens to be a judge at 鄞州: in his own lawsuit he is a party like any other, and
    the ledger must not show a judge speaking in it."""
    from microcourt.courts.tests.factories import CourtFactory, StaffFactory

    StaffFactory(user=defendant_wang, court=CourtFactory(), role="judge")
    enrol_totp(defendant_wang)
    client.force_login(defendant_wang)
    said = client.post(f"{API}/cases/{loan_case.pk}/space/messages", {"text": "我不同意。"})
    assert said.status_code == 201, said.content
    entry = Entry.objects.get(code=LedgerEvent.MESSAGE_POSTED, details__message=said.json()["id"])
    assert public_role(entry) == "citizen" and said.json()["sender_role"] == "defendant"


def test_the_page_export_is_recorded_in_the_role_of_the_reader(client, loan_case, clerk_zhao):
    enrol_totp(clerk_zhao)
    client.force_login(clerk_zhao)
    response = client.get(reverse("spaces:export", kwargs={"case_id": loan_case.pk}))
    assert response.status_code == 200
    entry = Entry.objects.get(case_id=loan_case.pk, code=LedgerEvent.SPACE_EXPORTED)
    assert public_role(entry) == "clerk"


def test_an_action_called_with_an_unbound_actor_still_records_the_true_role(loan_case, clerk_zhao):
    """A direct call (a task, a command) that builds a plain actor cannot make a clerk's act a
    citizen's: the action binds the actor to the case itself."""
    message = actions.message_post(case=loan_case, actor=Actor.citizen(clerk_zhao), text="收到")
    entry = Entry.objects.get(code=LedgerEvent.MESSAGE_POSTED, details__message=message.pk)
    assert public_role(entry) == "clerk"


@pytest.fixture
def judge_off_panel(court_haishu):
    from microcourt.courts.tests.factories import StaffFactory

    user = StaffFactory(
        court=court_haishu, role="judge", user__username="judge_qian", user__display_name="钱法官"
    ).user
    enrol_totp(user)
    return user


def test_a_judge_of_the_court_who_is_not_on_the_panel_is_not_in_the_space(
    client, loan_case, zhang, judge_off_panel
):
    message = actions.message_post(case=loan_case, actor=zhang, text="大家好")
    client.force_login(judge_off_panel)
    assert client.get(reverse("spaces:space", kwargs={"case_id": loan_case.pk})).status_code == 404
    base = f"{API}/cases/{loan_case.pk}/space"
    assert client.post(f"{base}/messages", {"text": "我来看看"}).status_code == 404
    assert client.post(f"{base}/messages/{message.pk}/pin").status_code == 404
    with pytest.raises(NotFound):
        actions.message_pin(case=loan_case, actor=actor_for(judge_off_panel), message_id=message.pk)
    assert Message.objects.count() == 1 and not Pin.objects.exists()


def test_a_panel_judge_whose_court_role_was_revoked_is_no_longer_in_the_space(
    loan_case, judge_chen, zhang
):
    from microcourt.courts.models import StaffAssignment

    message = actions.message_post(case=loan_case, actor=zhang, text="大家好")
    StaffAssignment.objects.filter(user=judge_chen).update(active=False)
    judge = actor_for(judge_chen)
    with pytest.raises(NotFound):
        actions.message_post(case=loan_case, actor=judge, text="仍以法官身份发言")
    with pytest.raises(NotFound):
        actions.message_pin(case=loan_case, actor=judge, message_id=message.pk)
    assert Message.objects.count() == 1 and not Pin.objects.exists()


def test_a_party_cannot_pin_or_send_a_strong_reminder(loan_case, zhang, wang, judge):
    notice = actions.message_post(case=loan_case, actor=judge, text="请于三日内提交证据。")
    for act in (actions.message_pin, actions.reminder_set):
        with pytest.raises(Forbidden):
            act(case=loan_case, actor=wang, message_id=notice.pk)
    assert not Pin.objects.exists() and not ReminderAck.objects.exists()


# --- the acknowledgement's declared states ---------------------------------------------------


def test_every_acknowledgement_state_is_reachable():
    assert ACK.reachable() == {"pending", "escalated", "acknowledged"}


ROLES = ("addressee", "citizen", "defendant", "agent", "judge", "clerk", "court_admin", "system")


@pytest.fixture
def ack_for(loan_case, judge, zhang, plaintiff_zhang, settings):
    """A fresh acknowledgement of a key message, addressed to 张三, in a given state."""
    settings.SPACES_STRONG_REMINDER_SECONDS = 600

    def make(status: str) -> ReminderAck:
        notice = actions.message_post(case=loan_case, actor=judge, text="请确认")
        actions.reminder_set(case=loan_case, actor=judge, message_id=notice.pk)
        ack = ReminderAck.objects.get(reminder__message=notice, user=plaintiff_zhang)
        ReminderAck.objects.filter(pk=ack.pk).update(status=status)
        ack.refresh_from_db()
        return ack

    return make


@pytest.fixture
def actors(plaintiff_zhang, defendant_wang, lawyer_liu, judge_chen, clerk_zhao, court_haishu):
    """One actor per role of ROLES: the addressee is 张三; 王五 and 张三's own lawyer are in
    the case but confirm nothing for him; the court's people hold their roles at its court."""
    from microcourt.courts.tests.factories import StaffFactory
    from microcourt.identity.tests.factories import UserFactory

    admin = StaffFactory(court=court_haishu, role="court_admin").user
    return {
        "addressee": actor_for(plaintiff_zhang),
        "citizen": actor_for(UserFactory(username="passer_by")),
        "defendant": actor_for(defendant_wang),
        "agent": actor_for(lawyer_liu),
        "judge": actor_for(judge_chen),
        "clerk": actor_for(clerk_zhao),
        "court_admin": actor_for(admin),
        "system": Actor.system("walk the table"),
    }


@pytest.mark.parametrize("transition", [t.name for t in ACK.transitions])
@pytest.mark.parametrize("role", ROLES)
def test_the_table_walk_allowed_roles_move_it_everyone_else_changes_nothing(
    ack_for, actors, transition, role
):
    t = ACK[transition]
    ack = ack_for(t.sources[0])
    actor = actors[role]
    allowed = role in t.roles
    entries = Entry.objects.count()
    if allowed:
        ACK.apply(ack, transition, actor=actor)
        ack.refresh_from_db()
        assert ack.status == t.target
        assert Entry.objects.filter(code=t.event).count() == 1
    else:
        with pytest.raises(Forbidden):
            ACK.apply(ack, transition, actor=actor)
        ack.refresh_from_db()
        assert ack.status == t.sources[0] and Entry.objects.count() == entries


@pytest.mark.parametrize("transition", [t.name for t in ACK.transitions])
def test_the_table_walk_from_a_state_it_does_not_leave_is_a_conflict(ack_for, actors, transition):
    t = ACK[transition]
    source = next(s for s in ("acknowledged", "escalated", "pending") if s not in t.sources)
    ack = ack_for(source)
    actor = actors["system" if "system" in t.roles else "addressee"]
    entries = Entry.objects.count()
    with pytest.raises(Conflict):
        ACK.apply(ack, transition, actor=actor)
    ack.refresh_from_db()
    assert ack.status == source and Entry.objects.count() == entries

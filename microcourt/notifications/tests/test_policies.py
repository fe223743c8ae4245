"""A person reads only their own messages (notifications/policies.py): another person's
message id, through the page or the API, shows nothing and changes nothing."""

import pytest

from microcourt.core.actor import Actor
from microcourt.notifications import actions, policies, selectors
from microcourt.notifications.models import Notification

pytestmark = pytest.mark.django_db


def notice(user, key):
    (row,) = actions.notify(
        recipient=user,
        event="test.notice",
        params={"title": "缴费通知", "text": "请于 2026-12-07 前缴费"},
        idempotency_key=key,
    )
    return row


def test_the_read_api_marks_nothing_of_someone_elses(client, plaintiff_zhang, defendant_wang):
    mine = notice(plaintiff_zhang, "a")
    client.force_login(defendant_wang)
    csrf = client.get("/").cookies["csrftoken"].value
    answer = client.post(f"/api/v1/notifications/{mine.pk}/read", HTTP_X_CSRFTOKEN=csrf)
    assert answer.status_code == 200 and answer.json() == {"unread": 0}  # his own: none
    assert client.get("/api/v1/notifications").json()["items"] == []
    mine.refresh_from_db()
    assert mine.read_at is None


def test_the_inbox_selector_is_scoped_to_the_actor(plaintiff_zhang, defendant_wang):
    mine, theirs = notice(plaintiff_zhang, "a"), notice(defendant_wang, "b")
    assert list(selectors.inbox(Actor.citizen(plaintiff_zhang))) == [mine]
    assert list(selectors.inbox(Actor.system(reason="sweep"))) == []
    assert policies.may_read(Actor.citizen(defendant_wang), theirs)
    assert not policies.may_read(Actor.citizen(defendant_wang), mine)
    assert Notification.objects.count() == 2


def test_the_local_outbox_is_for_operators_and_court_staff_only_even_with_debug(
    settings, plaintiff_zhang, clerk_zhao, court_haishu
):
    from microcourt.courts.tests.factories import StaffFactory

    settings.DEBUG = False
    trustee = StaffFactory(court=court_haishu, role="bankruptcy_administrator").user
    plaintiff_zhang.is_staff = True  # admin access is not court staff
    assert not policies.may_see_local_outbox(None)
    assert not policies.may_see_local_outbox(Actor.citizen(plaintiff_zhang))
    assert not policies.may_see_local_outbox(Actor.citizen(trustee))  # an external role
    assert policies.may_see_local_outbox(Actor(user=clerk_zhao, role="clerk"))
    settings.DEBUG = True  # the demo's settings: log-in codes must not become public
    assert not policies.may_see_local_outbox(None)
    assert not policies.may_see_local_outbox(Actor.citizen(plaintiff_zhang))
    assert policies.may_see_local_outbox(Actor(user=clerk_zhao, role="clerk"))

"""Who keeps a court's data (courts/data_policies.py): its own administrator keeps its 法院导航
details and closed days, an administrator of another court or a judge of the same court may
not, and the national data is the platform operators'. Nothing changes on a refusal."""

import datetime as dt

import pytest

from microcourt.core.actor import Actor
from microcourt.core.errors import Forbidden, InvalidInput
from microcourt.courts import actions, selectors
from microcourt.courts.models import Court, CourtClosure
from microcourt.courts.tests.factories import CourtFactory, StaffFactory
from microcourt.identity.tests.factories import UserFactory
from microcourt.ledger.models import Entry

pytestmark = pytest.mark.django_db
TYPHOON = dt.date(2026, 9, 14)


@pytest.fixture
def admin_haishu(court_haishu):
    user = StaffFactory(court=court_haishu, role="court_admin", user__username="admin_hs").user
    return Actor(user=user, role="court_admin", court_id=court_haishu.pk)


@pytest.fixture
def admin_jiangbei():
    court = CourtFactory(code="浙0205", name="宁波市江北区人民法院")
    user = StaffFactory(court=court, role="court_admin", user__username="admin_jb").user
    return Actor(user=user, role="court_admin", court_id=court.pk)


def test_a_courts_administrator_records_its_closed_days(admin_haishu, court_haishu):
    actions.court_closure_add(
        court=court_haishu, date=TYPHOON, reason="台风停止办公", actor=admin_haishu
    )
    assert not selectors.court_calendar(court_haishu).is_working_day(TYPHOON)
    entry = Entry.objects.get(code=3002)
    assert entry.actor_role == "court_admin" and entry.details["court"] == "浙0203"


def test_nobody_else_closes_a_court(admin_jiangbei, judge_chen, court_haishu):
    refused = [
        admin_jiangbei,  # the administrator of another court
        Actor(user=judge_chen, role="judge", court_id=court_haishu.pk),  # not its administrator
        # A role claimed but not held: the roster, not the actor's label, decides.
        Actor(user=judge_chen, role="court_admin", court_id=court_haishu.pk),
        Actor.citizen(UserFactory(is_staff=True)),  # admin access alone
    ]
    for actor in refused:
        with pytest.raises(Forbidden):
            actions.court_closure_add(court=court_haishu, date=TYPHOON, reason="停电", actor=actor)
    assert not CourtClosure.objects.exists() and not Entry.objects.exists()
    assert selectors.court_calendar(court_haishu).is_working_day(TYPHOON)


def test_the_administrator_keeps_the_navigation_details_and_only_them(
    admin_haishu, admin_jiangbei, court_haishu
):
    with pytest.raises(Forbidden):
        actions.court_navigation_update(court=court_haishu, actor=admin_jiangbei, phone="110")
    with pytest.raises(InvalidInput) as caught:  # national data is not changed here
        actions.court_navigation_update(court=court_haishu, actor=admin_haishu, name="某法院")
    assert set(caught.value.fields) == {"name"}
    with pytest.raises(InvalidInput) as caught:
        actions.court_navigation_update(court=court_haishu, actor=admin_haishu, latitude="91")
    assert set(caught.value.fields) == {"latitude"}
    assert not Entry.objects.exists()
    assert Court.objects.get(pk=court_haishu.pk).name == "宁波市海曙区人民法院"

    actions.court_navigation_update(
        court=court_haishu,
        actor=admin_haishu,
        phone="0574-87000000",
        hours="周一至周五 8:30-17:00",
        latitude="29.87",
        longitude="121.55",
    )
    court = Court.objects.get(pk=court_haishu.pk)
    assert court.phone == "0574-87000000" and str(court.latitude) == "29.87000"
    assert court.nav_inferred is False  # confirmed by the court itself
    assert selectors.map_links(court)["osm"].startswith("https://www.openstreetmap.org/")
    entry = Entry.objects.get(code=3003)
    assert entry.details == {
        "court": "浙0203",
        "fields": ["hours", "latitude", "longitude", "phone"],
    }


def test_the_national_seed_is_loaded_by_the_system_or_an_operator(admin_haishu):
    with pytest.raises(Forbidden):
        actions.court_seed_load(actor=admin_haishu)
    assert not Entry.objects.exists()
    operator = UserFactory(username="ops_wu", is_superuser=True, is_staff=True)
    assert actions.court_seed_load(actor=Actor.citizen(operator)) > 10


def test_the_administrator_keeps_the_english_office_hours_too(admin_haishu, court_haishu, client):
    actions.court_navigation_update(
        court=court_haishu, actor=admin_haishu, hours_en="Mon–Fri 8:30–17:00"
    )
    assert Court.objects.get(pk=court_haishu.pk).hours_en == "Mon–Fri 8:30–17:00"
    answer = client.get(f"/api/v1/courts/{court_haishu.code}")
    assert answer.json()["hours_en"] == "Mon–Fri 8:30–17:00"

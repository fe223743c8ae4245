"""A witness (在线诉讼规则第二十六条): seated by the court by their account's phone number,
checked like a party, waiting unable to enter until the presiding judge calls them."""

from __future__ import annotations

import pytest
from django.utils import timezone

from microcourt.hearings.events import LedgerEvent
from microcourt.hearings.models import Seat, SeatRole
from microcourt.ledger.models import Entry

from .conftest import verify_in_person, with_second_factor

API = "/api/v1"
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def witness_user(db):
    from microcourt.identity.tests.factories import UserFactory

    return UserFactory(username="witness_zhou", display_name="周证人", phone="13500001234")


def _post(client, url, body=None):
    return client.post(url, body or {}, content_type="application/json")


def test_the_court_seats_a_witness_who_waits_until_called(
    client, janus, session, judge, judge_chen, clerk_zhao, plaintiff_zhang, witness_user
):
    url = f"{API}/sessions/{session.pk}/witnesses"
    client.force_login(plaintiff_zhang)
    assert _post(client, url, {"name": "周证人", "phone": "13500001234"}).status_code == 403
    with_second_factor(clerk_zhao)
    client.force_login(clerk_zhao)
    unknown = _post(client, url, {"name": "吴某", "phone": "13900009999"})
    assert unknown.status_code == 400 and "phone" in unknown.json()["error"]["fields"]
    bad = _post(client, url, {"name": "吴某", "phone": "123"})
    assert bad.status_code == 400 and "phone" in bad.json()["error"]["fields"]
    made = _post(client, url, {"name": "周证人", "phone": "135 0000 1234"})
    assert made.status_code == 201, made.content
    assert made.json()["role"] == "witness" and made.json()["role_label"] == "证人"
    assert Seat.objects.filter(session=session, role=SeatRole.WITNESS).count() == 1
    assert Entry.objects.filter(code=LedgerEvent.WITNESS_ADDED, case_id=session.case_id).exists()

    from microcourt.hearings.actions import control, room

    room.session_open(session=session, actor=judge)
    client.force_login(witness_user)
    assert client.get(f"{API}/sessions/{session.pk}").status_code == 200
    verify_in_person(witness_user, clerk_zhao, "周证人", "330203199202021238")
    assert _post(client, f"{API}/sessions/{session.pk}/rules").status_code == 200
    assert _post(client, f"{API}/sessions/{session.pk}/wait").status_code == 200
    refused = _post(client, f"{API}/sessions/{session.pk}/join")
    assert refused.status_code == 409
    seat = Seat.objects.get(session=session, role=SeatRole.WITNESS)
    control.witness_call(seat=seat, actor=judge)
    joined = _post(client, f"{API}/sessions/{session.pk}/join")
    assert joined.status_code == 200, joined.content
    assert joined.json()["display"] == "证人 周证人"
    seat.refresh_from_db()
    assert seat.called and seat.rules_acknowledged_at <= timezone.now()

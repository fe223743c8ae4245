"""An entry's private part is for the administrators of the entry's court and platform
operators: 宁波海曙's administrator gets nothing of 杭州互联网法院's entries (issue 13)."""

from __future__ import annotations

import pytest
from django.db import transaction

from microcourt.core.actor import Actor
from microcourt.identity.events import LedgerEvent as IdentityEvent
from microcourt.identity.tests import test_admin_court_scope as court_scope
from microcourt.ledger import actions, selectors
from microcourt.ledger.events import LedgerEvent
from microcourt.ledger.models import Entry
from microcourt.ledger.tests.fixtures import record_many

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("ledger_settings")]

API = "/api/v1/ledger"
# The personas of the admin stories: each court's administrator, a judge, an operator.
court_hzi, admin_hang, admin_ning, judge_li, root = (
    court_scope.court_hzi,
    court_scope.admin_hang,
    court_scope.admin_ning,
    court_scope.judge_li,
    court_scope.root,
)


def index_of(entry: Entry) -> int:
    actions.integrate()
    return Entry.objects.select_related("leaf").get(pk=entry.pk).leaf.index


@pytest.fixture
def hzi_case_entry(court_hzi, plaintiff_zhang):
    """张三's case at 杭州互联网法院: the entry that opened it (it carries the case only)."""
    case = court_scope.open_case(court_hzi, plaintiff_zhang)
    return Entry.objects.filter(case_id=case.pk).order_by("pk").first()


@pytest.fixture
def hzi_admin_entry(court_hzi, judge_li):
    """An admin change at 杭州互联网法院 (no case: the court is in its details)."""
    with transaction.atomic():
        return actions.record(
            code=IdentityEvent.ADMIN_CHANGED,
            actor=Actor(user=judge_li, role="court_admin", court_id=court_hzi.pk),
            data={"action": "change", "object": "courts.Court:1", "court_id": court_hzi.pk},
        )


def test_another_courts_administrator_gets_no_private_part(
    client, hzi_case_entry, hzi_admin_entry, admin_hang, admin_ning, judge_li, root
):
    for entry in (hzi_case_entry, hzi_admin_entry):
        url = f"{API}/entries/{index_of(entry)}/private"
        client.force_login(admin_ning)
        assert client.get(url).status_code == 404, entry.code
        # Staff of the court, but not its administrator.
        client.force_login(court_scope.with_second_factor(judge_li))
        assert client.get(url).status_code == 404
        for reader in (admin_hang, root):
            client.force_login(reader)
            response = client.get(url)
            assert response.status_code == 200, (reader, response.content)
            assert response.json()["entry"] == entry.pk


def test_each_look_is_recorded_for_the_same_court(client, hzi_admin_entry, admin_hang, court_hzi):
    client.force_login(admin_hang)
    assert client.get(f"{API}/entries/{index_of(hzi_admin_entry)}/private").status_code == 200
    look = Entry.objects.filter(code=LedgerEvent.PRIVATE_PART_VIEWED).get()
    assert (look.actor_user_id, look.actor_role) == (admin_hang.pk, "court_admin")
    assert look.details == {"entry": hzi_admin_entry.pk, "court_id": court_hzi.pk}
    # So who looked is itself only for that court and the operators.
    assert selectors.entry_court_id(look) == court_hzi.pk


def test_an_entry_about_no_court_is_for_operators_only(
    client, plaintiff_zhang, admin_hang, admin_ning, root
):
    (entry,) = record_many(1, actor=Actor.citizen(plaintiff_zhang))
    url = f"{API}/entries/{index_of(entry)}/private"
    for administrator in (admin_hang, admin_ning):
        client.force_login(administrator)
        assert client.get(url).status_code == 404
    client.force_login(root)
    body = client.get(url).json()
    assert body["actor_user_id"] == plaintiff_zhang.pk
    assert Entry.objects.order_by("-pk").first().actor_role == "superuser"


def test_the_court_of_an_entry(hzi_case_entry, hzi_admin_entry, court_hzi, court_haishu):
    assert selectors.entry_court_id(hzi_case_entry) == court_hzi.pk
    assert selectors.entry_court_id(hzi_admin_entry) == court_hzi.pk
    with transaction.atomic():
        closure = actions.record(
            code=3002,  # courts: a closed day, recorded by the court's code
            actor=Actor.system("test"),
            data={"court": court_haishu.code, "date": "2026-09-15"},
        )
    assert selectors.entry_court_id(closure) == court_haishu.pk
    (nothing,) = record_many(1)
    assert selectors.entry_court_id(nothing) is None

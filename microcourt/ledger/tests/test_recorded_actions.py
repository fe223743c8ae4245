"""The foundation's actions write their ledger entries, and the transition engine's hook
records every applied transition (ARCHITECTURE §4.7)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json

import pytest
from django.db import models

from microcourt.core.actor import Actor
from microcourt.core.errors import Conflict
from microcourt.core.transitions import StateMachine, Transition
from microcourt.courts import actions as court_actions
from microcourt.identity import actions as identity_actions
from microcourt.identity.tests.factories import PASSWORD
from microcourt.ledger import actions, events, keys
from microcourt.ledger.models import Entry
from tests.testapp.models import Petition

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("ledger_settings")]


def only_entry() -> Entry:
    (entry,) = Entry.objects.all()
    return entry


def test_issuing_an_api_token_is_recorded(plaintiff_zhang):
    identity_actions.api_token_issue(username="plaintiff_zhang", password=PASSWORD, name="脚本")
    entry = only_entry()
    assert entry.code == 2001
    assert json.loads(entry.public_json)["role"] == "citizen"
    assert entry.actor_user_id == plaintiff_zhang.pk
    assert set(entry.details) == {"token_id", "expires_at"}  # never the token itself


def test_a_refused_token_request_records_nothing(plaintiff_zhang):
    with pytest.raises(identity_actions.BadCredentials):
        identity_actions.api_token_issue(username="plaintiff_zhang", password="wrong")
    assert not Entry.objects.exists()


def test_a_court_closure_is_recorded_with_its_details(court_haishu):
    from microcourt.courts.tests.factories import StaffFactory

    admin = StaffFactory(court=court_haishu, role="court_admin").user
    actor = Actor(user=admin, role="court_admin", court_id=court_haishu.pk)
    court_actions.court_closure_add(
        court=court_haishu, date=dt.date(2026, 3, 2), reason="院内停电检修", actor=actor
    )
    entry = only_entry()
    assert entry.code == 3002
    assert entry.details == {
        "court": court_haishu.code,
        "date": "2026-03-02",
        "reason": "院内停电检修",
        "created": True,
    }
    assert (
        "停电" not in entry.public_json and json.loads(entry.public_json)["role"] == "court_admin"
    )


def test_loading_the_court_seed_is_one_entry_whose_subject_is_the_seed_file():
    court_actions.court_seed_load(actor=Actor.system("test"))
    entry = only_entry()
    assert entry.code == 3001
    digest = "sha256:" + hashlib.sha256(court_actions.SEED_PATH.read_bytes()).hexdigest()
    assert entry.subject_digest == digest
    assert entry.details["rows"] == entry.details["created"] > 10
    court_actions.court_seed_load(actor=Actor.system("test"))  # idempotent load, still recorded
    assert Entry.objects.latest("id").details["created"] == 0


# --- The transition engine's hook ----------------------------------------------------------


class PetitionEvent(models.IntegerChoices):
    SUBMITTED = 99001, "提交"
    ACCEPTED = 99002, "受理"


@pytest.fixture
def petition_codes(monkeypatch):
    """The test app's codes, declared in a block of their own for the test."""
    monkeypatch.setitem(events.BLOCKS, "testapp", range(99000, 100000))
    registry = events.discover()
    registry.declare("testapp", PetitionEvent)
    monkeypatch.setattr(events, "registry", lambda: registry)


S = Petition.State


def roles_of(actor, petition):
    roles = {actor.role}
    if actor.user_id == petition.owner_id:
        roles.add("owner")
    return roles


MACHINE = StateMachine(
    model=Petition,
    field="state",
    states=S,
    initial=S.DRAFT,
    transitions=[
        Transition("submit", (S.DRAFT,), S.SUBMITTED, frozenset({"owner"}), event=99001),
        Transition(
            "accept", (S.SUBMITTED,), S.ACCEPTED, frozenset({"filing_officer"}), event=99002
        ),
        Transition("withdraw", (S.DRAFT, S.SUBMITTED), S.WITHDRAWN, frozenset({"owner"})),
    ],
    roles_of=roles_of,
    on_applied=actions.transition_recorder(case_id_of=lambda petition: petition.pk + 1000),
)


def test_each_applied_transition_is_recorded_with_its_note(
    petition_codes, plaintiff_zhang, judge_chen
):
    petition = Petition.objects.create(owner_id=plaintiff_zhang.pk)
    MACHINE.apply(petition, "submit", actor=Actor.citizen(plaintiff_zhang), note="材料已齐")
    officer = Actor(user=judge_chen, role="filing_officer")
    MACHINE.apply(petition, "accept", actor=officer, note="符合立案条件")
    submitted, accepted = Entry.objects.order_by("id")
    assert (submitted.code, accepted.code) == (99001, 99002)
    assert accepted.details == {
        "object": f"testapp.Petition:{petition.pk}",
        "transition": "accept",
        "from": "submitted",
        "to": "accepted",
        "note": "符合立案条件",
    }
    assert accepted.case_id == petition.pk + 1000
    assert json.loads(accepted.public_json)["case"] == keys.case_ref(petition.pk + 1000)
    assert "符合立案条件" not in accepted.public_json


def test_a_losing_concurrent_transition_records_nothing(petition_codes, plaintiff_zhang):
    petition = Petition.objects.create(owner_id=plaintiff_zhang.pk)
    stale = Petition.objects.get(pk=petition.pk)
    MACHINE.apply(petition, "submit", actor=Actor.citizen(plaintiff_zhang))
    with pytest.raises(Conflict):
        MACHINE.apply(stale, "submit", actor=Actor.citizen(plaintiff_zhang))
    assert Entry.objects.count() == 1


def test_a_transition_without_a_code_is_refused_and_rolled_back(petition_codes, plaintiff_zhang):
    petition = Petition.objects.create(owner_id=plaintiff_zhang.pk)
    with pytest.raises(ValueError, match="no ledger code"):
        MACHINE.apply(petition, "withdraw", actor=Actor.citizen(plaintiff_zhang))
    assert Petition.objects.get(pk=petition.pk).state == S.DRAFT
    assert not Entry.objects.exists()

"""The declared transition engine: roles, entry checks, the ledger hook, and the
conditional UPDATE that lets exactly one of two concurrent decisions win."""

import threading

import pytest
from django.db import connection

from microcourt.core.actor import Actor
from microcourt.core.errors import Conflict, Forbidden, InvalidInput
from microcourt.core.transitions import StateMachine, Transition
from tests.testapp.models import Petition

S = Petition.State
applied: list[tuple] = []


def must_be_complete(petition, actor):
    if not petition.complete:
        raise InvalidInput("材料不齐全", fields={"materials": "缺少起诉状"})


def roles_of(actor, petition):
    roles = {actor.role}
    if actor.user_id is not None and actor.user_id == petition.owner_id:
        roles.add("owner")
    return roles


def record(*, obj, transition, actor, source, note):
    applied.append((obj.pk, transition.name, source, obj.state, actor.label, note))


MACHINE = StateMachine(
    model=Petition,
    field="state",
    states=S,
    initial=S.DRAFT,
    transitions=[
        Transition("submit", (S.DRAFT,), S.SUBMITTED, frozenset({"owner"}), check=must_be_complete),
        Transition("accept", (S.SUBMITTED,), S.ACCEPTED, frozenset({"filing_officer"})),
        Transition("reject", (S.SUBMITTED,), S.REJECTED, frozenset({"filing_officer"})),
        Transition("withdraw", (S.DRAFT, S.SUBMITTED), S.WITHDRAWN, frozenset({"owner", "system"})),
    ],
    roles_of=roles_of,
    on_applied=record,
)


@pytest.fixture(autouse=True)
def _clear():
    applied.clear()


@pytest.fixture
def owner(plaintiff_zhang):
    return Actor.citizen(plaintiff_zhang)


@pytest.fixture
def officer(judge_chen):
    return Actor(user=judge_chen, role="filing_officer", court_id=1)


def test_the_whole_table_is_reachable_and_names_only_real_states():
    assert MACHINE.reachable() == set(S.values)


def test_a_table_naming_an_unknown_state_is_refused_at_declaration():
    with pytest.raises(ValueError, match="unknown states"):
        StateMachine(
            model=Petition,
            field="state",
            states=S,
            initial=S.DRAFT,
            transitions=[Transition("x", ("limbo",), S.ACCEPTED, frozenset({"a"}))],
            roles_of=roles_of,
        )


@pytest.mark.django_db
def test_owner_submits_then_officer_accepts_and_each_step_is_recorded(owner, officer):
    petition = Petition.objects.create(owner_id=owner.user_id)
    MACHINE.apply(petition, "submit", actor=owner)
    MACHINE.apply(
        petition,
        "accept",
        actor=officer,
        note="符合起诉条件",
        updates={"decided_by": officer.user_id},
    )
    petition.refresh_from_db()
    assert petition.state == S.ACCEPTED and petition.decided_by == officer.user_id
    assert [a[1:4] for a in applied] == [
        ("submit", "draft", "submitted"),
        ("accept", "submitted", "accepted"),
    ]
    assert applied[1][5] == "符合起诉条件"


@pytest.mark.django_db
def test_a_role_not_in_the_table_is_forbidden_and_nothing_changes(owner):
    petition = Petition.objects.create(owner_id=owner.user_id, state=S.SUBMITTED)
    with pytest.raises(Forbidden):
        MACHINE.apply(petition, "accept", actor=owner)
    petition.refresh_from_db()
    assert petition.state == S.SUBMITTED and applied == []


@pytest.mark.django_db
def test_the_entry_check_refuses_with_the_field_and_nothing_changes(owner):
    petition = Petition.objects.create(owner_id=owner.user_id, complete=False)
    with pytest.raises(InvalidInput) as caught:
        MACHINE.apply(petition, "submit", actor=owner)
    assert caught.value.fields == {"materials": "缺少起诉状"}
    petition.refresh_from_db()
    assert petition.state == S.DRAFT


@pytest.mark.django_db
def test_a_transition_from_the_wrong_state_is_a_conflict(owner, officer):
    petition = Petition.objects.create(owner_id=owner.user_id)
    with pytest.raises(Conflict):
        MACHINE.apply(petition, "accept", actor=officer)


@pytest.mark.django_db
def test_a_stale_copy_loses_to_the_decision_already_made(owner, officer):
    petition = Petition.objects.create(owner_id=owner.user_id, state=S.SUBMITTED)
    stale = Petition.objects.get(pk=petition.pk)
    MACHINE.apply(petition, "accept", actor=officer)
    with pytest.raises(Conflict):
        MACHINE.apply(stale, "reject", actor=officer)
    assert Petition.objects.get(pk=petition.pk).state == S.ACCEPTED
    assert [a[1] for a in applied] == ["accept"]


@pytest.mark.django_db
def test_the_system_acts_only_with_a_reason(owner):
    with pytest.raises(ValueError):
        Actor.system("")
    petition = Petition.objects.create(owner_id=owner.user_id)
    MACHINE.apply(petition, "withdraw", actor=Actor.system("fee unpaid: 按撤诉处理"))
    assert applied[0][4] == "system:fee unpaid: 按撤诉处理"


def test_available_lists_what_the_actor_may_do():
    from types import SimpleNamespace

    officer = Actor(user=SimpleNamespace(pk=9), role="filing_officer")
    petition = Petition(state=S.SUBMITTED, owner_id=1)
    assert {t.name for t in MACHINE.available(petition, officer)} == {"accept", "reject"}


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_officers_deciding_at_once_exactly_one_wins(owner, officer):
    if connection.vendor != "postgresql":
        pytest.skip("concurrency is proven on PostgreSQL (CI runs it with DATABASE_URL)")
    outcomes: list[str] = []
    for _round in range(10):
        petition = Petition.objects.create(owner_id=owner.user_id, state=S.SUBMITTED)
        barrier = threading.Barrier(2)
        results: list[str] = []

        def decide(name, pk=petition.pk, results=results, barrier=barrier):
            from django.db import connection as thread_connection

            copy = Petition.objects.get(pk=pk)
            barrier.wait()
            try:
                MACHINE.apply(copy, name, actor=officer)
                results.append(name)
            except Conflict:
                results.append("conflict")
            finally:
                thread_connection.close()

        threads = [threading.Thread(target=decide, args=(n,)) for n in ("accept", "reject")]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert sorted(results).count("conflict") == 1, results
        winner = next(r for r in results if r != "conflict")
        assert (
            Petition.objects.get(pk=petition.pk).state
            == {"accept": S.ACCEPTED, "reject": S.REJECTED}[winner]
        )
        outcomes.append(winner)
    assert len(outcomes) == 10

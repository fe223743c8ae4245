"""The service's declared states walked in full: every transition from a valid state by every
role — only the system moves a service (from recorded facts), anyone else is refused and
nothing changes — and from every invalid state a conflict."""

import datetime as dt

import pytest
from django.utils import timezone

from microcourt.core.actor import Actor
from microcourt.core.errors import Conflict, Forbidden
from microcourt.ledger.models import Entry
from microcourt.service.models import Basis, ServedDocument, Service, Status
from microcourt.service.states import SERVICE

pytestmark = pytest.mark.django_db

ROLES = [
    "system",
    "citizen",
    "plaintiff",
    "defendant",
    "agent",
    "judge",
    "judge_assistant",
    "clerk",
    "mediator",
    "filing_officer",
    "division_head",
    "court_admin",
]
AT = dt.datetime(2026, 12, 1, 9, 30, tzinfo=dt.UTC)
UPDATES = {
    "take_effect": {"effective_at": AT, "basis": Basis.REACHED, "effective_channel": "sms"},
    "presume": {"effective_at": AT, "basis": Basis.READ, "effective_channel": "platform"},
    "fail": {"failure_reason": "所有渠道均发送失败"},
}


def actor_in(role, user, case):
    """Someone holding ``role`` on the case (bound, as ``cases.policies.on_case`` binds)."""
    if role == "system":
        return Actor.system(reason="test")
    return Actor(
        user=user,
        role=role,
        court_id=case.court_id,
        case_id=case.pk,
        case_roles=frozenset({role}),
    )


def pending(case, recipient, status=Status.PENDING):
    service = Service.objects.create(
        case=case, recipient=recipient, method="electronic", batch="walk", status=status
    )
    ServedDocument.objects.create(
        service=service, title="起诉状副本", kind="complaint_copy", path="service/x.pdf",
        sha256="a" * 64, mime="application/pdf", size=1,
    )  # fmt: skip
    return Service.objects.select_related("case").get(pk=service.pk)


def test_every_state_is_reachable_and_only_the_system_moves_a_service():
    assert SERVICE.reachable() == set(Status.values)
    assert all(t.roles == {"system"} for t in SERVICE.transitions)


def test_walk_every_transition_by_every_role(case, parties, plaintiff_zhang):
    recipient = parties["王五"]
    for transition in SERVICE.transitions:
        for role in ROLES:
            service = pending(case, recipient)
            before = Entry.objects.count()
            actor = actor_in(role, plaintiff_zhang, case)
            if role in transition.roles:
                SERVICE.apply(
                    service, transition.name, actor=actor, updates=UPDATES[transition.name]
                )
                stored = Service.objects.get(pk=service.pk)
                assert stored.status == transition.target, (transition.name, role)
                entry = Entry.objects.get(
                    pk__gt=0, code=transition.event, details__service=service.pk
                )
                assert entry.actor_role == "system"
                assert entry.details["to"] == transition.target
                if transition.target != Status.FAILED:
                    # What the certificate cites: when and on what ground.
                    assert entry.details["at"] == AT.isoformat()
                    assert entry.subject_digest.startswith("sha256:")
            else:
                with pytest.raises(Forbidden):
                    SERVICE.apply(
                        service, transition.name, actor=actor, updates=UPDATES[transition.name]
                    )
                stored = Service.objects.get(pk=service.pk)
                assert stored.status == Status.PENDING, (transition.name, role)
                assert stored.effective_at is None and stored.failure_reason == ""
                assert Entry.objects.count() == before


def test_from_an_invalid_state_every_transition_is_a_conflict(case, parties):
    system = Actor.system(reason="test")
    for transition in SERVICE.transitions:
        for state in set(Status.values) - set(transition.sources):
            service = pending(case, parties["王五"], status=state)
            before = Entry.objects.count()
            with pytest.raises(Conflict):
                SERVICE.apply(
                    service, transition.name, actor=system, updates=UPDATES[transition.name]
                )
            assert Service.objects.get(pk=service.pk).status == state
            assert Entry.objects.count() == before


def test_two_settlers_at_once_one_wins(case, parties):
    """The conditional update: a second settle of the same pending row (read before the
    first committed) is a conflict, not a second effect."""
    system = Actor.system(reason="test")
    first, stale = pending(case, parties["王五"]), None
    stale = Service.objects.get(pk=first.pk)
    SERVICE.apply(first, "take_effect", actor=system, updates=UPDATES["take_effect"])
    with pytest.raises(Conflict):
        SERVICE.apply(stale, "fail", actor=system, updates=UPDATES["fail"])
    stored = Service.objects.get(pk=first.pk)
    assert stored.status == Status.SERVED and stored.failure_reason == ""
    assert timezone.is_aware(stored.effective_at)

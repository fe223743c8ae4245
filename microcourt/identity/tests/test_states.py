"""identity's declared states walked in full: every transition of the document review, the
lawyer's licence and the organisation's registration, from a valid state, by every role —
the roles the table names succeed and write their ledger entry, everyone else is refused and
nothing changes — and from every other state a conflict."""

import pytest

from microcourt.core.actor import Actor
from microcourt.core.errors import Conflict, Forbidden
from microcourt.courts.tests.factories import StaffFactory
from microcourt.identity.models import (
    IdType,
    LawyerProfile,
    Organisation,
    OrgMembership,
    Verification,
    VerificationMethod,
)
from microcourt.identity.roles import OrgRole
from microcourt.identity.states import LAWYER, ORGANISATION, VERIFICATION
from microcourt.identity.tests.factories import UserFactory
from microcourt.ledger.models import Entry

pytestmark = pytest.mark.django_db

# The person the object is about ("owner"), a stranger ("citizen", as a party would be), every
# court role, and the system.
ROLES = ["owner", "citizen", "plaintiff", "defendant", *OrgRole.values, "system"]


@pytest.fixture
def staff(court_haishu):
    """One person per court role, each holding it at the 海曙 court."""
    return {
        role: StaffFactory(court=court_haishu, role=role, user__username=f"s_{role}").user
        for role in OrgRole.values
    }


def actor_in(role, obj_owner, staff, court):
    if role == "system":
        return Actor.system(reason="test")
    if role == "owner":
        return Actor.citizen(obj_owner)
    if role in ("citizen", "plaintiff", "defendant"):
        return Actor.citizen(UserFactory())
    return Actor(user=staff[role], role=role, court_id=court.pk)


def verification(owner, status="pending"):
    return Verification.objects.create(
        user=owner,
        method=VerificationMethod.DOCUMENT_REVIEW,
        status=status,
        id_type=IdType.PASSPORT,
        claimed_name="John Smith",
        claimed_id_number="E12345678",
    )


_serial = iter(range(10**6))


def lawyer(owner, status="pending"):
    return LawyerProfile.objects.create(
        user=owner,
        licence_number=f"133022018{next(_serial):08d}",
        law_firm="浙江某某律师事务所",
        status=status,
    )


def organisation(owner, status="pending"):
    org = Organisation.objects.create(
        name=f"宁波某某贸易有限公司{next(_serial)}",
        uscc=f"91330203MA2AB{next(_serial):05d}",
        legal_representative_name="李四",
        status=status,
    )
    OrgMembership.objects.create(
        organisation=org, user=owner, role=OrgMembership.Role.LEGAL_REPRESENTATIVE
    )
    return org


MACHINES = [
    (VERIFICATION, verification, "verification_id"),
    (LAWYER, lawyer, "lawyer_id"),
    (ORGANISATION, organisation, "organisation_id"),
]


def test_the_tables_say_who_decides():
    reviewers = {"filing_officer", "clerk", "judge", "judge_assistant", "court_admin"}
    for machine, _make, _key in MACHINES:
        for transition in machine.transitions:
            assert set(transition.roles) in (reviewers, {"owner"}), transition.name
            assert transition.event is not None  # every change is in the ledger
    # A shared court's staff verify people face to face but do not decide reviews.
    assert all("shared_court_staff" not in t.roles for m, *_ in MACHINES for t in m.transitions)
    assert LAWYER.reachable() == set(LawyerProfile.Status.values)
    assert ORGANISATION.reachable() == set(Organisation.Status.values)


@pytest.mark.parametrize(("machine", "make", "key"), MACHINES, ids=lambda v: getattr(v, "model", v))
def test_walk_every_transition_by_every_role(machine, make, key, staff, court_haishu):
    for transition in machine.transitions:
        for role in ROLES:
            owner = UserFactory()
            obj = make(owner, status=transition.sources[0])
            before = Entry.objects.count()
            actor = actor_in(role, owner, staff, court_haishu)
            if role in transition.roles:
                machine.apply(obj, transition.name, actor=actor, note="walk")
                stored = type(obj).objects.get(pk=obj.pk)
                assert stored.status == transition.target, (transition.name, role)
                entry = Entry.objects.get(code=transition.event, **{f"details__{key}": obj.pk})
                assert entry.details["subject_user_id"] == owner.pk
                assert (entry.details["from"], entry.details["to"]) == (
                    transition.sources[0],
                    transition.target,
                )
                assert entry.actor_role == ("citizen" if role == "owner" else role)
            else:
                with pytest.raises(Forbidden):
                    machine.apply(obj, transition.name, actor=actor)
                stored = type(obj).objects.get(pk=obj.pk)
                assert stored.status == transition.sources[0], (transition.name, role)
                assert Entry.objects.count() == before


@pytest.mark.parametrize(("machine", "make", "key"), MACHINES, ids=lambda v: getattr(v, "model", v))
def test_from_every_other_state_a_transition_is_a_conflict(machine, make, key, staff, court_haishu):
    clerk = Actor(user=staff["clerk"], role="clerk", court_id=court_haishu.pk)
    for transition in machine.transitions:
        for state in set(machine.states.values) - set(transition.sources):
            owner = UserFactory()
            obj = make(owner, status=state)
            actor = Actor.citizen(owner) if "owner" in transition.roles else clerk
            before = Entry.objects.count()
            with pytest.raises(Conflict):
                machine.apply(obj, transition.name, actor=actor)
            assert type(obj).objects.get(pk=obj.pk).status == state
            assert Entry.objects.count() == before


def test_staff_of_another_court_or_acting_where_they_hold_nothing_are_refused(staff, court_haishu):
    from microcourt.courts.tests.factories import CourtFactory

    elsewhere = CourtFactory(code="浙0205", name="宁波市江北区人民法院")
    owner = UserFactory()
    review = verification(owner)
    # The clerk of 海曙 claiming to act at 江北, where they hold nothing.
    stray = Actor(user=staff["clerk"], role="clerk", court_id=elsewhere.pk)
    with pytest.raises(Forbidden):
        VERIFICATION.apply(review, "approve", actor=stray)
    assert Verification.objects.get(pk=review.pk).status == "pending"


def test_a_reviewer_never_decides_their_own(staff, court_haishu):
    judge = staff["judge"]
    mine = lawyer(judge)  # a judge's own licence application (say, before leaving the court)
    with pytest.raises(Forbidden):
        LAWYER.apply(
            mine, "approve", actor=Actor(user=judge, role="judge", court_id=court_haishu.pk)
        )
    assert LawyerProfile.objects.get(pk=mine.pk).status == "pending"

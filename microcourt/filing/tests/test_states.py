"""The filing's declared state tables, walked whole (ARCHITECTURE §4.3): for every transition
and every role, from a state it leaves, the roles it names move it (and the ledger records
it) and every other role is refused with nothing changed; from a state it does not leave it
is a conflict. The roles are people, not labels: 张三 is the applicant, 王五 the party the
complaint names, the court's people hold their roles at the filing's court (or at the
receiving court, for 跨域立案)."""

import datetime as dt

import pytest
from django.utils import timezone

from microcourt.core.actor import Actor
from microcourt.core.errors import Conflict, Forbidden
from microcourt.filing.models import (
    CaseInvitation,
    Filing,
    FilingParty,
    FilingStatus,
    InvitationStatus,
)
from microcourt.filing.states import FILING, INVITATION
from microcourt.ledger.models import Entry

from .conftest import WANG_ID

pytestmark = pytest.mark.django_db

FILING_ROLES = (
    "applicant",
    "filing_officer",
    "court_admin",
    "receiving_officer",
    "citizen",
    "defendant",
    "judge",
    "clerk",
    "mediator",
    "division_head",
    "another_court_officer",
    "system",
)


def test_every_filing_and_invitation_state_is_reachable():
    assert FILING.reachable() == set(FilingStatus.values)
    assert INVITATION.reachable() == set(InvitationStatus.values)


@pytest.fixture
def courts(court_haishu):
    from microcourt.courts.tests.factories import CourtFactory

    return {
        "filing": court_haishu,
        "receiving": CourtFactory(code="浙0106", name="杭州市西湖区人民法院", level="basic"),
        "other": CourtFactory(code="浙0212", name="宁波市鄞州区人民法院", level="basic"),
    }


def _staff(court, role):
    from microcourt.courts.tests.factories import StaffFactory

    return Actor(user=StaffFactory(court=court, role=role).user, role=role, court_id=court.pk)


@pytest.fixture
def filing_actors(courts, plaintiff_zhang, defendant_wang):
    from microcourt.identity.tests.factories import UserFactory

    at = courts["filing"]
    return {
        "applicant": Actor.citizen(plaintiff_zhang),
        "filing_officer": _staff(at, "filing_officer"),
        "court_admin": _staff(at, "court_admin"),
        # A filing officer of the court whose centre received it (跨域立案).
        "receiving_officer": _staff(courts["receiving"], "filing_officer"),
        "citizen": Actor.citizen(UserFactory()),
        "defendant": Actor.citizen(defendant_wang),
        "judge": _staff(at, "judge"),
        "clerk": _staff(at, "clerk"),
        "mediator": _staff(at, "mediator"),
        "division_head": _staff(at, "division_head"),
        "another_court_officer": _staff(courts["other"], "filing_officer"),
        "system": Actor.system("walk the table"),
    }


@pytest.fixture
def filing_in(courts, plaintiff_zhang):
    """张三's filing to 海曙, handed in at 西湖's centre, in a given state."""

    def make(status: str) -> Filing:
        return Filing.objects.create(
            number=f"WS{Filing.objects.count() + 1:014d}",
            applicant=plaintiff_zhang,
            court=courts["filing"],
            receiving_court=courts["receiving"],
            status=status,
        )

    return make


@pytest.mark.parametrize("transition", [t.name for t in FILING.transitions])
@pytest.mark.parametrize("role", FILING_ROLES)
def test_the_filing_table_allowed_roles_move_it_everyone_else_changes_nothing(
    filing_in, filing_actors, transition, role
):
    t = FILING[transition]
    filing = filing_in(t.sources[0])
    before = Entry.objects.count()
    if role in t.roles:
        FILING.apply(filing, transition, actor=filing_actors[role])
        filing.refresh_from_db()
        assert filing.status == t.target
        entry = Entry.objects.get(code=t.event, details__object=f"filing.Filing:{filing.pk}")
        assert entry.details["transition"] == transition
    else:
        with pytest.raises(Forbidden):
            FILING.apply(filing, transition, actor=filing_actors[role])
        filing.refresh_from_db()
        assert filing.status == t.sources[0] and Entry.objects.count() == before


@pytest.mark.parametrize("transition", [t.name for t in FILING.transitions])
def test_the_filing_table_from_a_state_it_does_not_leave_is_a_conflict(
    filing_in, filing_actors, transition
):
    t = FILING[transition]
    source = next(s for s in FilingStatus.values if s not in t.sources)
    filing = filing_in(source)
    allowed = next(r for r in FILING_ROLES if r in t.roles)
    before = Entry.objects.count()
    with pytest.raises(Conflict):
        FILING.apply(filing, transition, actor=filing_actors[allowed])
    filing.refresh_from_db()
    assert filing.status == source and Entry.objects.count() == before


# --- the invitation ----------------------------------------------------------------------

INVITATION_ROLES = (
    "invitee",
    "citizen",
    "plaintiff",
    "judge",
    "clerk",
    "filing_officer",
    "court_admin",
    "system",
)


@pytest.fixture
def invitation_actors(courts, zhang, wang):
    from microcourt.identity.tests.factories import UserFactory

    at = courts["filing"]
    return {
        "invitee": wang,  # verified as 王五, the party the complaint names
        "citizen": Actor.citizen(UserFactory()),  # not verified
        "plaintiff": zhang,  # verified, but not the person named
        "judge": _staff(at, "judge"),
        "clerk": _staff(at, "clerk"),
        "filing_officer": _staff(at, "filing_officer"),
        "court_admin": _staff(at, "court_admin"),
        "system": Actor.system("walk the table"),
    }


@pytest.fixture
def invitation_in(courts, plaintiff_zhang):
    """王五's invitation to link to 张三's case, in a given state."""
    from microcourt.cases import actions as case_actions
    from microcourt.cases import selectors as case_selectors

    system = Actor.system("test set-up")
    case = case_actions.case_open(
        court=courts["filing"],
        case_type=case_selectors.case_type("民初"),
        title="张三诉王五民间借贷纠纷",
        cause="民间借贷纠纷",
        actor=system,
        filed_by=plaintiff_zhang,
    )
    defendant = case_actions.participant_add(
        case=case, actor=system, role="defendant", display_name="王五"
    )
    filing = Filing.objects.create(number="WS00000000000001", applicant=plaintiff_zhang)
    party = FilingParty.objects.create(
        filing=filing, side="respondent", kind="natural", name="王五", id_number=WANG_ID
    )

    def make(status: str) -> CaseInvitation:
        return CaseInvitation.objects.create(
            case=case,
            participant=defendant,
            party=party,
            token_hash=f"{CaseInvitation.objects.count():064d}",
            expires_at=timezone.now() + dt.timedelta(days=3),
            status=status,
        )

    return make


@pytest.mark.parametrize("transition", [t.name for t in INVITATION.transitions])
@pytest.mark.parametrize("role", INVITATION_ROLES)
def test_the_invitation_table_allowed_roles_move_it_everyone_else_changes_nothing(
    invitation_in, invitation_actors, transition, role
):
    t = INVITATION[transition]
    invitation = invitation_in(t.sources[0])
    before = Entry.objects.count()
    if role in t.roles:
        INVITATION.apply(invitation, transition, actor=invitation_actors[role])
        invitation.refresh_from_db()
        assert invitation.status == t.target
        assert Entry.objects.filter(code=t.event, case_id=invitation.case_id).count() == 1
    else:
        with pytest.raises(Forbidden):
            INVITATION.apply(invitation, transition, actor=invitation_actors[role])
        invitation.refresh_from_db()
        assert invitation.status == t.sources[0] and Entry.objects.count() == before


@pytest.mark.parametrize("transition", [t.name for t in INVITATION.transitions])
def test_the_invitation_table_from_a_state_it_does_not_leave_is_a_conflict(
    invitation_in, invitation_actors, transition
):
    t = INVITATION[transition]
    source = next(s for s in InvitationStatus.values if s not in t.sources)
    invitation = invitation_in(source)
    allowed = next(r for r in INVITATION_ROLES if r in t.roles)
    before = Entry.objects.count()
    with pytest.raises(Conflict):
        INVITATION.apply(invitation, transition, actor=invitation_actors[allowed])
    invitation.refresh_from_db()
    assert invitation.status == source and Entry.objects.count() == before


def test_the_link_closes_after_its_three_days_even_for_the_named_party(
    invitation_in, invitation_actors
):
    """在线诉讼规则第十条: after the 3 days the party's part is offline; the table's own
    check refuses a late link, whatever the caller checked before."""
    invitation = invitation_in(InvitationStatus.SENT)
    CaseInvitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - dt.timedelta(minutes=1)
    )
    invitation.refresh_from_db()
    with pytest.raises(Conflict):
        INVITATION.apply(invitation, "link", actor=invitation_actors["invitee"])
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.SENT

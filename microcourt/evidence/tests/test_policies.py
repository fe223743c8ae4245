"""Who may do what with evidence (docs/adr/0001-policies.md): requiring an original is the
panel's (judge, assistant, clerk) — staff without standing find nothing, a party or a mediator
is refused with a reason — and every act is recorded in the role it was done in. The declared
state tables are walked for every transition and every role."""

import json

import pytest
from django.urls import reverse

from microcourt.core.actor import Actor, actor_for
from microcourt.core.errors import Conflict, Forbidden, NotFound
from microcourt.evidence import actions
from microcourt.evidence.events import LedgerEvent as E
from microcourt.evidence.models import Exhibit, OriginalStatus, PreviewStatus
from microcourt.evidence.states import ORIGINAL, PREVIEW
from microcourt.ledger.models import Entry
from microcourt.notifications.models import Notification

from .conftest import with_second_factor

pytestmark = pytest.mark.django_db

REQUIRE = {"action": "require", "reason": "court"}


def public_role(entry: Entry) -> str:
    return json.loads(entry.public_json)["role"]


@pytest.fixture
def exhibit(case, zhang, submit):
    return submit(zhang)


@pytest.fixture
def staff(db, court_haishu, case):
    """The court's people around the case: a mediator and an assistant on its panel, a
    mediator and a judge of the court who are not, a filing officer and an administrator of
    the court (court-wide), and a judge of another court."""
    from microcourt.cases.models import CaseParticipant
    from microcourt.courts.tests.factories import CourtFactory, StaffFactory

    def make(role, court=court_haishu, panel=False):
        user = StaffFactory(court=court, role=role).user
        with_second_factor(user)
        if panel:
            CaseParticipant.objects.create(
                case=case, user=user, display_name=user.display_name, role=role
            )
        return user

    return {
        "panel mediator": make("mediator", panel=True),
        "panel assistant": make("judge_assistant", panel=True),
        "off-panel mediator": make("mediator"),
        "off-panel judge": make("judge"),
        "filing officer": make("filing_officer"),
        "court admin": make("court_admin"),
        "another court's judge": make("judge", court=CourtFactory()),
    }


def unchanged(exhibit, entries_before):
    exhibit.refresh_from_db()
    assert exhibit.original_status == "copy" and exhibit.required_reason == ""
    assert Entry.objects.count() == entries_before
    assert not Notification.objects.filter(event="evidence.original_required").exists()


@pytest.mark.parametrize("who", ["off-panel mediator", "another court's judge", "off-panel judge"])
def test_staff_without_standing_cannot_require_an_original_anywhere(
    client, case, exhibit, staff, who
):
    user = staff[who]
    before = Entry.objects.count()
    client.force_login(user)
    page = client.post(reverse("evidence:original", args=[case.pk, exhibit.number]), REQUIRE)
    assert page.status_code == 404
    api = client.post(
        f"/api/v1/cases/{case.pk}/exhibits/{exhibit.number}/original",
        REQUIRE,
        content_type="application/json",
    )
    assert api.status_code == 404 and api.json()["error"]["code"] == "not_found"
    with pytest.raises(NotFound):
        actions.original_require(exhibit=exhibit, actor=actor_for(user), reason="court")
    unchanged(exhibit, before)


def test_a_party_requiring_an_original_is_refused_with_a_reason(client, case, exhibit, wang):
    before = Entry.objects.count()
    client.force_login(wang.user)
    api = client.post(
        f"/api/v1/cases/{case.pk}/exhibits/{exhibit.number}/original",
        REQUIRE,
        content_type="application/json",
    )
    assert api.status_code == 403 and api.json()["error"]["code"] == "forbidden"
    assert "书记员可以认定原件" in api.json()["error"]["message"]
    page = client.post(reverse("evidence:original", args=[case.pk, exhibit.number]), REQUIRE)
    assert page.status_code == 403 and "书记员可以认定原件" in page.content.decode()
    with pytest.raises(Forbidden):
        actions.original_confirm(exhibit=exhibit, actor=wang, ground="compared")
    unchanged(exhibit, before)


@pytest.mark.parametrize("who", ["panel mediator", "filing officer", "court admin"])
def test_court_staff_who_do_not_rule_on_evidence_are_refused(client, case, exhibit, staff, who):
    """A mediator on the panel, and the court-wide roles who see the case's evidence, do not
    rule on originals nor open 质证."""
    before = Entry.objects.count()
    client.force_login(staff[who])
    page = client.get(reverse("evidence:exhibit", args=[case.pk, exhibit.number]))
    assert page.status_code == 200  # they see the case's evidence
    api = client.post(
        f"/api/v1/cases/{case.pk}/exhibits/{exhibit.number}/original",
        REQUIRE,
        content_type="application/json",
    )
    assert api.status_code == 403
    opened = client.post(
        f"/api/v1/cases/{case.pk}/cross-examinations",
        {"exhibits": [1], "mode": "async", "deadline": "2099-01-01T10:00:00+08:00"},
        content_type="application/json",
    )
    assert opened.status_code == 403
    unchanged(exhibit, before)
    assert not case.cross_examinations.exists()


def test_the_panel_rules_on_originals_in_its_own_role(client, case, exhibit, staff, clerk, judge):
    client.force_login(staff["panel assistant"])
    api = client.post(
        f"/api/v1/cases/{case.pk}/exhibits/{exhibit.number}/original",
        REQUIRE,
        content_type="application/json",
    )
    assert api.status_code == 200 and api.json()["original_status"] == "required"
    required = Entry.objects.get(code=E.ORIGINAL_REQUIRED)
    assert public_role(required) == "judge_assistant" and required.details["reason"] == "court"
    actions.original_confirm(exhibit=exhibit, actor=Actor.citizen(clerk.user), ground="compared")
    verified = Entry.objects.get(code=E.ORIGINAL_VERIFIED)
    assert public_role(verified) == "clerk" and verified.details["from"] == "required"


def test_a_partys_exhibit_is_recorded_as_a_citizens_and_the_judges_acts_as_the_judges(
    client, case, zhang, judge, exhibit
):
    submitted = Entry.objects.get(pk=exhibit.ledger_entry_id)
    assert public_role(submitted) == "citizen"
    client.force_login(judge.user)
    response = client.post(
        reverse("evidence:court_only", args=[case.pk, exhibit.number]), {"court_only": "1"}
    )
    assert response.status_code == 302
    assert public_role(Entry.objects.get(code=E.COURT_ONLY_SET)) == "judge"


# --- the declared tables -------------------------------------------------------------------

ROLES = (
    "citizen",
    "plaintiff",
    "defendant",
    "agent",
    "judge",
    "judge_assistant",
    "clerk",
    "mediator",
    "filing_officer",
    "court_admin",
    "system",
)


@pytest.fixture
def actors(case, zhang, wang, lawyer_liu, judge, clerk, staff, outsider):
    """One actor per role of ROLES, each holding that role (and only that) on the case."""
    return {
        "citizen": actor_for(outsider),
        "plaintiff": zhang,
        "defendant": wang,
        "agent": lawyer_liu,
        "judge": judge,
        "judge_assistant": actor_for(staff["panel assistant"]),
        "clerk": clerk,
        "mediator": actor_for(staff["panel mediator"]),
        "filing_officer": actor_for(staff["filing officer"]),
        "court_admin": actor_for(staff["court admin"]),
        "system": Actor.system("walk the table"),
    }


def test_every_state_is_reachable():
    assert ORIGINAL.reachable() == set(OriginalStatus.values)
    assert PREVIEW.reachable() == set(PreviewStatus.values)


@pytest.mark.parametrize(
    ("machine", "transition"),
    [(m, t.name) for m in (ORIGINAL, PREVIEW) for t in m.transitions],
    ids=lambda v: getattr(v, "field", v),
)
def test_the_table_walk(exhibit, actors, machine, transition):
    """For every role: the transition's own roles move the exhibit (with its ledger entry
    where the transition has a code); every other role is refused and nothing changes; and
    from a state the transition does not leave, it is a conflict."""
    t = machine[transition]
    field = machine.field
    source = t.sources[0]
    for role in ROLES:
        actor = actors[role]
        assert machine.roles_of(actor, exhibit) >= ({role} if role != "citizen" else set())
        Exhibit.objects.filter(pk=exhibit.pk).update(**{field: source})
        exhibit.refresh_from_db()
        entries = Entry.objects.count()
        if role in t.roles:
            machine.apply(exhibit, transition, actor=actor)
            exhibit.refresh_from_db()
            assert getattr(exhibit, field) == t.target, role
            assert Entry.objects.count() == entries + (t.event is not None), role
            if t.event is not None:
                assert public_role(Entry.objects.latest("pk")) == role
        else:
            with pytest.raises(Forbidden):
                machine.apply(exhibit, transition, actor=actor)
            exhibit.refresh_from_db()
            assert getattr(exhibit, field) == source, role
            assert Entry.objects.count() == entries, role
    allowed = actors[next(r for r in ROLES if r in t.roles)]
    for state in set(machine.states.values) - set(t.sources):
        Exhibit.objects.filter(pk=exhibit.pk).update(**{field: state})
        exhibit.refresh_from_db()
        entries = Entry.objects.count()
        with pytest.raises(Conflict):
            machine.apply(exhibit, transition, actor=allowed)
        exhibit.refresh_from_db()
        assert getattr(exhibit, field) == state and Entry.objects.count() == entries


def test_the_judge_submitting_a_partys_evidence_over_the_page_is_refused(client, case, judge):
    from .conftest import upload

    client.force_login(judge.user)
    response = client.post(
        reverse("evidence:list", args=[case.pk]),
        {"name": "借条", "source": "法院", "purpose": "证明", "file": upload("借条.png")},
    )
    assert response.status_code == 403
    assert "只有当事人或其代理人可以进行此操作" in response.content.decode()
    assert not Exhibit.objects.exists() and not Entry.objects.filter(code=E.EXHIBIT_SUBMITTED)

"""Who reads which e-dossier (docs/adr/0001-policies.md): the panel judge reads the court's,
a party reads the parties', a judge of the same court who is not on the panel finds nothing;
and a build queued for the worker is refused once the asker's court role is revoked."""

import json

import pytest

from microcourt.core.actor import actor_for
from microcourt.core.errors import NotFound
from microcourt.dossier import actions, selectors
from microcourt.dossier.events import LedgerEvent
from microcourt.dossier.models import DossierBuild
from microcourt.evidence.tests.conftest import with_second_factor
from microcourt.ledger.models import Entry

pytestmark = pytest.mark.django_db


def public_role(entry: Entry) -> str:
    return json.loads(entry.public_json)["role"]


@pytest.fixture
def judge_off_panel(court_haishu):
    from microcourt.courts.tests.factories import StaffFactory

    user = StaffFactory(court=court_haishu, role="judge", user__username="judge_qian").user
    with_second_factor(user)
    return user


def test_a_judge_of_the_same_court_not_on_the_panel_finds_no_dossier(
    client, case, zhang, judge, judge_off_panel
):
    court_build = actions.dossier_build(case=case, actor=judge)
    party_build = actions.dossier_build(case=case, actor=zhang)
    before = (DossierBuild.objects.count(), Entry.objects.count())
    actor = actor_for(judge_off_panel)
    with pytest.raises(NotFound):
        selectors.dossier_case(actor, case.pk)
    with pytest.raises(NotFound):
        actions.dossier_build(case=case, actor=actor)
    with pytest.raises(NotFound):
        actions.dossier_read(build=court_build, actor=actor)
    client.force_login(judge_off_panel)
    urls = [f"/cases/{case.pk}/dossier/", f"/api/v1/cases/{case.pk}/dossier"]
    urls += [f"/cases/{case.pk}/dossier/{b.pk}.pdf" for b in (court_build, party_build)]
    for url in urls:
        assert client.get(url).status_code == 404, url
    assert client.post(f"/cases/{case.pk}/dossier/new/").status_code == 404
    assert client.post(f"/api/v1/cases/{case.pk}/dossier").status_code == 404
    assert (DossierBuild.objects.count(), Entry.objects.count()) == before


def test_the_panel_judge_reads_the_courts_dossier_as_the_judge(client, case, judge_chen):
    with_second_factor(judge_chen)
    build = actions.dossier_build(case=case, actor=actor_for(judge_chen))
    assert build.audience == "court"
    client.force_login(judge_chen)
    page = client.get(f"/cases/{case.pk}/dossier/")
    assert page.status_code == 200 and page.context["audience"] == "court"
    assert client.get(f"/cases/{case.pk}/dossier/{build.pk}.pdf").status_code == 200
    read = Entry.objects.get(code=LedgerEvent.READ)
    assert public_role(read) == "judge" and read.actor_user_id == judge_chen.pk


def test_a_party_reads_the_parties_dossier_and_never_the_courts(client, case, zhang, judge):
    court_build = actions.dossier_build(case=case, actor=judge)
    mine = actions.dossier_build(case=case, actor=zhang)
    assert mine.audience == "parties"
    client.force_login(zhang.user)
    assert client.get(f"/cases/{case.pk}/dossier/").context["audience"] == "parties"
    assert client.get(f"/cases/{case.pk}/dossier/{court_build.pk}.pdf").status_code == 404
    with pytest.raises(NotFound):
        actions.dossier_read(build=court_build, actor=zhang)
    assert client.get(f"/cases/{case.pk}/dossier/{mine.pk}.pdf").status_code == 200
    read = Entry.objects.get(code=LedgerEvent.READ)
    assert public_role(read) == "citizen" and read.details["build"] == mine.pk


def test_a_build_queued_before_the_judges_role_was_revoked_is_not_made(
    client, case, judge_chen, run_tasks, django_capture_on_commit_callbacks
):
    from microcourt.courts.models import StaffAssignment

    with_second_factor(judge_chen)
    client.force_login(judge_chen)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(f"/cases/{case.pk}/dossier/new/").status_code == 302
    StaffAssignment.objects.filter(user=judge_chen).update(active=False)
    run_tasks()
    assert not DossierBuild.objects.exists()
    assert not Entry.objects.filter(code=LedgerEvent.BUILT).exists()


def test_a_build_queued_by_the_panel_judge_is_made_as_the_judges(
    client, case, judge_chen, run_tasks, django_capture_on_commit_callbacks
):
    with_second_factor(judge_chen)
    client.force_login(judge_chen)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(f"/cases/{case.pk}/dossier/new/").status_code == 302
    run_tasks()
    build = DossierBuild.objects.get()
    assert build.audience == "court" and build.built_by == judge_chen
    assert public_role(Entry.objects.get(code=LedgerEvent.BUILT)) == "judge"

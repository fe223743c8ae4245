"""在线诉讼规则第四条: consent per party and per stage, none implied; 第五条: history kept."""

import pytest

from microcourt.cases import actions, selectors
from microcourt.cases.events import LedgerEvent
from microcourt.cases.models import StageConsent
from microcourt.core.actor import Actor
from microcourt.core.errors import Forbidden, InvalidInput, NotFound
from microcourt.ledger.models import Entry


@pytest.fixture
def wang_party(loan_case):
    return loan_case.participants.get(role="defendant")


@pytest.mark.django_db
def test_consent_to_filing_does_not_imply_the_hearing(loan_case, zhang):
    zhang_party = loan_case.participants.get(role="plaintiff")
    actions.consent_record(
        participant=zhang_party, stage="filing", online=True, actor=zhang, source="filed_online"
    )
    assert selectors.consent_for(zhang_party, "filing") is True
    assert selectors.consent_for(zhang_party, "hearing") is None
    entry = Entry.objects.get(code=LedgerEvent.CONSENT_RECORDED, case_id=loan_case.pk)
    assert entry.details == {
        "participant": zhang_party.pk,
        "stage": "filing",
        "online": True,
        "source": "filed_online",
    }


@pytest.mark.django_db
def test_a_change_of_mind_counts_and_the_history_is_kept(wang_party, defendant_wang):
    wang = Actor.citizen(defendant_wang)
    actions.consent_record(
        participant=wang_party, stage="hearing", online=True, actor=wang, source="platform"
    )
    actions.consent_record(
        participant=wang_party, stage="hearing", online=False, actor=wang, source="platform"
    )
    assert selectors.consent_for(wang_party, "hearing") is False
    history = selectors.consent_history(wang_party, "hearing")
    assert [c.online for c in history] == [True, False]
    # Append-only: the old statement cannot be rewritten.
    with pytest.raises(ValueError):
        history[0].save()


@pytest.mark.django_db
def test_consent_is_per_party(loan_case, wang_party, zhang, defendant_wang):
    zhang_party = loan_case.participants.get(role="plaintiff")
    actions.consent_record(
        participant=zhang_party, stage="service", online=True, actor=zhang, source="platform"
    )
    assert selectors.consent_for(wang_party, "service") is None


@pytest.mark.django_db
def test_no_one_consents_for_another_party_but_the_court_may_record_it(
    wang_party, zhang, officer_li
):
    with pytest.raises(Forbidden):
        actions.consent_record(
            participant=wang_party, stage="hearing", online=True, actor=zhang, source="platform"
        )
    actions.consent_record(
        participant=wang_party, stage="hearing", online=False, actor=officer_li, source="phone"
    )
    assert selectors.consent_for(wang_party, "hearing") is False


@pytest.mark.django_db
def test_an_agent_consents_for_the_party_they_represent(loan_case, officer_li, wang_party):
    from microcourt.identity.tests.factories import UserFactory

    lawyer = UserFactory(username="lawyer_liu", display_name="刘律师")
    actions.participant_add(
        case=loan_case,
        actor=officer_li,
        role="agent",
        user=lawyer,
        display_name="刘律师",
        represents=wang_party,
    )
    actions.consent_record(
        participant=wang_party,
        stage="evidence_exchange",
        online=True,
        actor=Actor.citizen(lawyer),
        source="platform",
    )
    assert selectors.consent_for(wang_party, "evidence_exchange") is True


@pytest.mark.django_db
def test_bad_consent_input_names_the_field(loan_case, wang_party, defendant_wang, officer_li):
    wang = Actor.citizen(defendant_wang)
    for kwargs, field in [
        ({"stage": "appeal", "online": True, "source": "platform"}, "stage"),
        ({"stage": "hearing", "online": "yes", "source": "platform"}, "online"),
        ({"stage": "hearing", "online": True, "source": "rumour"}, "source"),
    ]:
        with pytest.raises(InvalidInput) as caught:
            actions.consent_record(participant=wang_party, actor=wang, **kwargs)
        assert field in caught.value.fields
    from microcourt.courts.tests.factories import StaffFactory

    clerk = StaffFactory(court=loan_case.court, role="clerk").user
    clerk_party = actions.participant_add(
        case=loan_case, actor=officer_li, role="clerk", user=clerk, display_name="书记员"
    )
    with pytest.raises(InvalidInput) as caught:
        actions.consent_record(
            participant=clerk_party, stage="hearing", online=True, actor=officer_li, source="phone"
        )
    assert "participant" in caught.value.fields
    assert not StageConsent.objects.exists()


@pytest.mark.django_db
def test_a_stranger_cannot_find_the_case_to_consent_in(wang_party):
    from microcourt.identity.tests.factories import UserFactory

    with pytest.raises(NotFound):
        actions.consent_record(
            participant=wang_party,
            stage="hearing",
            online=True,
            actor=Actor.citizen(UserFactory()),
            source="platform",
        )

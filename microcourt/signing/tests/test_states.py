"""The signature request's declared states walked in full, and who may sign, withdraw, seal
and run the PKI (signing/policies.py) — through the actions, so page, API and direct call are
held to the same rule; nothing changes on a refusal."""

from __future__ import annotations

import base64

import pytest

from microcourt.core.actor import Actor
from microcourt.core.errors import Conflict, Forbidden, NotFound
from microcourt.identity.selectors import VerificationRequired
from microcourt.identity.tests.factories import UserFactory
from microcourt.ledger.models import Entry
from microcourt.signing import actions
from microcourt.signing.events import LedgerEvent
from microcourt.signing.models import Certificate, RequestStatus, SignatureRequest
from microcourt.signing.states import SIGNATURE_REQUEST

from .conftest import age_checks, pdf_bytes, strokes_png

pytestmark = pytest.mark.django_db

TRANSCRIPT = pdf_bytes("庭审笔录", "审判员：现在开庭。")
# The request's own roles, a stranger, case roles (a party is a citizen here), court roles.
ROLES = [
    "signer",
    "requester",
    "citizen",
    "plaintiff",
    "defendant",
    "judge",
    "clerk",
    "mediator",
    "court_admin",
    "system",
]


@pytest.fixture
def people(court_haishu):
    from microcourt.courts.tests.factories import StaffFactory

    staff = {
        role: StaffFactory(court=court_haishu, role=role, user__username=f"s_{role}").user
        for role in ("judge", "clerk", "mediator", "court_admin")
    }
    return {"signer": UserFactory(), "requester": staff["clerk"], **staff}


def actor_in(role, people, court):
    if role == "system":
        return Actor.system(reason="test")
    if role in ("signer", "requester"):
        return Actor.citizen(people[role]) if role == "signer" else _staff(people, "clerk", court)
    if role in ("citizen", "plaintiff", "defendant"):
        return Actor.citizen(UserFactory())
    if role == "clerk":  # another clerk of the court than the one who asked
        from microcourt.courts.tests.factories import StaffFactory

        other = StaffFactory(court=court, role="clerk").user
        return Actor(user=other, role="clerk", court_id=court.pk)
    return _staff(people, role, court)


def _staff(people, role, court):
    return Actor(user=people[role], role=role, court_id=court.pk)


def make_request(people, status=RequestStatus.PENDING):
    row = SignatureRequest.objects.create(
        title="庭审笔录",
        purpose="hearing",
        source_path="signing/x.pdf",
        source_sha256="a" * 64,
        signer=people["signer"],
        created_by=people["requester"],
        case_id=7,
        status=status,
    )
    return row


def test_every_state_is_reachable_and_the_table_names_who_moves_it():
    assert SIGNATURE_REQUEST.reachable() == set(RequestStatus.values)
    assert SIGNATURE_REQUEST["sign"].roles == {"signer"}
    assert SIGNATURE_REQUEST["cancel"].roles == {"requester", "system"}


def test_walk_every_transition_by_every_role(people, court_haishu):
    for transition in SIGNATURE_REQUEST.transitions:
        for role in ROLES:
            row = make_request(people)
            before = Entry.objects.count()
            actor = actor_in(role, people, court_haishu)
            if role in transition.roles:
                SIGNATURE_REQUEST.apply(row, transition.name, actor=actor)
                assert SignatureRequest.objects.get(pk=row.pk).status == transition.target
                entry = Entry.objects.get(code=transition.event, details__request=row.pk)
                assert entry.subject_digest == "sha256:" + "a" * 64  # the document asked
                assert entry.details["to"] == transition.target and entry.case_id == 7
            else:
                with pytest.raises(Forbidden):
                    SIGNATURE_REQUEST.apply(row, transition.name, actor=actor)
                assert SignatureRequest.objects.get(pk=row.pk).status == RequestStatus.PENDING
                assert Entry.objects.count() == before, (transition.name, role)


def test_from_a_decided_request_every_transition_is_a_conflict(people):
    system, signer = Actor.system(reason="test"), Actor.citizen(people["signer"])
    for transition in SIGNATURE_REQUEST.transitions:
        for state in set(RequestStatus.values) - set(transition.sources):
            row = make_request(people, status=state)
            before = Entry.objects.count()
            with pytest.raises(Conflict):
                SIGNATURE_REQUEST.apply(
                    row, transition.name, actor=signer if transition.name == "sign" else system
                )
            assert SignatureRequest.objects.get(pk=row.pk).status == state
            assert Entry.objects.count() == before


# --- Through the actions ------------------------------------------------------------------------


@pytest.fixture
def transcript_request(clerk, plaintiff_zhang):
    return actions.signature_request_create(
        pdf=TRANSCRIPT, title="庭审笔录", purpose="hearing", signer=plaintiff_zhang, actor=clerk
    )


def test_the_signer_signs_only_after_a_fresh_face_check(transcript_request, zhang, plaintiff_zhang):
    from datetime import timedelta

    age_checks(plaintiff_zhang, timedelta(minutes=11))
    with pytest.raises(VerificationRequired):
        actions.signature_request_sign(
            request_id=transcript_request.pk, actor=zhang, handwriting_png=strokes_png()
        )
    assert SignatureRequest.objects.get(pk=transcript_request.pk).status == "pending"
    assert not Entry.objects.filter(code=LedgerEvent.REQUEST_SIGNED).exists()


def test_a_signed_request_is_recorded_twice_the_request_and_the_signature(
    transcript_request, zhang
):
    row = actions.signature_request_sign(
        request_id=transcript_request.pk, actor=zhang, handwriting_png=strokes_png()
    )
    assert row.status == RequestStatus.SIGNED and row.signed_document is not None
    moved = Entry.objects.get(code=LedgerEvent.REQUEST_SIGNED)
    signed = Entry.objects.get(code=LedgerEvent.SIGNATURE_APPLIED)
    assert moved.subject_digest == f"sha256:{row.source_sha256}"
    assert signed.subject_digest == f"sha256:{row.signed_sha256}"  # the file leads to it
    assert moved.actor_user_id == signed.actor_user_id == zhang.user_id


def test_another_clerk_of_the_court_cannot_withdraw_what_a_colleague_asked(
    transcript_request, court_haishu
):
    from microcourt.courts.tests.factories import StaffFactory

    colleague = StaffFactory(court=court_haishu, role="clerk").user
    with pytest.raises(NotFound):
        actions.signature_request_cancel(
            request_id=transcript_request.pk,
            actor=Actor(user=colleague, role="clerk", court_id=court_haishu.pk),
        )
    assert SignatureRequest.objects.get(pk=transcript_request.pk).status == "pending"
    cancelled = actions.signature_request_cancel(
        request_id=transcript_request.pk, actor=Actor.system(reason="hearings.cancelled")
    )
    assert cancelled.status == RequestStatus.CANCELLED


def test_the_pki_commands_are_the_operators_alone(clerk, zhang, court_haishu):
    actions.pki_ensure()
    signing = Certificate.objects.get(purpose="signing", active=True)
    judge_admin = UserFactory(username="court_admin_only", is_staff=True)
    for actor in (clerk, zhang, Actor.citizen(judge_admin)):
        for attempt in (
            lambda a: actions.pki_rotate(purpose="signing", actor=a),
            lambda a: actions.pki_revoke(serial=signing.serial, reason="superseded", actor=a),
            lambda a: actions.pki_seal_issue(court_code="浙0205", court_name="江北", actor=a),
            lambda a: actions.pki_init(actor=a, force=True),
            lambda a: actions.crl_issue(actor=a),
        ):
            with pytest.raises(Forbidden):
                attempt(actor)
    signing.refresh_from_db()
    assert signing.active and signing.revoked_at is None
    assert Certificate.objects.filter(purpose="court_seal").count() == 0
    operator = UserFactory(username="ops_wu", is_staff=True, is_superuser=True)
    rotated = actions.pki_rotate(purpose="signing", actor=Actor.citizen(operator))
    assert rotated.active and rotated.pk != signing.pk


def test_the_sign_page_needs_the_signer_and_a_face_check(
    client, plaintiff_zhang, transcript_request
):
    """The page and a direct POST meet the same gate as the action: without a face check the
    page shows where to do it and nothing is signed."""
    client.force_login(plaintiff_zhang)
    page = client.get(f"/sign/{transcript_request.pk}/").content.decode()
    assert "/accounts/verify/" in page
    pad = "data:image/png;base64," + base64.b64encode(strokes_png()).decode()
    answer = client.post(f"/sign/{transcript_request.pk}/", {"handwriting": pad})
    assert answer.status_code == 403  # a valid signature, refused by the identity gate
    assert SignatureRequest.objects.get(pk=transcript_request.pk).status == "pending"

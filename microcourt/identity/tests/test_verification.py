"""实名认证 as a citizen, a foreigner and a court clerk live it: ID-card OCR + live face,
document review, in-person checks, step-up before sessions, masking and data export."""

import datetime as dt
from functools import cache

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.utils import timezone

from microcourt.assist.tests import cards, faces
from microcourt.core.actor import Actor
from microcourt.core.errors import Forbidden, InvalidInput, NotFound
from microcourt.identity import actions, selectors
from microcourt.identity.events import LedgerEvent
from microcourt.identity.models import (
    IdType,
    RealNameIdentity,
    Verification,
    VerificationStatus,
)
from microcourt.ledger.models import Entry
from microcourt.notifications.models import Notification

pytestmark = pytest.mark.django_db
ID = cards.ZHANG_SAN_ID


@cache
def card_front(name="张三", number=ID) -> bytes:
    portrait = faces.astronaut().crop((130, 20, 310, 250))
    return cards.render_id_card_front(name=name, id_number=number, portrait=portrait)


def evidence(**overrides) -> actions.Evidence:
    values = {
        "name": "张三",
        "id_number": ID,
        "id_front": card_front(),
        "selfie": faces.selfie(),
        "id_back": cards.render_id_card_back(),
    }
    values.update(overrides)
    return actions.Evidence(**values)


def failures(user) -> int:
    return Verification.objects.filter(user=user, status=VerificationStatus.FAILED).count()


def test_a_citizen_verifies_with_the_id_card_and_a_live_face(plaintiff_zhang):
    result = actions.verification_by_id_card_and_face(user=plaintiff_zhang, evidence=evidence())
    assert result.status == VerificationStatus.PASSED and result.score < result.threshold
    plaintiff_zhang.refresh_from_db()
    identity = plaintiff_zhang.real_name
    assert (identity.name, identity.id_number, identity.gender) == ("张三", ID, "男")
    assert identity.birth_date == dt.date(1990, 1, 1)
    assert identity.valid_until == dt.date(2035, 3, 1)
    assert selectors.verification_level(plaintiff_zhang)["level"] == "verified"
    assert Entry.objects.filter(
        code=LedgerEvent.VERIFIED, details__subject_user_id=plaintiff_zhang.pk
    ).exists()
    assert Notification.objects.filter(
        recipient=plaintiff_zhang, event="identity.verified"
    ).exists()


def test_no_id_number_and_no_image_is_stored_in_the_clear(plaintiff_zhang):
    actions.verification_by_id_card_and_face(user=plaintiff_zhang, evidence=evidence())
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number, id_index, address FROM identity_realnameidentity")
        stored = " ".join(cursor.fetchone())
        cursor.execute("SELECT claimed_id_number, documents FROM identity_verification")
        stored += " ".join(str(v) for v in cursor.fetchone())
    assert ID not in stored and "某某路" not in stored
    assert Verification.objects.get().documents == []  # face-check images are not kept


def test_a_name_that_differs_from_the_card_fails_and_is_counted(plaintiff_zhang):
    with pytest.raises(InvalidInput) as caught:
        actions.verification_by_id_card_and_face(
            user=plaintiff_zhang, evidence=evidence(name="张山")
        )
    assert "张三" in str(caught.value.fields["name"])
    assert failures(plaintiff_zhang) == 1
    assert not RealNameIdentity.objects.exists()
    assert Entry.objects.filter(code=LedgerEvent.VERIFICATION_FAILED).count() == 1


def test_someone_elses_face_fails(plaintiff_zhang):
    with pytest.raises(InvalidInput) as caught:
        actions.verification_by_id_card_and_face(
            user=plaintiff_zhang, evidence=evidence(selfie=faces.stranger_selfie())
        )
    assert "selfie" in caught.value.fields
    assert failures(plaintiff_zhang) == 1 and not RealNameIdentity.objects.exists()


def test_two_faces_in_the_selfie_are_refused_and_counted(plaintiff_zhang):
    with pytest.raises(Exception) as caught:
        actions.verification_by_id_card_and_face(
            user=plaintiff_zhang, evidence=evidence(selfie=faces.two_faces())
        )
    assert "selfie" in caught.value.fields
    assert failures(plaintiff_zhang) == 1


def test_an_expired_card_is_refused(plaintiff_zhang):
    expired = cards.render_id_card_back(
        valid_from=dt.date(2005, 3, 1), valid_until=dt.date(2025, 3, 1)
    )
    with pytest.raises(InvalidInput) as caught:
        actions.verification_by_id_card_and_face(
            user=plaintiff_zhang, evidence=evidence(id_back=expired)
        )
    assert "id_back" in caught.value.fields
    assert failures(plaintiff_zhang) == 1


@pytest.mark.parametrize(
    ("number", "reason"),
    [
        ("330203199001011234", "校验位"),
        ("330203199002301235", "出生日期"),
        ("33020319900101", "18位"),
    ],
)
def test_bad_id_numbers_are_explained_before_any_photo_is_read(plaintiff_zhang, number, reason):
    with pytest.raises(InvalidInput) as caught:
        actions.validate_resident_id(number)
    assert reason in str(caught.value.fields["id_number"])


def test_after_five_failures_in_a_day_the_camera_path_closes(plaintiff_zhang):
    for _ in range(actions.MAX_FAILURES_PER_DAY):
        Verification.objects.create(
            user=plaintiff_zhang,
            method="id_card_face",
            status=VerificationStatus.FAILED,
            reason="test",
        )
    with pytest.raises(actions.TooManyAttempts) as caught:
        actions.verification_by_id_card_and_face(user=plaintiff_zhang, evidence=evidence())
    assert "人工审核" in str(caught.value.message)


def test_one_id_card_verifies_one_account(plaintiff_zhang, defendant_wang):
    actions.verification_by_id_card_and_face(user=plaintiff_zhang, evidence=evidence())
    with pytest.raises(InvalidInput) as caught:
        actions.verification_by_id_card_and_face(user=defendant_wang, evidence=evidence())
    assert "id_number" in caught.value.fields


def test_step_up_before_a_hearing_needs_a_fresh_face_check(plaintiff_zhang):
    actor = Actor.citizen(plaintiff_zhang)
    with pytest.raises(selectors.VerificationRequired) as caught:
        selectors.require_fresh_verification(actor, "hearing", dt.timedelta(hours=2))
    assert caught.value.url == "/accounts/verify/"
    actions.verification_by_id_card_and_face(user=plaintiff_zhang, evidence=evidence())
    assert selectors.require_fresh_verification(actor, "hearing", dt.timedelta(hours=2))
    Verification.objects.update(created_at=timezone.now() - dt.timedelta(days=3))
    with pytest.raises(selectors.VerificationRequired) as caught:
        selectors.require_fresh_verification(actor, "hearing", dt.timedelta(hours=2))
    assert "recheck" in caught.value.url
    recheck = actions.verification_face_recheck(
        user=plaintiff_zhang, purpose="hearing", selfie=faces.selfie(), reference=card_front()
    )
    assert recheck.purpose == "hearing"
    assert selectors.require_fresh_verification(actor, "hearing", dt.timedelta(hours=2)) == recheck


def upload(name="passport.png", data=None):
    return SimpleUploadedFile(name, data or cards.render_gradient_photo(), "image/png")


def test_a_foreigner_is_verified_by_document_review(plaintiff_zhang, clerk_zhao, court_haishu):
    pending = actions.verification_request_review(
        user=plaintiff_zhang,
        id_type=IdType.PASSPORT,
        name="John Smith",
        id_number="E12345678",
        documents=[upload()],
        note="foreign national",
    )
    assert pending.status == VerificationStatus.PENDING and len(pending.documents) == 1
    assert list(selectors.pending_reviews()) == [pending]
    clerk = Actor(user=clerk_zhao, role="clerk", court_id=court_haishu.pk)
    with pytest.raises(InvalidInput):
        actions.verification_review(verification_id=pending.pk, actor=clerk, approve=False)
    actions.verification_review(verification_id=pending.pk, actor=clerk, approve=True)
    assert selectors.verification_level(plaintiff_zhang)["level"] == "verified"
    assert plaintiff_zhang.real_name.id_type == IdType.PASSPORT
    entry = Entry.objects.get(code=LedgerEvent.REVIEW_DECIDED)
    assert (entry.actor_role, entry.details["to"]) == ("clerk", "passed")
    assert entry.details["subject_user_id"] == plaintiff_zhang.pk  # in the person's export
    (notice,) = Notification.objects.filter(event="identity.verification_approved")
    assert notice.recipient == plaintiff_zhang and notice.title == "实名认证已通过"
    with pytest.raises(NotFound):  # decided once
        actions.verification_review(verification_id=pending.pk, actor=clerk, approve=True)


def test_citizens_cannot_review_and_disguised_files_are_refused(plaintiff_zhang, defendant_wang):
    with pytest.raises(InvalidInput) as caught:
        actions.verification_request_review(
            user=plaintiff_zhang,
            id_type=IdType.PASSPORT,
            name="John",
            id_number="E1",
            documents=[upload("passport.png", b"MZ\x90\x00 this is a windows program")],
        )
    assert "documents.0" in caught.value.fields
    assert not Verification.objects.exists()
    pending = actions.verification_request_review(
        user=plaintiff_zhang,
        id_type=IdType.PASSPORT,
        name="John",
        id_number="E1",
        documents=[upload()],
    )
    with pytest.raises(Forbidden):
        actions.verification_review(
            verification_id=pending.pk, actor=Actor.citizen(defendant_wang), approve=True
        )


def test_shared_court_staff_verify_in_person(plaintiff_zhang, court_haishu):
    from microcourt.courts.tests.factories import StaffFactory

    helper = StaffFactory(court=court_haishu, role="shared_court_staff").user
    actions.verification_in_person(
        actor=Actor(user=helper, role="shared_court_staff", court_id=court_haishu.pk),
        user=plaintiff_zhang,
        id_type=IdType.RESIDENT_ID,
        name="张三",
        id_number=ID,
    )
    level = selectors.verification_level(plaintiff_zhang)
    assert level["level"] == "verified" and level["method"] == "in_person"
    entry = Entry.objects.get(code=LedgerEvent.VERIFIED)
    assert entry.actor_role == "shared_court_staff"
    assert entry.details["court_id"] == court_haishu.pk  # where the person stood


def test_identity_is_masked_and_an_unmasked_read_is_recorded(plaintiff_zhang, clerk_zhao):
    actions.verification_in_person(
        actor=Actor(user=clerk_zhao, role="clerk"),
        user=plaintiff_zhang,
        id_type=IdType.RESIDENT_ID,
        name="张三",
        id_number=ID,
    )
    assert selectors.identity_masked(plaintiff_zhang)["id_number"] == "3302**********1236"
    shown = actions.identity_reveal(
        subject=plaintiff_zhang, actor=Actor(user=clerk_zhao, role="clerk")
    )
    assert shown["id_number"] == ID
    export = actions.personal_data_export(
        actor=Actor.citizen(plaintiff_zhang), user=plaintiff_zhang
    )
    assert export["identity"]["id_number"] == ID
    assert [v["viewer_user_id"] for v in export["viewed_by"]] == [clerk_zhao.pk]
    assert export["viewed_by"][0]["viewer_role"] == "clerk"


def test_an_expired_document_lowers_the_level(plaintiff_zhang, clerk_zhao):
    actions.verification_in_person(
        actor=Actor(user=clerk_zhao, role="clerk"),
        user=plaintiff_zhang,
        id_type=IdType.RESIDENT_ID,
        name="张三",
        id_number=ID,
    )
    RealNameIdentity.objects.update(valid_until=dt.date(2020, 1, 1))
    plaintiff_zhang.refresh_from_db()
    assert selectors.verification_level(plaintiff_zhang)["level"] == "expired"

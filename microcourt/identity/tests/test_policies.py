"""Who may verify, review and read whose identity (identity/policies.py), proven through the
actions (so the page, the API and a direct POST are held to the same rule): court staff act
at their court and never for themselves; a stranger's data is "not found"; nothing changes
on a refusal."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from microcourt.assist.tests import cards
from microcourt.core.actor import Actor
from microcourt.core.errors import Forbidden, NotFound
from microcourt.courts.tests.factories import CourtFactory, StaffFactory
from microcourt.identity import actions, selectors
from microcourt.identity.events import LedgerEvent
from microcourt.identity.models import LawyerProfile, Organisation, Verification
from microcourt.identity.tests.factories import UserFactory
from microcourt.ledger.models import Entry
from microcourt.notifications.models import Notification

pytestmark = pytest.mark.django_db
ID = cards.ZHANG_SAN_ID


def clerk_at(court, clerk):
    return Actor(user=clerk, role="clerk", court_id=court.pk)


def in_person(actor, user, number=ID, name="张三", id_type="resident_id"):
    return actions.verification_in_person(
        actor=actor, user=user, id_type=id_type, name=name, id_number=number
    )


def photo(name="passport.png"):
    return SimpleUploadedFile(name, cards.render_gradient_photo(), "image/png")


def pending_review(user):
    return actions.verification_request_review(
        user=user, id_type="passport", name="John Smith", id_number="E12345678", documents=[photo()]
    )


# --- 现场核验 --------------------------------------------------------------------------------


def test_in_person_checks_are_made_by_court_staff_at_their_court(
    plaintiff_zhang, clerk_zhao, court_haishu
):
    jiangbei = CourtFactory(code="浙0205", name="宁波市江北区人民法院")
    trustee = StaffFactory(court=court_haishu, role="bankruptcy_administrator").user
    refused = [
        Actor.citizen(UserFactory()),  # a member of the public
        Actor(user=clerk_zhao, role="clerk", court_id=jiangbei.pk),  # a court not theirs
        Actor(user=trustee, role="bankruptcy_administrator", court_id=court_haishu.pk),
        Actor.citizen(clerk_zhao),  # staff acting for themselves use no court role
    ]
    for actor in refused:
        with pytest.raises(Forbidden):
            in_person(actor, plaintiff_zhang)
    assert not Verification.objects.exists() and not Entry.objects.exists()
    assert selectors.verification_level(plaintiff_zhang)["level"] == "unverified"

    in_person(clerk_at(court_haishu, clerk_zhao), plaintiff_zhang)
    assert selectors.is_verified(plaintiff_zhang)


def test_nobody_verifies_themselves(clerk_zhao, court_haishu):
    with pytest.raises(Forbidden) as refused:
        in_person(clerk_at(court_haishu, clerk_zhao), clerk_zhao)
    assert refused.value.code == "own_account"
    assert not Verification.objects.exists()


# --- 证件人工审核 ----------------------------------------------------------------------------


def test_document_reviews_are_decided_by_court_employees_not_a_shared_courts_staff(
    plaintiff_zhang, court_haishu
):
    review = pending_review(plaintiff_zhang)
    helper = StaffFactory(court=court_haishu, role="shared_court_staff").user
    with pytest.raises(Forbidden):
        actions.verification_review(
            verification_id=review.pk,
            actor=Actor(user=helper, role="shared_court_staff", court_id=court_haishu.pk),
            approve=True,
        )
    assert Verification.objects.get(pk=review.pk).status == "pending"
    assert not hasattr(plaintiff_zhang, "real_name")


def test_the_public_learn_nothing_of_pending_reviews(plaintiff_zhang, defendant_wang):
    review = pending_review(plaintiff_zhang)
    for some_id in (review.pk, review.pk + 1000):  # a real one and one that does not exist
        with pytest.raises(Forbidden):
            actions.verification_review(
                verification_id=some_id, actor=Actor.citizen(defendant_wang), approve=True
            )


def test_a_rejection_tells_the_person_why_in_their_language(
    plaintiff_zhang, clerk_zhao, court_haishu
):
    plaintiff_zhang.preferred_language = "en"
    plaintiff_zhang.save(update_fields=["preferred_language"])
    review = pending_review(plaintiff_zhang)
    actions.verification_review(
        verification_id=review.pk,
        actor=clerk_at(court_haishu, clerk_zhao),
        approve=False,
        reason="护照照片模糊",
    )
    assert Verification.objects.get(pk=review.pk).status == "rejected"
    (notice,) = Notification.objects.filter(recipient=plaintiff_zhang)
    assert notice.event == "identity.verification_rejected"
    assert notice.title == "Identity verification not passed" and "护照照片模糊" in notice.body


def test_an_id_number_another_account_holds_is_refused_and_the_review_stays_open(
    plaintiff_zhang, defendant_wang, clerk_zhao, court_haishu
):
    in_person(
        clerk_at(court_haishu, clerk_zhao), defendant_wang, "E12345678", "J", id_type="passport"
    )
    review = pending_review(plaintiff_zhang)
    with pytest.raises(Exception, match="另一个账号"):
        actions.verification_review(
            verification_id=review.pk, actor=clerk_at(court_haishu, clerk_zhao), approve=True
        )
    assert Verification.objects.get(pk=review.pk).status == "pending"
    assert not Notification.objects.filter(recipient=plaintiff_zhang).exists()


# --- 律师认证 and 单位认证 ------------------------------------------------------------------------


def verified(user, clerk, court, name, number):
    in_person(clerk_at(court, clerk), user, number=number, name=name)
    return user


def test_a_lawyer_who_applies_again_is_reviewed_again_and_told_each_time(
    defendant_wang, clerk_zhao, court_haishu
):
    lawyer = verified(defendant_wang, clerk_zhao, court_haishu, "李四", "330203198505051237")
    clerk = clerk_at(court_haishu, clerk_zhao)
    profile = actions.lawyer_apply(
        user=lawyer, licence_number="13302201810123456", law_firm="甲律所", licence_photo=photo()
    )
    actions.lawyer_review(lawyer_id=profile.pk, actor=clerk, approve=False, reason="照片不清晰")
    assert not actions.is_lawyer(lawyer)
    profile = actions.lawyer_apply(
        user=lawyer, licence_number="13302201810123456", law_firm="乙律所", licence_photo=photo()
    )
    assert profile.status == LawyerProfile.Status.PENDING and profile.reason == ""
    actions.lawyer_review(lawyer_id=profile.pk, actor=clerk, approve=True)
    lawyer.refresh_from_db()
    assert actions.is_lawyer(lawyer) and lawyer.lawyer.law_firm == "乙律所"
    events = list(
        Notification.objects.filter(recipient=lawyer).order_by("pk").values_list("event", flat=True)
    )
    assert events == ["identity.lawyer_rejected", "identity.lawyer_approved"]
    transitions = [
        e.details.get("transition", "apply")
        for e in Entry.objects.filter(
            code__in=[LedgerEvent.LAWYER_APPLIED, LedgerEvent.LAWYER_REVIEWED]
        ).order_by("pk")
    ]
    assert transitions == ["apply", "reject", "reapply", "approve"]


def test_a_registration_ocr_could_not_confirm_is_decided_by_staff_not_its_representative(
    defendant_wang, court_haishu
):
    # The representative is also a court's clerk (a company director may well be): they still
    # cannot confirm their own company.
    rep_clerk = StaffFactory(court=court_haishu, role="clerk").user
    other_clerk = StaffFactory(court=court_haishu, role="clerk").user
    verified(defendant_wang, other_clerk, court_haishu, "李四", "330203198505051237")
    verified(rep_clerk, other_clerk, court_haishu, "王五", "330203199003031230")
    licence = SimpleUploadedFile(
        "licence.png", cards.render_business_licence(representative="赵六"), "image/png"
    )
    company = actions.organisation_register(
        user=rep_clerk, name="宁波某某贸易有限公司", uscc=cards.SAMPLE_USCC, licence_image=licence
    )
    assert company.status == Organisation.Status.PENDING
    assert list(selectors.pending_organisation_reviews()) == [company]
    with pytest.raises(Forbidden):
        actions.organisation_review(
            organisation_id=company.pk, actor=clerk_at(court_haishu, rep_clerk), approve=True
        )
    assert Organisation.objects.get(pk=company.pk).status == Organisation.Status.PENDING
    actions.organisation_review(
        organisation_id=company.pk,
        actor=clerk_at(court_haishu, other_clerk),
        approve=False,
        reason="营业执照上的法定代表人与申请人不符",
    )
    assert Organisation.objects.get(pk=company.pk).status == Organisation.Status.REJECTED
    (notice,) = Notification.objects.filter(recipient=rep_clerk)
    assert notice.event == "identity.organisation_rejected" and "不符" in notice.body


# --- A person's own data ---------------------------------------------------------------------


def test_a_strangers_identity_and_data_are_not_found_and_nothing_is_recorded(
    plaintiff_zhang, defendant_wang, clerk_zhao, court_haishu
):
    in_person(clerk_at(court_haishu, clerk_zhao), plaintiff_zhang)
    before = Entry.objects.count()
    with pytest.raises(NotFound):
        actions.identity_reveal(actor=Actor.citizen(defendant_wang), subject=plaintiff_zhang)
    with pytest.raises(NotFound):
        actions.personal_data_export(actor=Actor.citizen(defendant_wang), user=plaintiff_zhang)
    assert Entry.objects.count() == before
    mine = actions.identity_reveal(actor=Actor.citizen(plaintiff_zhang), subject=plaintiff_zhang)
    assert mine["id_number"] == ID


def test_the_employee_api_hides_a_company_from_strangers_and_refuses_employees(
    client, plaintiff_zhang, defendant_wang, clerk_zhao, court_haishu
):
    rep = verified(defendant_wang, clerk_zhao, court_haishu, "李四", "330203198505051237")
    employee = verified(plaintiff_zhang, clerk_zhao, court_haishu, "张三", ID)
    licence = SimpleUploadedFile("licence.png", cards.render_business_licence(), "image/png")
    company = actions.organisation_register(
        user=rep, name="宁波某某贸易有限公司", uscc=cards.SAMPLE_USCC, licence_image=licence
    )
    url = f"/api/v1/identity/organisations/{company.pk}/members"
    stranger = verified(UserFactory(), clerk_zhao, court_haishu, "赵六", "330203199003031230")
    client.force_login(stranger)
    csrf = client.get("/").cookies["csrftoken"].value
    answer = client.post(url, {"username": stranger.username}, HTTP_X_CSRFTOKEN=csrf)
    assert answer.status_code == 404
    client.force_login(rep)
    csrf = client.get("/").cookies["csrftoken"].value
    added = client.post(url, {"username": employee.username}, HTTP_X_CSRFTOKEN=csrf)
    assert added.status_code == 200 and added.json()["role"] == "authorised_employee"
    client.force_login(employee)
    csrf = client.get("/").cookies["csrftoken"].value
    answer = client.post(url, {"username": stranger.username}, HTTP_X_CSRFTOKEN=csrf)
    assert answer.status_code == 403
    assert not company.members.filter(user=stranger).exists()


def test_after_a_face_check_only_a_page_of_this_site_is_returned_to(client, plaintiff_zhang):
    from microcourt.assist.tests import faces
    from microcourt.identity.tests.test_verification import card_front

    client.force_login(plaintiff_zhang)
    in_person(
        Actor(user=StaffFactory(role="clerk").user, role="clerk"), plaintiff_zhang, name="张三"
    )
    for target, expected in (("https://evil.example/", "/accounts/me/"), ("/sign/1/", "/sign/1/")):
        front = SimpleUploadedFile("f.png", card_front(), "image/png")
        selfie = SimpleUploadedFile("s.png", faces.selfie(), "image/png")
        response = client.post(
            "/accounts/verify/recheck/",
            {"purpose": "signature", "next": target, "id_front": front, "selfie": selfie},
        )
        assert response.status_code == 302 and response["Location"] == expected

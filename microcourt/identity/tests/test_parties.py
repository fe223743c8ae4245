"""Organisations act through their verified legal representative; lawyers are reviewed;
authorisations (授权委托书) name each special power."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from microcourt.assist.tests import cards
from microcourt.core.actor import Actor
from microcourt.core.errors import Forbidden, InvalidInput, NotFound
from microcourt.identity import actions
from microcourt.identity.models import Authorisation, LawyerProfile, Organisation

pytestmark = pytest.mark.django_db


def verify(user, clerk, name, number):
    actions.verification_in_person(
        actor=Actor(user=clerk, role="clerk"),
        user=user,
        id_type="resident_id",
        name=name,
        id_number=number,
    )


@pytest.fixture
def li_si(defendant_wang, clerk_zhao):
    """The company's legal representative, verified in person."""
    verify(defendant_wang, clerk_zhao, "李四", "330203198505051237")
    return defendant_wang


def licence(**fields):
    return SimpleUploadedFile("licence.png", cards.render_business_licence(**fields), "image/png")


def test_the_legal_representative_registers_the_company_from_its_licence(li_si):
    company = actions.organisation_register(
        user=li_si, name="宁波某某贸易有限公司", uscc=cards.SAMPLE_USCC, licence_image=licence()
    )
    assert company.status == Organisation.Status.VERIFIED
    assert company.members.get().role == "legal_representative"


def test_a_licence_naming_someone_else_goes_to_staff_review(li_si):
    company = actions.organisation_register(
        user=li_si,
        name="宁波某某贸易有限公司",
        uscc=cards.SAMPLE_USCC,
        licence_image=licence(representative="王五"),
    )
    assert company.status == Organisation.Status.PENDING
    assert "another legal representative" in company.reason


def test_an_unverified_person_cannot_register_and_bad_codes_are_named(plaintiff_zhang, li_si):
    with pytest.raises(Forbidden):
        actions.organisation_register(
            user=plaintiff_zhang, name="x", uscc=cards.SAMPLE_USCC, licence_image=licence()
        )
    with pytest.raises(InvalidInput) as caught:
        actions.organisation_register(
            user=li_si, name="x", uscc="91330203MA2AB1234B", licence_image=licence()
        )
    assert "uscc" in caught.value.fields
    assert not Organisation.objects.exists()


def test_only_the_representative_authorises_verified_employees(li_si, plaintiff_zhang, clerk_zhao):
    company = actions.organisation_register(
        user=li_si, name="宁波某某贸易有限公司", uscc=cards.SAMPLE_USCC, licence_image=licence()
    )
    with pytest.raises(Forbidden):  # the employee is not verified yet
        actions.organisation_authorise_employee(
            organisation=company, actor=Actor.citizen(li_si), employee=plaintiff_zhang
        )
    verify(plaintiff_zhang, clerk_zhao, "张三", cards.ZHANG_SAN_ID)
    with pytest.raises(NotFound):  # a stranger does not learn the company is there
        actions.organisation_authorise_employee(
            organisation=company, actor=Actor.citizen(plaintiff_zhang), employee=plaintiff_zhang
        )
    member = actions.organisation_authorise_employee(
        organisation=company, actor=Actor.citizen(li_si), employee=plaintiff_zhang
    )
    assert member.role == "authorised_employee" and member.authorised_by == li_si
    with pytest.raises(Forbidden):  # an employee is a member, but cannot authorise others
        actions.organisation_authorise_employee(
            organisation=company, actor=Actor.citizen(plaintiff_zhang), employee=li_si
        )
    assert company.members.get(user=li_si).role == "legal_representative"


def test_a_lawyer_is_reviewed_before_acting_as_one(li_si, clerk_zhao):
    photo = SimpleUploadedFile("licence.png", cards.render_gradient_photo(), "image/png")
    with pytest.raises(InvalidInput) as caught:
        actions.lawyer_apply(user=li_si, licence_number="123", law_firm="", licence_photo=photo)
    assert set(caught.value.fields) == {"licence_number", "law_firm"}
    profile = actions.lawyer_apply(
        user=li_si,
        licence_number="13302201810123456",
        law_firm="浙江某某律师事务所",
        licence_photo=photo,
    )
    assert profile.status == LawyerProfile.Status.PENDING and not actions.is_lawyer(li_si)
    actions.lawyer_review(
        lawyer_id=profile.pk, actor=Actor(user=clerk_zhao, role="clerk"), approve=True
    )
    li_si.refresh_from_db()
    assert actions.is_lawyer(li_si)


def test_special_authority_must_list_its_powers(plaintiff_zhang, li_si, clerk_zhao):
    verify(plaintiff_zhang, clerk_zhao, "张三", cards.ZHANG_SAN_ID)
    today = dt.date(2026, 11, 23)
    with pytest.raises(InvalidInput) as caught:
        actions.authorisation_grant(
            principal=plaintiff_zhang, agent=li_si, scope="special", powers=[], valid_from=today
        )
    assert "powers" in caught.value.fields
    with pytest.raises(InvalidInput) as caught:
        actions.authorisation_grant(
            principal=plaintiff_zhang,
            agent=li_si,
            scope="general",
            powers=["settle"],
            valid_from=today,
        )
    assert "powers" in caught.value.fields
    granted = actions.authorisation_grant(
        principal=plaintiff_zhang,
        agent=li_si,
        scope="special",
        powers=["settle", "appeal"],
        valid_from=today,
    )
    assert granted.powers == ["appeal", "settle"]
    assert Authorisation.objects.count() == 1

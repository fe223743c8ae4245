"""Personas for the hearing stories: 张三 (plaintiff) sues 王五 (defendant) at 海曙; 陈法官
presides, 赵书记员 is the clerk; 刘律师 is 王五's agent; 孙路人 is an outsider. ``session`` is
a hearing of the case scheduled four days ahead (the 3-day notice rule is met)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from microcourt.core.actor import Actor
from tests.janus_support import janus, janus_room, janus_server  # noqa: F401 - fixtures

ZHANG_ID = "330203198801021235"
WANG_ID = "330203198505051237"


def with_second_factor(user):
    """Court staff have a second factor (else every page asks them to set one up)."""
    from allauth.mfa.models import Authenticator

    Authenticator.objects.get_or_create(user=user, type=Authenticator.Type.TOTP, data={})


def verify_in_person(user, clerk_user, name: str, number: str):
    """Real-name verified in person at the court: a face-grade check, fresh now."""
    from microcourt.identity import verification

    verification.verification_in_person(
        actor=Actor(user=clerk_user, role="clerk"),
        user=user,
        id_type="resident_id",
        name=name,
        id_number=number,
    )


def age_checks(user, age: dt.timedelta) -> None:
    """Make the user's identity checks look ``age`` old (a stale face check)."""
    from microcourt.identity.models import Verification

    Verification.objects.filter(user=user).update(created_at=timezone.now() - age)


@pytest.fixture
def case(reference_data, court_haishu, plaintiff_zhang, defendant_wang, judge_chen, clerk_zhao):
    from microcourt.cases.models import Case, CaseParticipant, CaseType, StageConsent

    case = Case.objects.create(
        court=court_haishu,
        case_type=CaseType.objects.get(code="民初"),
        year=2025,
        serial=101,
        number="(2025)浙0203民初101号",
        title="张三诉王五民间借贷纠纷",
        cause="民间借贷纠纷",
        status="accepted",
        filed_by=plaintiff_zhang,
        filed_at=timezone.now(),
        accepted_at=timezone.now(),
    )
    for user, name, role in (
        (plaintiff_zhang, "张三", "plaintiff"),
        (defendant_wang, "王五", "defendant"),
        (judge_chen, "陈法官", "judge"),
        (clerk_zhao, "赵书记员", "clerk"),
    ):
        participant = CaseParticipant.objects.create(
            case=case, user=user, display_name=name, role=role
        )
        if role in ("plaintiff", "defendant"):
            # Both agreed to an online hearing (在线诉讼规则第四条); without it they attend
            # offline (hearings/tests/test_scheduling.py).
            StageConsent.objects.create(
                participant=participant, stage="hearing", online=True, source="platform"
            )
    return case


def sibling_case(case, *, serial: int, cause: str):
    """Another accepted case of the same court between the same parties before the same
    judge (for joint hearings and the cases heard with one): 张三 v 王五, ``cause``."""
    from microcourt.cases.models import Case, CaseParticipant

    other = Case.objects.create(
        court=case.court,
        case_type=case.case_type,
        year=case.year,
        serial=serial,
        number=f"({case.year})浙0203民初{serial}号",
        title=f"张三诉王五{cause}",
        cause=cause,
        status="accepted",
        filed_at=timezone.now(),
        accepted_at=timezone.now(),
    )
    for p in case.participants.filter(role__in=("plaintiff", "defendant", "judge")):
        CaseParticipant.objects.create(
            case=other, user=p.user, display_name=p.display_name, role=p.role
        )
    return other


@pytest.fixture
def judge(judge_chen, court_haishu):
    with_second_factor(judge_chen)
    return Actor(user=judge_chen, role="judge", court_id=court_haishu.pk)


@pytest.fixture
def clerk(clerk_zhao, court_haishu):
    with_second_factor(clerk_zhao)
    return Actor(user=clerk_zhao, role="clerk", court_id=court_haishu.pk)


@pytest.fixture
def zhang(plaintiff_zhang, clerk_zhao) -> Actor:
    """张三, verified in person at the court minutes ago (a fresh check)."""
    verify_in_person(plaintiff_zhang, clerk_zhao, "张三", ZHANG_ID)
    return Actor.citizen(plaintiff_zhang)


@pytest.fixture
def wang(defendant_wang, clerk_zhao) -> Actor:
    verify_in_person(defendant_wang, clerk_zhao, "王五", WANG_ID)
    return Actor.citizen(defendant_wang)


@pytest.fixture
def lawyer_liu(db, case):
    from microcourt.cases.models import CaseParticipant
    from microcourt.identity.tests.factories import UserFactory

    user = UserFactory(username="lawyer_liu", display_name="刘律师", phone="13700001111")
    wang_party = CaseParticipant.objects.get(case=case, role="defendant")
    CaseParticipant.objects.create(
        case=case, user=user, display_name="刘律师", role="agent", represents=wang_party
    )
    return Actor.citizen(user)


@pytest.fixture
def outsider(db):
    from microcourt.identity.tests.factories import UserFactory

    user = UserFactory(username="outsider_sun", display_name="孙路人", phone="13600002222")
    return Actor.citizen(user)


@pytest.fixture
def session(case, judge, django_capture_on_commit_callbacks):
    """A 开庭 of the case on the first working day the 3-day notice rule allows, 09:30,
    scheduled by the judge."""
    from microcourt.hearings.actions import scheduling

    with django_capture_on_commit_callbacks(execute=True):
        return scheduling.session_schedule(
            case=case,
            actor=judge,
            kind="hearing",
            # The first working day the 3-day notice rule allows (民事诉讼法第一百三十九条).
            starts_at=scheduling.first_allowed_start(case),
            duration_minutes=60,
        )

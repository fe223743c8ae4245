"""Personas for the service stories: 张三 sues 王五 at 海曙 (the filing stories' accepted
case); 赵书记员, on the case's panel, serves the documents; 李立案 is the court's filing
officer; 周七 is a stranger holding someone else's link; 孙调解员 is a mediator of the court
on no panel, 钱法官 a judge of another court."""

import pytest

from microcourt.core.actor import Actor
from microcourt.filing.tests.conftest import (  # noqa: F401
    WANG_ID,
    _seeded,
    draft,
    pdf_bytes,
    submitted,
    verify,
    wang,
    zhang,
)


@pytest.fixture
def case(submitted, officer_li, django_capture_on_commit_callbacks):  # noqa: F811
    """Accepted; its documents so far: the complaint (the court's notices: ``notices``)."""
    from microcourt.cases.models import Case
    from microcourt.filing import review

    with django_capture_on_commit_callbacks(execute=True):
        review.filing_accept(filing=submitted, actor=officer_li)
    submitted.refresh_from_db()
    return Case.objects.select_related("court").get(pk=submitted.case_id)


@pytest.fixture
def notices(case, run_tasks):
    """The worker has issued the court's sealed notices (受理案件通知书, 举证通知书, 收件凭证)."""
    run_tasks()
    return case


def on_panel(case, officer, user, role, name):
    """分案: the filing officer puts a person of the court on the case's panel."""
    from microcourt.cases import actions as case_actions

    case_actions.participant_add(case=case, actor=officer, role=role, user=user, display_name=name)


def staff(court, role, username, name):
    from microcourt.courts.tests.factories import StaffFactory
    from microcourt.identity.tests.test_mfa import enrol_totp

    user = StaffFactory(
        court=court, role=role, user__username=username, user__display_name=name
    ).user
    enrol_totp(user)  # past the second factor: a refusal must come from the rule
    return user


@pytest.fixture
def clerk(case, officer_li, clerk_zhao, court_haishu):
    """赵书记员 on the case's panel (分案)."""
    from microcourt.identity.tests.test_mfa import enrol_totp

    enrol_totp(clerk_zhao)  # court staff log in with a second factor
    on_panel(case, officer_li, clerk_zhao, "clerk", "赵书记员")
    return Actor(user=clerk_zhao, role="clerk", court_id=court_haishu.pk)


@pytest.fixture
def mediator_off_panel(db, court_haishu):
    """孙调解员: a mediator of the case's court, on no panel of this case."""
    return staff(court_haishu, "mediator", "mediator_sun", "孙调解员")


@pytest.fixture
def mediator_on_panel(case, officer_li, court_haishu):
    """孙调解员 again, now put on the case's panel to mediate."""
    user = staff(court_haishu, "mediator", "mediator_sun", "孙调解员")
    on_panel(case, officer_li, user, "mediator", "孙调解员")
    return user


@pytest.fixture
def judge_elsewhere(db):
    """钱法官: a judge of 鄞州 court, not of the case's court."""
    from microcourt.courts.tests.factories import CourtFactory

    other = CourtFactory(code="浙0212", name="宁波市鄞州区人民法院", level="basic")
    return staff(other, "judge", "judge_qian", "钱法官")


@pytest.fixture
def parties(case):
    from microcourt.cases.models import CaseParticipant

    return {
        p.display_name: p
        for p in CaseParticipant.objects.filter(case=case, role__in=["plaintiff", "defendant"])
    }


@pytest.fixture
def complaint(case):
    """The complaint copy, one of the case's own documents."""
    from microcourt.service import actions, selectors

    key = next(d["key"] for d in selectors.documents_to_serve(case) if "起诉状" in d["title"])
    return actions.document_of_case(case=case, key=key)


@pytest.fixture
def stranger(db, clerk_zhao):
    from microcourt.identity.tests.factories import UserFactory

    user = UserFactory(username="stranger_zhou", display_name="周七", phone="13700001111")
    verify(user, clerk_zhao, "周七", "330203198709091118")
    return Actor.citizen(user)


@pytest.fixture
def zhang_phone(plaintiff_zhang):
    """张三 logged in with a code to his mobile: the number is verified."""
    plaintiff_zhang.phone_verified = True
    plaintiff_zhang.save(update_fields=["phone_verified"])
    return plaintiff_zhang.phone

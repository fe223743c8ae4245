"""Personas for the service stories: 张三 sues 王五 at 海曙 (the filing stories' accepted
case); 赵书记员 serves the documents; 周七 is a stranger holding someone else's link."""

import pytest

from microcourt.core.actor import Actor
from microcourt.filing.tests.conftest import (  # noqa: F401
    WANG_ID,
    _seeded,
    draft,
    officer_li,
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


@pytest.fixture
def clerk(clerk_zhao, court_haishu):
    from microcourt.identity.tests.test_mfa import enrol_totp

    enrol_totp(clerk_zhao)  # court staff log in with a second factor
    return Actor(user=clerk_zhao, role="clerk", court_id=court_haishu.pk)


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

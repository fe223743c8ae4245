"""Every case-scoped page denies non-participants (ARCHITECTURE §5): a citizen who is not in
the case and a court's staff member from another court get 404 — the same answer as for
something that does not exist — on every route that names a filing, a case, a material, a
fee order or an invitation, whatever the method. The routes are read from the URL
configuration, so a new case-scoped route that is not classified here fails the test.

The API has the same proof over its OpenAPI paths in ``microcourt/filing/tests/test_api.py``.
"""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

# The filing stories' personas: 张三's draft, its submission and 李立案 of the 海曙 court.
from microcourt.filing.tests.conftest import (  # noqa: F401
    _seeded,
    draft,
    officer_li,
    pdf_bytes,
    submitted,
    verify,
    zhang,
)
from microcourt.identity.tests.test_mfa import enrol_totp

pytestmark = pytest.mark.django_db

# Route parameters that point into a case (or the filing that becomes one).
SCOPED_PARAMS = {
    "number",
    "case_id",
    "material_id",
    "token",
    "message_id",
    "build_id",
    "service_id",
}
# Routes with such a parameter that are not case-scoped, and why.
NOT_CASE_SCOPED = {
    "ledger:receipt": "public by design: a receipt proves a ledger entry to anyone",
    "ledger:receipt_json": "public by design",
    "payments_sandbox:pay": "the payment provider's own page (the sandbox provider)",
    "account_confirm_email": "allauth's e-mail confirmation key",
    "account_reset_password_from_key": "allauth's password-reset key",
    "notification_channels:aliyun_sms_report": "the SMS gateway's status reports; the token "
    "is the callback's shared secret, not a case",
}


def _routes(patterns=None, prefix="", namespace=""):
    for p in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(p, URLResolver):
            ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
            yield from _routes(p.url_patterns, prefix + str(p.pattern), ns)
        elif isinstance(p, URLPattern) and p.name:
            yield f"{namespace}{p.name}", prefix + str(p.pattern)


def scoped_routes() -> list[tuple[str, list[str]]]:
    found = []
    for name, route in _routes():
        if route.startswith("api/v1/"):
            continue
        params = re.findall(r"<(?:\w+:)?(\w+)>", route)
        if set(params) & SCOPED_PARAMS and name not in NOT_CASE_SCOPED:
            found.append((name, params))
    return found


@pytest.fixture
def world(submitted, officer_li, judge_chen, django_capture_on_commit_callbacks):  # noqa: F811
    """张三's accepted loan case: filing, case, a material, the fee order, 王五's link."""
    from microcourt.cases.models import Case
    from microcourt.core.actor import Actor
    from microcourt.filing import review
    from microcourt.notifications.models import Notification
    from microcourt.payments.models import PaymentOrder
    from microcourt.spaces import actions as space_actions

    with django_capture_on_commit_callbacks(execute=True):
        review.filing_accept(filing=submitted, actor=officer_li)
    submitted.refresh_from_db()
    case = Case.objects.get(pk=submitted.case_id)
    import datetime as dt

    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import timezone

    from microcourt.dossier import actions as dossier_actions
    from microcourt.evidence import actions as evidence_actions

    plaintiff = Actor.citizen(submitted.applicant)
    judge = Actor(user=judge_chen, role="judge", court_id=case.court_id)
    message = space_actions.message_post(case=case, actor=plaintiff, text="法官您好，证据已上传。")
    exhibit = evidence_actions.exhibit_submit(
        case=case,
        actor=plaintiff,
        upload=SimpleUploadedFile("借条.pdf", pdf_bytes("借条"), "application/pdf"),
        name="借条",
        source="被告书写",
        purpose="证明借款事实",
    )
    period = evidence_actions.cross_examination_open(
        case=case,
        actor=judge,
        exhibit_numbers=[exhibit.number],
        mode="async",
        deadline=timezone.now() + dt.timedelta(days=7),
    )
    build = dossier_actions.dossier_build(case=case, actor=judge)
    from microcourt.service import actions as service_actions
    from microcourt.service import selectors as service_selectors

    complaint = service_selectors.documents_to_serve(case)[0]
    [service] = service_actions.service_serve(
        case=case,
        actor=judge,
        recipient_ids=[p.pk for p in service_selectors.recipients(case)],
        documents=[service_actions.document_of_case(case=case, key=complaint["key"])],
    )[:1]
    sms = Notification.objects.get(event="filing.invitation", channel="sms").body
    return {
        "number": submitted.number,
        "case_id": submitted.case_id,
        "material_id": submitted.materials.first().pk,
        "token": sms.split("/cases/link/")[1].split("/")[0],
        "order": PaymentOrder.objects.get(case_id=submitted.case_id).number,
        "message_id": message.pk,
        "exhibit": exhibit.number,
        "pk": period.pk,
        "build_id": build.pk,
        "service_id": service.pk,
        "position": 0,
        "step": "parties",
    }


def url_for(name: str, params: list[str], world: dict) -> str:
    values = {p: world[p] for p in params}
    if name.startswith("pay:"):
        values["number"] = world["order"]  # fee orders are numbered by payments
    if name.startswith("evidence:") and "number" in values:
        values["number"] = world["exhibit"]  # exhibits are numbered per case
    return reverse(name, kwargs=values)


def test_the_case_scoped_routes_are_the_ones_we_know():
    names = {name for name, _params in scoped_routes()}
    assert names == {
        "filing:detail",
        "filing:step",
        "filing:receipt",
        "filing:material",
        "filing:review",
        "filing:case",
        "filing:link",
        "case_account",
        "pay:order",
        "pay:checkout",
        "pay:receipt",
        "pay:relief",
        "spaces:space",
        "spaces:export",
        "spaces:attachment",
        "evidence:list",
        "evidence:exhibit",
        "evidence:file",
        "evidence:preview",
        "evidence:objection",
        "evidence:original",
        "evidence:court_only",
        "evidence:xexam_open",
        "evidence:xexam",
        "evidence:xexam_mode",
        "evidence:matrix",
        "dossier:dossier",
        "dossier:new",
        "dossier:pdf",
        "service:case",
        "service:address",
        "service:detail",
        "service:document",
        "service:certificate",
        "service:settle",
        "service:link",
    }, "classify the new route: case-scoped (tested here) or NOT_CASE_SCOPED with a reason"


def _outsiders(court_factory, staff_factory, user_factory, clerk_zhao):
    citizen = user_factory(username="outsider_zhou", display_name="周七")
    verify(citizen, clerk_zhao, "周七", "330203198709091118")
    other_court = court_factory(code="浙0212", name="宁波市鄞州区人民法院", level="basic")
    officer = staff_factory(court=other_court, role="filing_officer").user
    enrol_totp(officer)
    return {"citizen": citizen, "another court's officer": officer}


@pytest.mark.parametrize("method", ["get", "post"])
def test_outsiders_get_404_on_every_case_scoped_route(client, world, clerk_zhao, method):
    from microcourt.courts.tests.factories import CourtFactory, StaffFactory
    from microcourt.identity.tests.factories import UserFactory

    outsiders = _outsiders(CourtFactory, StaffFactory, UserFactory, clerk_zhao)
    for who, user in outsiders.items():
        client.force_login(user)
        for name, params in scoped_routes():
            url = url_for(name, params, world)
            if name in ("filing:link", "service:link"):
                # The SMS link itself is the defendant's: holding it shows what the SMS already
                # said; linking needs the named person's verified identity (tested in
                # test_acceptance). Without the token there is nothing.
                url = reverse(name, kwargs={"token": "not-the-token"})
            response = getattr(client, method)(url)
            # 405 (a method the route never takes) is answered before any lookup, alike for
            # every number, so it tells nothing either.
            assert response.status_code in (404, 405), (who, method, url, response.status_code)

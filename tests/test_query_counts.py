"""SQL statements per request of every list page and list endpoint, pinned (ARCHITECTURE §4.8,
NetBox's query counts): each is measured with 1 item and again with 20, the two counts must be
equal — a statement per row (an N+1) would make a busy court's pages and polls grow with its
cases — and within the pin. A pin is lowered when a change saves a statement, and raised only
with a reason in the commit.

Each request is made once before it is counted: per-process caches (the court calendar, the
case's QR code) and the session's refresh mark are filled on a first view, not on every view.
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from microcourt.cases import actions as case_actions
from microcourt.cases.tests.test_api import bearer
from microcourt.core.actor import Actor, actor_for

# Case types and causes are migration data; a transactional test elsewhere may have flushed them.
from microcourt.filing.tests.conftest import _seeded  # noqa: F401

pytestmark = pytest.mark.django_db

PINS = {
    # session, user, court roles, unread badge, cases, filing drafts
    "my cases page": 6,
    # token and user, court roles, the page of cases with their courts and types
    "GET /api/v1/cases": 3,
    # session, user, court roles, case, standing, court, filing, milestones, fees, parties,
    # unread badge
    "case page": 11,
    # token, court roles, case, standing, parties, fees, evidence periods, services, the
    # case with its court and type, milestones
    "GET /api/v1/cases/{id}": 10,
    # token, court roles, case, standing, threads, messages
    "GET /api/v1/cases/{id}/space/messages": 6,
    "filing desk": 14,
}
FEW, MANY = 1, 20


def statements(client, url: str, **extra) -> list[str]:
    client.get(url, **extra)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, **extra)
    assert response.status_code == 200, (url, response.status_code)
    return [q["sql"] for q in queries.captured_queries]


def assert_constant(name: str, few: list[str], many: list[str]) -> None:
    shown = "\n".join(sql[:200] for sql in many)
    assert len(few) == len(many), (
        f"{name}: {len(few)} statements with {FEW} item(s), {len(many)} with {MANY}:\n{shown}"
    )
    assert len(many) <= PINS[name], f"{name}: {len(many)} statements, pinned at {PINS[name]}"


@pytest.fixture
def civil(db):
    from microcourt.cases.models import CaseType

    return CaseType.objects.get_or_create(code="民初", defaults={"name": "民事一审"})[0]


@pytest.fixture
def officer(court_haishu):
    """The court's filing officer (with a second factor, as staff must have for pages)."""
    from allauth.mfa.models import Authenticator

    from microcourt.courts.tests.factories import StaffFactory

    user = StaffFactory(court=court_haishu, role="filing_officer", user__username="officer_li").user
    Authenticator.objects.create(user=user, type=Authenticator.Type.TOTP, data={})
    return actor_for(user)


def open_case(court, civil, plaintiff, officer, i: int):
    zhang = Actor.citizen(plaintiff)
    case = case_actions.case_open(
        court=court,
        case_type=civil,
        title=f"张三诉当事人{i}民间借贷纠纷",
        cause="民间借贷纠纷",
        actor=zhang,
        filed_at=dt.datetime(2026, 3, 2, tzinfo=dt.UTC) + dt.timedelta(hours=i),
    )
    case_actions.participant_add(
        case=case, actor=officer, role="plaintiff", user=plaintiff, display_name="张三"
    )
    return case


def add_party(case, officer, i: int) -> None:
    from microcourt.identity.tests.factories import UserFactory

    case_actions.participant_add(
        case=case,
        actor=officer,
        role="defendant",
        user=UserFactory(display_name=f"被告{i}"),
        display_name=f"被告{i}",
    )


def add_fee(case, plaintiff, court, i: int) -> None:
    from microcourt.payments import actions as payment_actions

    payment_actions.order_create(
        payer=plaintiff,
        kind="acceptance" if i == 0 else "other",
        amount=Decimal("50.00") + i,
        description="诉讼费用",
        actor=Actor.system("test"),
        case_id=case.pk,
        court=court,
    )


def test_my_cases(client, court_haishu, civil, plaintiff_zhang, officer):
    client.force_login(plaintiff_zhang)
    script, headers = Client(), bearer(plaintiff_zhang)  # an API client: a token, no session
    made = [open_case(court_haishu, civil, plaintiff_zhang, officer, 0)]
    page_few = statements(client, reverse("my_cases"))
    api_few = statements(script, "/api/v1/cases", **headers)
    made += [open_case(court_haishu, civil, plaintiff_zhang, officer, i) for i in range(1, MANY)]
    page_many = statements(client, reverse("my_cases"))
    api = script.get("/api/v1/cases", **headers).json()
    api_many = statements(script, "/api/v1/cases", **headers)

    assert len(api["items"]) == MANY == len(made)
    assert_constant("my cases page", page_few, page_many)
    assert_constant("GET /api/v1/cases", api_few, api_many)


def test_one_case(client, court_haishu, civil, plaintiff_zhang, officer):
    case = open_case(court_haishu, civil, plaintiff_zhang, officer, 0)
    add_party(case, officer, 0)
    add_fee(case, plaintiff_zhang, court_haishu, 0)
    client.force_login(plaintiff_zhang)
    script, headers = Client(), bearer(plaintiff_zhang)
    page, api = reverse("filing:case", args=[case.pk]), f"/api/v1/cases/{case.pk}"
    page_few, api_few = statements(client, page), statements(script, api, **headers)
    for i in range(1, MANY):
        add_party(case, officer, i)
        add_fee(case, plaintiff_zhang, court_haishu, i)
    shown = script.get(api, **headers).json()
    page_many, api_many = statements(client, page), statements(script, api, **headers)

    assert len(shown["parties"]) == MANY + 1 and len(shown["deadlines"]) == MANY
    assert_constant("case page", page_few, page_many)
    assert_constant("GET /api/v1/cases/{id}", api_few, api_many)


def test_space_messages(client, court_haishu, civil, plaintiff_zhang, officer):
    from microcourt.spaces import actions as space_actions

    case = open_case(court_haishu, civil, plaintiff_zhang, officer, 0)
    zhang = actor_for(plaintiff_zhang)
    headers = bearer(plaintiff_zhang)
    url = f"/api/v1/cases/{case.pk}/space/messages"

    def post(i):
        space_actions.message_post(case=case, actor=zhang, text=f"第{i}条")

    post(0)
    few = statements(client, url, **headers)
    for i in range(1, MANY):
        post(i)
    assert len(client.get(url, **headers).json()) == MANY
    many = statements(client, url, **headers)
    assert_constant("GET /api/v1/cases/{id}/space/messages", few, many)


@pytest.fixture
def filings(court_haishu, plaintiff_zhang, clerk_zhao, django_capture_on_commit_callbacks):
    """Submit filings of 张三's loan claim to the 海曙 court, ``n`` at a time."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from microcourt.filing import actions, submission
    from microcourt.filing.models import CauseOfAction
    from microcourt.filing.tests.conftest import ZHANG_ID, pdf_bytes, verify

    verify(plaintiff_zhang, clerk_zhao, "张三", ZHANG_ID)
    zhang = Actor.citizen(plaintiff_zhang)
    pdf = pdf_bytes()
    cause = CauseOfAction.objects.get(name="民间借贷纠纷")

    def submit(n: int) -> None:
        for i in range(n):
            filing = actions.filing_start(actor=zhang)
            actions.filing_update(
                filing=filing,
                actor=zhang,
                changes={
                    "court": court_haishu.code,
                    "cause": cause.pk,
                    "facts": "2025年1月1日，被告向原告借款50000元，至今未还。",
                    "consent": {"mediation": True, "hearing": True, "service": True},
                },
            )
            actions.party_save(
                filing=filing,
                actor=zhang,
                side="claimant",
                data={"self": True, "address": "浙江省宁波市海曙区中山西路1号",
                      "service_address_confirmed": True},
            )  # fmt: skip
            actions.party_save(
                filing=filing,
                actor=zhang,
                side="respondent",
                data={"name": f"王{i}", "id_number": "330203198505051237",
                      "phone": "13933334444", "address": "浙江省宁波市鄞州区天童南路2号"},
            )  # fmt: skip
            actions.claim_save(filing=filing, actor=zhang, text="判令被告还款", amount="50000")
            actions.material_add(
                filing=filing,
                actor=zhang,
                kind="complaint",
                upload=SimpleUploadedFile("起诉状.pdf", pdf, "application/pdf"),
            )
            filing.refresh_from_db()
            with django_capture_on_commit_callbacks(execute=True):
                submission.filing_submit(filing=filing, actor=zhang)

    return submit


def test_filing_desk(client, officer, filings):
    """The filing officer's queue (立案审查), by the legal clock."""
    client.force_login(officer.user)
    url = reverse("filing:desk")
    filings(FEW)
    few = statements(client, url)
    filings(MANY - FEW)
    assert client.get(url).content.decode().count("王") >= MANY
    many = statements(client, url)
    assert_constant("filing desk", few, many)

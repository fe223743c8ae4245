"""The cases API as a law firm's software or the mini-program uses it: 我的案件 and one case
with its people, fees and milestones; a case is "not found" to anyone without standing on it,
whatever court they work at (ADR 0001)."""

import datetime as dt
import secrets
from decimal import Decimal

import pytest
from django.utils import timezone

from microcourt.cases import actions
from microcourt.core.actor import actor_for


def bearer(user) -> dict:
    """Headers with a live bearer token of ``user`` (made directly: staff tokens need a
    second factor at the token endpoint, which is not what these stories are about)."""
    from microcourt.identity.models import ApiToken

    key = "mc_" + secrets.token_urlsafe(32)
    ApiToken.objects.create(
        user=user,
        prefix=key[3:11],
        key_hash=ApiToken.hash_key(key),
        expires_at=timezone.now() + dt.timedelta(days=1),
    )
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


@pytest.fixture
def outsider_zhou(db):
    from microcourt.identity.tests.factories import UserFactory

    return UserFactory(username="outsider_zhou", display_name="周七", phone="13600002222")


@pytest.fixture
def judge_of_another_court(db):
    from microcourt.courts.tests.factories import CourtFactory, StaffFactory

    yinzhou = CourtFactory(code="浙0212", name="宁波市鄞州区人民法院")
    return StaffFactory(court=yinzhou, role="filing_officer", user__username="officer_yin").user


@pytest.fixture
def heard_case(loan_case, officer_li, judge_chen):
    """The loan case with 陈法官 put on its panel by the filing division (分案)."""
    actions.participant_add(
        case=loan_case, actor=officer_li, role="judge", user=judge_chen, display_name="陈法官"
    )
    return loan_case


def test_my_cases_are_the_cases_i_take_part_in_newest_first(
    client, open_case, loan_case, plaintiff_zhang, defendant_wang, zhang, filed_2026
):
    later = open_case(title="张三诉赵六买卖合同纠纷", filed_at=filed_2026 + dt.timedelta(days=3))

    mine = client.get("/api/v1/cases", **bearer(plaintiff_zhang)).json()
    assert [c["id"] for c in mine["items"]] == [later.pk, loan_case.pk]
    assert mine["next_page"] is None
    assert mine["items"][1]["court"]["name"] == "宁波市海曙区人民法院"
    assert mine["items"][1]["status_label"] == "已登记"

    theirs = client.get("/api/v1/cases", **bearer(defendant_wang)).json()
    assert [c["id"] for c in theirs["items"]] == [loan_case.pk]


def test_my_cases_come_a_page_at_a_time(client, open_case, plaintiff_zhang, filed_2026):
    made = [open_case(filed_at=filed_2026 + dt.timedelta(days=i)) for i in range(3)]
    headers = bearer(plaintiff_zhang)

    first = client.get("/api/v1/cases?page_size=2", **headers).json()
    second = client.get("/api/v1/cases?page_size=2&page=2", **headers).json()

    assert [c["id"] for c in first["items"]] == [made[2].pk, made[1].pk]
    assert first["next_page"] == 2
    assert [c["id"] for c in second["items"]] == [made[0].pk]
    assert second["next_page"] is None
    exactly = client.get("/api/v1/cases?page_size=3", **headers).json()
    assert len(exactly["items"]) == 3 and exactly["next_page"] is None


def test_a_page_size_past_the_limit_is_refused_naming_the_field(client, plaintiff_zhang):
    response = client.get("/api/v1/cases?page_size=500", **bearer(plaintiff_zhang))
    assert response.status_code == 400
    assert "page_size" in response.json()["error"]["fields"]


def test_someone_with_no_cases_gets_an_empty_list(client, loan_case, outsider_zhou):
    listed = client.get("/api/v1/cases", **bearer(outsider_zhou)).json()
    assert listed["items"] == [] and listed["next_page"] is None


def test_the_case_shows_its_parties_panel_fee_and_milestones(
    client, heard_case, plaintiff_zhang, officer_li, court_haishu
):
    from microcourt.payments import actions as payment_actions

    order = payment_actions.order_create(
        payer=plaintiff_zhang,
        kind="acceptance",
        amount=Decimal("1050.00"),
        description="案件受理费",
        actor=officer_li,
        case_id=heard_case.pk,
        court=court_haishu,
    )

    response = client.get(f"/api/v1/cases/{heard_case.pk}", **bearer(plaintiff_zhang))

    assert response.status_code == 200
    case = response.json()
    assert case["title"] == "张三诉王五民间借贷纠纷" and case["status"] == "filed"
    assert [(p["name"], p["role_label"]) for p in case["parties"]] == [
        ("张三", "原告"),
        ("王五", "被告"),
    ]
    assert case["panel"] == [{"name": "陈法官", "role": "judge", "role_label": "承办法官"}]
    assert case["my_roles"] == ["plaintiff"] and case["acting_as"] == "citizen"
    (fee,) = case["deadlines"]
    assert fee["kind"] == "fee" and fee["mine"] is True
    assert fee["due_date"] == order.due_date.isoformat() and fee["status"] == "pending"
    assert case["next_events"] == [fee]  # unpaid and due ahead
    labels = [m["label"] for m in case["milestones"]]
    assert labels[0] == "登记案件" and "生成缴费单" in labels
    # The parties' numbers never leave in this shape (the case page shows none either).
    assert "13811112222" not in response.content.decode()
    assert "13933334444" not in response.content.decode()


def test_the_panel_judge_sees_the_case_acting_as_judge(client, heard_case, judge_chen):
    case = client.get(f"/api/v1/cases/{heard_case.pk}", **bearer(judge_chen)).json()
    assert case["acting_as"] == "judge" and case["my_roles"] == ["judge"]


def test_the_filing_officer_of_the_court_sees_every_case_there(client, loan_case, officer_li):
    response = client.get(f"/api/v1/cases/{loan_case.pk}", **bearer(officer_li.user))
    assert response.status_code == 200 and response.json()["acting_as"] == "filing_officer"
    listed = client.get("/api/v1/cases", **bearer(officer_li.user)).json()
    assert [c["id"] for c in listed["items"]] == [loan_case.pk]


@pytest.mark.parametrize("who", ["outsider", "off_panel_clerk", "off_panel_judge", "other_court"])
def test_a_case_is_not_found_to_anyone_without_standing(
    client, heard_case, who, outsider_zhou, clerk_zhao, judge_of_another_court, court_haishu
):
    """Staff of the same court who are not on the panel, and staff of another court, are
    told exactly what someone asking for a case that does not exist is told."""
    from microcourt.courts.tests.factories import StaffFactory

    caller = {
        "outsider": outsider_zhou,
        "off_panel_clerk": clerk_zhao,
        "off_panel_judge": StaffFactory(court=court_haishu, role="judge").user,
        "other_court": judge_of_another_court,
    }[who]
    headers = bearer(caller)

    hidden = client.get(f"/api/v1/cases/{heard_case.pk}", **headers)
    absent = client.get("/api/v1/cases/987654321", **headers)

    assert hidden.status_code == absent.status_code == 404
    assert hidden.json() == absent.json()
    assert heard_case.title not in hidden.content.decode()
    listed = client.get("/api/v1/cases", **headers).json()
    assert heard_case.pk not in [c["id"] for c in listed["items"]]


def test_without_a_token_the_cases_api_asks_to_log_in(client, loan_case):
    assert client.get("/api/v1/cases").status_code == 401
    assert client.get(f"/api/v1/cases/{loan_case.pk}").status_code == 401


def test_chat_messages_do_not_grow_the_milestones(client, heard_case, plaintiff_zhang):
    from microcourt.spaces import actions as space_actions

    headers = bearer(plaintiff_zhang)
    before = client.get(f"/api/v1/cases/{heard_case.pk}", **headers).json()["milestones"]
    for i in range(3):
        space_actions.message_post(
            case=heard_case, actor=actor_for(plaintiff_zhang), text=f"补充说明{i}"
        )
    after = client.get(f"/api/v1/cases/{heard_case.pk}", **headers).json()["milestones"]
    assert after == before


def test_every_milestone_names_a_declared_ledger_event():
    """The table names other apps' events by name (they sit above cases): a renamed or
    removed event must fail here, not silently drop from every timeline."""
    from microcourt.cases.milestones import MILESTONES, milestone_codes
    from microcourt.ledger.events import registry

    declared = {(e.app, e.name) for e in registry()}
    named = {(app, name) for app, names in MILESTONES.items() for name in names}
    assert named - declared == set()
    assert len(milestone_codes()) == len(named)


def test_a_case_number_past_any_key_is_simply_not_found(client, plaintiff_zhang):
    response = client.get(f"/api/v1/cases/{10**20}", **bearer(plaintiff_zhang))
    assert response.status_code == 404

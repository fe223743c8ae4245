"""Court codes (案号规定 Arts 4–5), the seed data, and 法院导航 pages and API."""

import json
from urllib.parse import quote

import pytest

from microcourt.core.actor import Actor
from microcourt.core.errors import InvalidInput
from microcourt.courts import actions, codes
from microcourt.courts.models import Court, Level

SEED = json.loads(actions.SEED_PATH.read_text(encoding="utf-8"))
PROVINCES = set("京津冀晋内辽吉黑沪苏浙皖闽赣鲁豫鄂湘粤桂琼渝川黔云藏陕甘青宁新")


@pytest.mark.parametrize(
    ("code", "level", "parent"),
    [
        ("最高法", "supreme", None),
        ("浙", "high", "最高法"),
        ("兵", "high", "最高法"),
        ("浙02", "intermediate", "浙"),
        ("浙72", "intermediate", "浙"),
        ("浙0203", "basic", "浙02"),
        ("粤0192", "basic", "粤01"),
        ("粤7101", "basic", "粤71"),
    ],
)
def test_valid_codes(code, level, parent):
    codes.validate(code, level=level, parent_code=parent)


@pytest.mark.parametrize(
    ("code", "level", "parent"),
    [
        ("最高院", "supreme", None),
        ("浙江", "high", "最高法"),
        ("X", "high", "最高法"),
        ("浙2", "intermediate", "浙"),
        ("粤02", "intermediate", "浙"),
        ("浙203", "basic", "浙02"),
        ("浙0103", "basic", "浙02"),
        ("浙0203", "basic", None),
    ],
)
def test_invalid_codes_are_refused_naming_the_code(code, level, parent):
    with pytest.raises(InvalidInput) as caught:
        codes.validate(code, level=level, parent_code=parent)
    assert "code" in caught.value.fields


def test_the_seed_has_every_high_court_including_the_xpcc_branch():
    highs = {row["code"] for row in SEED if row["level"] == "high"}
    assert PROVINCES | {"兵"} <= highs
    assert {row["code"] for row in SEED if row["level"] == "supreme"} == {"最高法"}


def test_the_seed_has_the_demo_and_pilot_courts():
    by_code = {row["code"]: row for row in SEED}
    assert by_code["浙0203"]["name"] == "宁波市海曙区人民法院"
    assert by_code["浙0192"]["specialty"] == "internet"
    assert by_code["粤0192"]["specialty"] == "internet"
    assert by_code["浙72"]["specialty"] == "maritime"
    ningbo_basic = [r for r in SEED if r["parent"] == "浙02" and r["level"] == "basic"]
    guangzhou_basic = [
        r for r in SEED if r["parent"] == "粤01" and r["level"] == "basic" and r["specialty"] == ""
    ]
    assert len(ningbo_basic) >= 10 and len(guangzhou_basic) == 11


@pytest.mark.django_db
def test_loading_the_seed_validates_every_code_and_is_idempotent():
    system = Actor.system("test")
    actions.court_seed_load(actor=system)
    count = Court.objects.count()
    haishu = Court.objects.get(code="浙0203")
    haishu.phone = "0574-00000000"  # an administrator's correction
    haishu.save()
    actions.court_seed_load(actor=system)
    assert Court.objects.count() == count == len(SEED)
    assert Court.objects.get(code="浙0203").phone == "0574-00000000"
    assert haishu.parent.code == "浙02" and haishu.parent.parent.code == "浙"
    assert haishu.divisions.filter(kind="filing").exists()


@pytest.fixture
def seeded(db):
    actions.court_seed_load(actor=Actor.system("test"))


def test_browse_province_then_city_then_court(client, seeded):
    page = client.get("/courts/").content.decode()
    assert "浙江省" in page and "广东省" in page and "最高人民法院" in page
    page = client.get("/courts/?province=" + quote("浙江省")).content.decode()
    assert "宁波市" in page and "杭州市" in page
    page = client.get(
        "/courts/?province=" + quote("浙江省") + "&city=" + quote("宁波市")
    ).content.decode()
    assert "宁波市海曙区人民法院" in page and "宁波海事法院" in page
    detail = client.get("/courts/" + quote("浙0203") + "/")
    assert detail.status_code == 200
    assert "uri.amap.com" in detail.content.decode()


def test_search_finds_courts_by_name_and_htmx_gets_only_the_results(client, seeded):
    full = client.get("/courts/?q=" + quote("海曙"))
    assert "宁波市海曙区人民法院" in full.content.decode()
    fragment = client.get("/courts/?q=" + quote("海曙"), HTTP_HX_REQUEST="true").content.decode()
    assert "宁波市海曙区人民法院" in fragment and "<html" not in fragment


def test_an_unknown_court_page_is_404(client, seeded):
    assert client.get("/courts/" + quote("浙9999") + "/").status_code == 404


def test_courts_api_filters_and_pins_its_query_count(client, seeded, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        response = client.get(
            "/api/v1/courts", {"province": "广东省", "city": "广州市", "level": "basic"}
        )
    items = response.json()["items"]
    assert {"粤0103", "粤0106", "粤0192"} <= {i["code"] for i in items}
    assert all(i["parent"] for i in items)


def test_courts_api_detail_and_unknown_code(client, seeded):
    court = client.get("/api/v1/courts/" + quote("浙0192")).json()
    assert court["name"] == "杭州互联网法院" and court["parent"] == "浙01"
    missing = client.get("/api/v1/courts/" + quote("浙9999"))
    assert missing.status_code == 404
    assert "浙9999" in missing.json()["error"]["message"]


def test_court_calendar_includes_the_courts_closures(seeded):
    import datetime as dt

    from microcourt.courts import selectors

    court = Court.objects.get(code="浙0203")
    actions.court_closure_add(
        court=court,
        date=dt.date(2026, 11, 9),
        reason="台风“梅花”停止办公",
        actor=Actor.system("test"),
    )
    assert not selectors.court_calendar(court).is_working_day(dt.date(2026, 11, 9))
    assert selectors.court_calendar(Court.objects.get(code="浙0205")).is_working_day(
        dt.date(2026, 11, 9)
    )
    with pytest.raises(InvalidInput):
        actions.court_closure_add(
            court=court, date=dt.date(2026, 11, 10), reason=" ", actor=Actor.system("test")
        )


def test_staff_actor_carries_role_and_court(judge_chen, court_haishu):
    from microcourt.core.errors import NotFound
    from microcourt.courts import selectors

    actor = selectors.staff_actor(judge_chen, court=court_haishu)
    assert actor.role == "judge" and actor.court_id == court_haishu.pk
    with pytest.raises(NotFound):
        selectors.staff_actor(judge_chen, role="clerk")
    assert court_haishu.level == Level.BASIC

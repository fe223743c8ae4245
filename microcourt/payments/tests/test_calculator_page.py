"""诉讼费计算, the public page: no log-in, works without JavaScript, htmx fragments, errors on
the field, and English wherever the interface (not the data) speaks."""

import re

import pytest

pytestmark = pytest.mark.django_db

HAN = re.compile(r"[\u4e00-\u9fff]")


def test_anyone_opens_the_calculator(client):
    page = client.get("/fees/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "诉讼费计算" in html
    for name in ("kind", "category", "amount", "procedure", "closure", "province"):
        assert f'name="{name}"' in html
    assert 'method="get"' in html  # a plain form: works without JavaScript
    assert "应交纳" not in html  # nothing computed yet


def test_the_home_grid_links_to_the_calculator(client):
    html = client.get("/").content.decode()
    tile = re.search(r'<a class="weui-grid"[^>]*href="([^"]+)"[^>]*data-service="fees"', html)
    assert tile and tile.group(1) == "/fees/"


def test_the_page_computes_with_breakdown_basis_and_the_amount_in_words(client):
    html = client.get(
        "/fees/",
        {
            "kind": "acceptance",
            "category": "property",
            "amount": "50000",
            "procedure": "summary",
            "closure": "mediation",
            "province": "浙",
        },
    ).content.decode()
    assert "¥525.00" in html
    assert "伍佰贰拾伍元整" in html  # the total in 大写
    assert "伍万元整" in html  # the amount typed, in 大写
    assert "10,000至50,000元部分 × 2.5%" in html
    assert "−¥525.00" in html  # the one halving
    assert "《诉讼费用交纳办法》第十六条" in html
    assert "第二百零六条" in html
    assert 'value="50000"' in html  # what was typed stays in the box


def test_an_htmx_request_gets_the_fragment_only(client):
    fragment = client.get(
        "/fees/", {"kind": "enforcement", "amount": "500000"}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "<html" not in fragment and 'id="fee-panel"' in fragment
    assert "¥7,400.00" in fragment


@pytest.mark.parametrize(
    "params, field, reason",
    [
        (
            {"kind": "acceptance", "category": "property", "amount": "-1"},
            "amount",
            "金额不能为负数",
        ),
        ({"kind": "acceptance", "category": "property", "amount": ""}, "amount", "须填写"),
        ({"kind": "acceptance", "category": "property", "amount": "abc"}, "amount", "请输入数字"),
        ({"kind": "acceptance", "category": "", "amount": "100"}, "category", "请选择案件类别"),
        ({"kind": "bankruptcy", "amount": ""}, "amount", "破产财产总额"),
        ({"kind": "enforcement", "procedure": "summary"}, "procedure", "申请费不适用"),
        ({"kind": "nope"}, "kind", ""),
    ],
)
def test_errors_appear_on_their_field_in_chinese(client, params, field, reason):
    html = client.get("/fees/", params).content.decode()
    error = re.search(rf'<p class="mc-error" id="{field}-error">([^<]+)</p>', html)
    assert error, html
    assert reason in error.group(1) and HAN.search(error.group(1))
    assert "应交纳" not in html  # nothing computed


def test_the_amount_in_words_as_it_is_typed(client):
    assert "壹万贰仟元伍角" in client.get("/fees/words/", {"amount": "12000.50"}).content.decode()
    refusal = client.get("/fees/words/", {"amount": "-3"}).content.decode()
    assert "金额不能为负数" in refusal
    assert 'id="amount-words"' in client.get("/fees/words/").content.decode()


def without_data(html: str) -> str:
    """The page's words, without the parts that are data (大写 amounts are Chinese by law,
    marked lang="zh-CN") and without the language switch (中文, on purpose)."""
    html = re.sub(r'<([a-z]+)[^>]*lang="zh-CN"[^>]*>.*?</\1>', " ", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html).replace("中文", "")


@pytest.mark.parametrize(
    "params",
    [
        {},
        {
            "kind": "acceptance",
            "category": "property",
            "amount": "100000",
            "procedure": "summary",
            "closure": "mediation",
            "province": "浙",
        },
        {"kind": "acceptance", "category": "divorce", "amount": "300000", "province": "浙"},
        {"kind": "acceptance", "category": "other", "province": "苏", "procedure": "small_claims"},
        {"kind": "bankruptcy", "amount": "1000000000"},
        {"kind": "preservation", "amount": "2000000"},
        {"kind": "acceptance", "category": "property", "amount": "-1"},
        {"kind": "enforcement", "closure": "mediation"},
    ],
)
def test_the_english_page_has_no_untranslated_chinese(client, params):
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = client.get("/fees/", params).content.decode()
    text = without_data(html)
    assert not HAN.search(text), HAN.findall(text)[:40]

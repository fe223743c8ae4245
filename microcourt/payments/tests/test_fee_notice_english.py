"""The fee notice read in English: an order keeps its breakdown and basis as the fee engine
wrote them when it was made (in Chinese); read after switching to English, every line and
every article is said in English. Only data stays as it is (the case number and title)."""

import re

import pytest
from django.urls import reverse
from django.utils import translation

from microcourt.core.actor import Actor
from microcourt.payments import actions, fees

pytestmark = pytest.mark.django_db

HAN = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(autouse=True)
def _sandbox_records(settings, tmp_path):
    settings.DATA_DIR = tmp_path


def order_as_acceptance_makes_it(payer, court, **case):
    """As filing's acceptance does: the quote's texts stored as Chinese strings."""
    with translation.override("zh-hans"):
        quote = fees.quote(**case)
        return actions.order_create(
            payer=payer,
            kind="acceptance",
            amount=quote.amount,
            court=court,
            description="（2026）浙0203民初1号 张三诉李四民间借贷纠纷",
            actor=Actor.system("fee notice"),
            breakdown=[{"label": str(x.label), "amount": str(x.amount)} for x in quote.breakdown],
            basis=[str(b) for b in quote.basis],
            case_id=42,
        )


@pytest.mark.parametrize(
    "case",
    [
        {"kind": "acceptance", "category": "property", "amount": "250000",
         "procedure": "summary", "province": "浙"},
        {"kind": "acceptance", "category": "divorce", "amount": "300000", "province": "浙"},
        {"kind": "acceptance", "category": "ip", "province": "苏"},
    ],
)  # fmt: skip
def test_the_fee_notice_in_english_says_every_line_and_article_in_english(
    client, plaintiff_zhang, court_haishu, case
):
    order = order_as_acceptance_makes_it(plaintiff_zhang, court_haishu, **case)
    assert HAN.search(order.breakdown[0]["label"])  # stored as written, in Chinese
    client.force_login(plaintiff_zhang)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = client.get(reverse("pay:order", args=[order.number])).content.decode()
    # Data stays: the case's number and title, and the 大写 amount (Chinese by law, marked
    # lang="zh-CN"); the language switch names 中文 in Chinese on purpose.
    html = re.sub(r'<([a-z]+)[^>]*lang="zh-CN"[^>]*>.*?</\1>', " ", html, flags=re.S)
    text = re.sub(r"<[^>]+>", " ", html).replace(order.description, "").replace("中文", "")
    assert not HAN.search(text), re.findall(r"\S*[\u4e00-\u9fff]+\S*", text)[:20]
    assert "Art. 13" in text or "Article 13" in text or "Measures" in text


def test_in_chinese_the_notice_shows_the_texts_as_stored(client, plaintiff_zhang, court_haishu):
    order = order_as_acceptance_makes_it(
        plaintiff_zhang, court_haishu, kind="acceptance", category="property", amount="250000"
    )
    client.force_login(plaintiff_zhang)
    html = client.get(reverse("pay:order", args=[order.number])).content.decode()
    for line in order.breakdown:
        assert line["label"] in html
    assert order.basis[0] in html

"""Chinese by default; English complete wherever the interface (not the data) speaks."""

import re
import subprocess
from pathlib import Path

import pytest

PO = Path(__file__).resolve().parent.parent / "microcourt/locale/en/LC_MESSAGES/django.po"
HAN = re.compile(r"[\u4e00-\u9fff]")


def test_the_english_catalogue_has_no_untranslated_or_fuzzy_entries():
    result = subprocess.run(
        ["msgfmt", "--check", "--statistics", "-o", "/dev/null", str(PO)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "untranslated" not in result.stderr and "fuzzy" not in result.stderr, result.stderr


@pytest.mark.django_db
def test_pages_open_in_chinese_whatever_the_browser_asks(client):
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert page["Content-Language"] == "zh-hans"
    assert "我要立案" in page.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/", "/accounts/login/", "/services/file/", "/courts/"])
def test_english_pages_carry_no_untranslated_chinese(client, path):
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = client.get(path).content.decode()
    # The language switch names Chinese in Chinese (中文) on purpose; everything else is English.
    text = re.sub(r"<[^>]+>", " ", html).replace("中文", "")
    assert not HAN.search(text), HAN.findall(text)[:20]


@pytest.mark.django_db
def test_api_errors_follow_the_language(client):
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    message = client.get("/api/v1/me").json()["error"]["message"]
    assert not HAN.search(message)


def _english_text(html: str, *data: str) -> str:
    """The page's words: without tags, the 大写 amounts (Chinese by law, lang="zh-CN"), the
    language switch (中文, on purpose) and the given data (names, numbers, addresses)."""
    html = re.sub(r'<([a-z]+)[^>]*lang="zh-CN"[^>]*>.*?</\1>', " ", html, flags=re.S)
    text = re.sub(r"<[^>]+>", " ", html).replace("中文", "")
    for item in data:
        text = text.replace(item, "")
    return text


@pytest.mark.django_db
def test_a_signed_in_persons_english_pages_carry_no_untranslated_chinese(
    client, plaintiff_zhang, court_haishu, settings, tmp_path
):
    """Messages stored while Chinese was active, a fee notice and one's orders, read after
    switching to English."""
    from decimal import Decimal

    from django.utils import translation

    from microcourt.core.actor import Actor
    from microcourt.core.money import in_words
    from microcourt.notifications import actions as notifications
    from microcourt.payments import actions as payments
    from microcourt.payments import fees

    settings.DATA_DIR = tmp_path
    with translation.override("zh-hans"):
        quote = fees.quote(kind="acceptance", category="property", amount=Decimal("250000"))
        order = payments.order_create(
            payer=plaintiff_zhang, kind="acceptance", amount=quote.amount,
            court=court_haishu, description="（2026）浙0203民初1号", actor=Actor.system("t"),
            breakdown=[{"label": str(x.label), "amount": str(x.amount)} for x in quote.breakdown],
            basis=[str(b) for b in quote.basis], case_id=1,
        )  # fmt: skip
        notifications.notify(
            recipient=plaintiff_zhang, event="filing.accepted", idempotency_key="i18n:1",
            params={"c": court_haishu.name, "no": "（2026）浙0203民初1号"},
        )  # fmt: skip
    client.force_login(plaintiff_zhang)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    # Data: the case number, the court, and the 大写 amount the fee message carries.
    words = in_words(order.amount)
    data = (order.description, court_haishu.name, court_haishu.display_name, words)
    for path in ["/inbox/", "/payments/orders/", f"/payments/orders/{order.number}/"]:
        text = _english_text(client.get(path).content.decode(), *data)
        assert not HAN.search(text), (path, re.findall(r"\S*[\u4e00-\u9fff]+\S*", text)[:20])


@pytest.mark.django_db
def test_a_courts_office_hours_are_told_in_english(client, court_haishu):
    court_haishu.hours = "周一至周五 上午8:30-12:00 下午14:30-17:30"
    court_haishu.hours_en = "Monday to Friday, 8:30-12:00 and 14:30-17:30"
    court_haishu.save()
    page = f"/courts/{court_haishu.code}/"
    assert court_haishu.hours in client.get(page).content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = client.get(page).content.decode()
    assert court_haishu.hours_en in html and court_haishu.hours not in html

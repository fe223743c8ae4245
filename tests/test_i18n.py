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

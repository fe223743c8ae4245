"""Issue 15 (progress): a page that is waiting for something updates itself when it is done;
no page asks people to refresh it. "刷新" may only name a link or a button (the fallback
without JavaScript, or an action that asks again now), never be an instruction in the text."""

import re
from pathlib import Path

import pytest

TEMPLATES = Path(__file__).resolve().parent.parent / "microcourt" / "templates"
ASKING = re.compile(r"请[^，。“”\"']{0,6}刷新|稍后刷新|再刷新|刷新本页|刷新页面")
# "刷新" as the whole text of a link or a button: {% translate "刷新" %}</a>
LABEL = re.compile(r'>\s*\{% translate "[^"]*刷新[^"]*" %\}\s*</(a|button)>')
# Not progress: the live connection was refused (signed out elsewhere, or the case is gone),
# and loading the page again is what reconnects. Worded as an instruction; left to base.html.
NOT_PROGRESS = {"base.html": ["无法接收新消息，请刷新页面。"]}


def templates() -> list[Path]:
    return sorted(TEMPLATES.rglob("*.html"))


def text_of(path: Path) -> str:
    text = path.read_text()
    for allowed in NOT_PROGRESS.get(str(path.relative_to(TEMPLATES)), []):
        text = text.replace(allowed, "")
    return text


def test_the_templates_are_there_to_check():
    names = {str(p.relative_to(TEMPLATES)) for p in templates()}
    assert {
        "evidence/exhibit.html",
        "service/detail.html",
        "notifications/demo_codes.html",
    } <= names


@pytest.mark.parametrize("path", templates(), ids=lambda p: str(p.relative_to(TEMPLATES)))
def test_no_page_asks_people_to_refresh_it(path):
    text = text_of(path)
    assert not ASKING.findall(text), ASKING.findall(text)
    # Every "刷新" left is the label of a link or a button.
    assert text.count("刷新") == sum(m.group(0).count("刷新") for m in LABEL.finditer(text))


def test_the_check_catches_an_instruction_and_lets_a_label_pass():
    assert ASKING.search("预览生成中，请稍后刷新")
    assert ASKING.search("短信在后台发送，请稍候几秒再刷新本页。")
    assert not ASKING.search('<a href="/x">{% translate "刷新" %}</a>')
    assert LABEL.search('<button type="submit">{% translate "刷新送达状态" %}</button>')
    assert not LABEL.search('<p>{% translate "预览生成中，请稍后刷新" %}</p>')

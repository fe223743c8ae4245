"""法院导航's search: a plain form anyone can see, focus and send, with or without script.

WeUI's `weui-search-bar` keeps its input hidden behind a label until WeUI's own script runs
(which the shell does not load), so the search box was invisible and could not be focused."""

import re
from html.parser import HTMLParser
from urllib.parse import quote

import pytest

from microcourt.core.actor import Actor
from microcourt.courts import actions


class Elements(HTMLParser):
    """Every start tag as (tag, attributes), and the text inside each <label>."""

    def __init__(self):
        super().__init__()
        self.tags, self.labels, self._label = [], {}, None

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag == "label":
            self._label = dict(attrs).get("for", "")
            self.labels[self._label] = ""

    def handle_endtag(self, tag):
        if tag == "label":
            self._label = None

    def handle_data(self, data):
        if self._label is not None:
            self.labels[self._label] += data


def elements(html: str) -> Elements:
    parser = Elements()
    parser.feed(html)
    return parser


@pytest.fixture
def seeded(db):
    actions.court_seed_load(actor=Actor.system("test"))


def test_the_search_box_is_a_visible_labelled_form_that_works_without_script(client, seeded):
    page = client.get("/courts/").content.decode()
    found = elements(page)
    classes = " ".join(a.get("class", "") for _, a in found.tags)
    assert "weui-search-bar" not in classes  # nothing hides the box until a script runs

    (search,) = [a for t, a in found.tags if t == "input" and a.get("name") == "q"]
    assert search["type"] == "search"
    assert found.labels[search["id"]].strip() == "搜索法院"
    (label,) = [a for t, a in found.tags if t == "label" and a.get("for") == search["id"]]
    assert "mc-visually-hidden" not in label.get("class", "")  # the label is seen, not only read

    form = re.search(r'<form[^>]*role="search"[^>]*>(.*?)</form>', page, re.S)
    assert 'method="get"' in form.group(0) and 'action="/courts/"' in form.group(0)
    assert 'name="q"' in form.group(1) and 'type="submit"' in form.group(1)

    # Sent without script: an ordinary page with the results and the query kept in the box.
    results = client.get("/courts/?q=" + quote("海曙")).content.decode()
    assert "宁波市海曙区人民法院" in results
    assert 'value="海曙"' in results


def test_with_htmx_typing_replaces_only_the_results(client, seeded):
    page = client.get("/courts/").content.decode()
    form = re.search(r'<form[^>]*role="search"[^>]*>', page).group(0)
    assert 'hx-get="/courts/"' in form and 'hx-target="#court-results"' in form
    fragment = client.get("/courts/?q=" + quote("海曙"), HTTP_HX_REQUEST="true").content.decode()
    assert "宁波市海曙区人民法院" in fragment and 'role="search"' not in fragment


def test_the_search_box_is_not_hidden_by_the_styles(client):
    """The shell's sheet styles the box as a visible, full-size input."""
    from pathlib import Path

    from django.contrib.staticfiles import finders

    css = Path(finders.find("shell/app.css")).read_text(encoding="utf-8")
    rule = re.search(r"\.mc-search-input\s*\{([^}]*)\}", css).group(1)
    assert "min-height: 44px" in rule and "display: none" not in rule


def test_on_a_phone_the_box_is_seen_and_takes_the_focus(client, seeded):
    from tests.rendered import rendered

    with rendered(client.get("/courts/").content.decode(), path="/courts/", width=360) as page:
        box = page.locator("#court-q")
        assert box.is_visible() and box.bounding_box()["height"] >= 40
        page.get_by_label("搜索法院").focus()
        assert page.evaluate("document.activeElement.id") == "court-q"
        assert page.get_by_role("button", name="搜索").is_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= 360

"""Light pages (issue 15): a phone on a slow network opens any page in one short download.

The server is the one `make run` starts (`microcourt serve`, settings.dev, demo data); a
fresh browser with an empty cache and no service worker opens the home page, 张三's case
page and a step of the filing wizard, and counts the bytes that come over the wire (each
response's encoded size, headers included). Static files must carry a hashed name, be
cached for a year and come compressed; pages and JSON come compressed too."""

from __future__ import annotations

import gzip
import re
import shutil
import urllib.request

import pytest

from tests.browser import CHROMIUM, DEMO_PASSWORD, FLAGS, PHONE
from tests.live_server import live_server

pytestmark = pytest.mark.e2e

BUDGET = 100 * 1024  # bytes on the wire for one page's cold first load
CASE_NUMBER = re.compile(r"（\d{4}）浙0203民初\d+号")
HASHED = re.compile(r"/static/.+\.[0-9a-f]{12}\.\w+$")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    assert shutil.which(CHROMIUM), "Debian chromium is missing: run `make test` (installs it)"
    with live_server(tmp_path_factory.mktemp("weight"), ready="/healthz", demo=True) as live:
        yield live.base


@pytest.fixture(scope="module")
def chromium():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield browser
        browser.close()


def cold_phone(chromium, state=None):
    """A phone that has never been here: empty cache, no service worker."""
    context = chromium.new_context(
        **PHONE,
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
        service_workers="block",
        storage_state=state,
    )
    context.set_default_timeout(20000)
    return context.new_page()


def weigh(page, url: str) -> tuple[int, dict[str, int]]:
    """Open url and return the bytes received for it and everything it loaded."""
    cdp = page.context.new_cdp_session(page)
    urls: dict[str, str] = {}
    sizes: dict[str, int] = {}
    cdp.on(
        "Network.requestWillBeSent", lambda e: urls.update({e["requestId"]: e["request"]["url"]})
    )
    cdp.on(
        "Network.loadingFinished", lambda e: sizes.update({e["requestId"]: e["encodedDataLength"]})
    )
    cdp.send("Network.enable")
    page.goto(url)
    page.wait_for_load_state("networkidle")
    cdp.detach()
    by_url = {urls.get(key, key): int(size) for key, size in sizes.items()}
    return sum(by_url.values()), by_url


def logged_in_state(chromium, server: str) -> dict:
    page = cold_phone(chromium)
    page.goto(server + "/accounts/login/")
    page.fill("#id_login", "demo_citizen")
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("form.mc-auth-form button[type=submit]")
    page.wait_for_url(server + "/")
    state = page.context.storage_state()
    page.context.close()
    return state


def fetch(url: str, encoding: str) -> urllib.request.addinfourl:
    request = urllib.request.Request(url, headers={"Accept-Encoding": encoding})
    return urllib.request.urlopen(request, timeout=10)


def test_each_page_opens_cold_within_100_kb(server, chromium):
    state = logged_in_state(chromium, server)
    # 张三's case, and a new filing's first step (as he would meet them).
    page = cold_phone(chromium, state)
    page.goto(server + "/cases/")
    link = page.locator("a.weui-cell", has_text=CASE_NUMBER).first
    case_page = server + re.search(r"/cases/\d+/", link.get_attribute("href")).group(0)
    page.goto(server + "/file/")
    page.get_by_role("button", name="开始新的立案申请").click()
    page.wait_for_url(re.compile(r".*/step/capacity/$"))
    wizard_step = page.url
    page.context.close()

    weights = {}
    for name, url, who in (
        ("home", server + "/", None),
        ("case page", case_page, state),
        ("filing wizard step", wizard_step, state),
    ):
        page = cold_phone(chromium, who)
        total, by_url = weigh(page, url)
        page.context.close()
        weights[name] = total
        styles = [u for u in by_url if "/static/" in u and u.endswith(".css")]
        assert styles, (name, by_url)  # the page really loaded its styles
        assert total <= BUDGET, (name, total, sorted(by_url.items(), key=lambda i: -i[1]))
    print("cold first load (bytes):", weights)


def test_static_files_are_hashed_cached_for_a_year_and_compressed(server, chromium):
    page = cold_phone(chromium)
    _total, by_url = weigh(page, server + "/")
    page.context.close()
    static = [u for u in by_url if "/static/" in u]
    assert any(u.endswith(".css") for u in static) and any(u.endswith(".js") for u in static)
    for url in static:
        assert HASHED.search(url), f"{url} has no content hash in its name"
        for encoding in ("br", "gzip"):
            with fetch(url, encoding) as response:
                cache = response.headers["Cache-Control"]
                assert "max-age=31536000" in cache and "immutable" in cache, (url, cache)
                if not url.endswith(".png"):  # pictures are compressed already
                    assert response.headers["Content-Encoding"] == encoding, url
    # The service worker keeps the very files pages ask for, not their plain names.
    with fetch(server + "/sw.js", "gzip") as response:
        body = response.read()
        zipped = response.headers.get("Content-Encoding") == "gzip"
        script = (gzip.decompress(body) if zipped else body).decode()
    precached = re.findall(r'"(/static/[^"]+)"', script)
    assert precached and all(HASHED.search(u) for u in precached), precached
    # Not WeUI's whole sheet: the rules our pages use.
    weui = next(u for u in static if "/vendor/weui/" in u)
    with fetch(weui, "identity") as response:
        assert len(response.read()) < 40 * 1024


def test_pages_and_json_come_compressed(server):
    for url, kind in ((server + "/", "text/html"), (server + "/api/v1/openapi.json", "json")):
        with fetch(url, "gzip") as response:
            assert kind in response.headers["Content-Type"]
            assert response.headers["Content-Encoding"] == "gzip", url
